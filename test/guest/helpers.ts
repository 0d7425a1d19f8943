// Guest disks for the guest-reading suites, built at test time with tools no one here wrote
// (mkntfs and ntfs-3g, mkfs.fat and mtools, mkfs.ext4 -d, sgdisk), and a DiskSource over a file.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DiskSource } from '../../worker/engine/sources/source';

export const MiB = 1024 * 1024;

/** A read-only DiskSource over a plain image file. */
export function fileSource(path: string): DiskSource {
  const fd = openSync(path, 'r');
  const size = statSync(path).size;
  return {
    path,
    size,
    info: { path, fileSize: size, format: 'raw', variant: 'raw', virtualSize: size, allocatedBytes: size, parents: [], warnings: [] },
    async *runs() {
      yield { offset: 0, length: size, kind: 'data' as const };
    },
    async read(offset, length, into) {
      let done = 0;
      while (done < length) {
        const n = readSync(fd, into, done, length - done, offset + done);
        if (n === 0) throw new Error(`short read at ${offset + done}`);
        done += n;
      }
    },
    async close() {
      closeSync(fd);
    },
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `ferry-${prefix}-`));
}

export function run(cmd: string, args: string[], input?: Buffer): Buffer {
  try {
    return execFileSync(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(input ? { input } : {}), maxBuffer: 256 * MiB });
  } catch (err) {
    const e = err as { stderr?: Buffer; status?: number };
    throw new Error(`${cmd} ${args.join(' ')} failed (${e.status}): ${e.stderr?.toString().trim() ?? ''}`);
  }
}

export interface NtfsMountFacts {
  root: boolean;
  ntfs3g: boolean;
  fuse: boolean;
  /** FERRY_REQUIRE_TOOLS=1 (set by .ci/run): a test that cannot run must fail, not skip. */
  required: boolean;
}

function ntfsMountFacts(): NtfsMountFacts {
  return { root: process.getuid?.() === 0, ntfs3g: spawnSync('ntfs-3g', ['--version']).status !== null, fuse: statSafe('/dev/fuse'), required: process.env.FERRY_REQUIRE_TOOLS === '1' };
}

/**
 * Whether this machine can mount an NTFS image through FUSE (root, ntfs-3g and /dev/fuse). Where
 * the tools are required (CI) and one is missing, this throws, so the NTFS suites fail instead of
 * skipping unseen.
 */
export function canMountNtfs(facts: NtfsMountFacts = ntfsMountFacts()): boolean {
  const missing = [!facts.root && 'root', !facts.ntfs3g && 'ntfs-3g', !facts.fuse && '/dev/fuse'].filter((x): x is string => !!x);
  if (missing.length && facts.required) {
    throw new Error(`FERRY_REQUIRE_TOOLS=1, but the NTFS guest tests cannot run here: no ${missing.join(', ')} (install ntfs-3g and fuse3, run as root, \`modprobe fuse\`)`);
  }
  return missing.length === 0;
}

function statSafe(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * An NTFS image of `sizeMiB` made by mkntfs; `fill` gets the mounted root (ntfs-3g through FUSE)
 * to write files into, and the volume is unmounted cleanly before this returns.
 */
export function makeNtfs(path: string, sizeMiB: number, fill: (root: string) => void, mkntfsArgs: string[] = []): void {
  run('truncate', ['-s', `${sizeMiB}M`, path]);
  run('mkntfs', ['-F', '-f', '-Q', '-q', ...mkntfsArgs, path]);
  const mnt = `${path}.mnt`;
  mkdirSync(mnt, { recursive: true });
  run('ntfs-3g', [path, mnt]);
  try {
    fill(mnt);
  } finally {
    run('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
}

/** A GPT disk holding `parts` (file-system images) in order, 1 MiB aligned, written by sgdisk. */
export function makeGptDisk(path: string, parts: Array<{ image: string; code: string }>): void {
  const sizes = parts.map((p) => Math.ceil(statSync(p.image).size / MiB) * MiB);
  const total = MiB + sizes.reduce((a, b) => a + b, 0) + MiB;
  run('truncate', ['-s', String(total), path]);
  let at = MiB;
  const args: string[] = [];
  parts.forEach((p, i) => {
    args.push('-n', `${i + 1}:${at / 512}:${(at + sizes[i]!) / 512 - 1}`, '-t', `${i + 1}:${p.code}`);
    at += sizes[i]!;
  });
  run('sgdisk', [...args, path]);
  const fd = openSync(path, 'r+');
  try {
    at = MiB;
    parts.forEach((p, i) => {
      const img = openSync(p.image, 'r');
      const buf = Buffer.alloc(MiB);
      for (let off = 0; ; off += MiB) {
        const n = readSync(img, buf, 0, MiB, off);
        if (n === 0) break;
        writeSync(fd, buf, 0, n, at + off);
      }
      closeSync(img);
      at += sizes[i]!;
    });
  } finally {
    closeSync(fd);
  }
}

export type InitramfsCompression = 'none' | 'gzip' | 'xz' | 'zstd' | 'lz4' | 'bzip2';

/** A newc cpio archive of `tree` (paths relative to the archive root), made by cpio itself. */
export function makeCpio(workDir: string, name: string, tree: Record<string, string | Buffer>): Buffer {
  const root = join(workDir, name);
  rmSync(root, { recursive: true, force: true });
  for (const [p, data] of Object.entries(tree)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), data);
  }
  const list = Object.keys(tree).sort().join('\n') + '\n';
  return execFileSync('cpio', ['--quiet', '-o', '-H', 'newc'], { cwd: root, input: list, maxBuffer: 256 * MiB });
}

/** `data` compressed by the zstd CLI with `args` (from a pipe, as dracut and mkinitramfs do: no content size). */
export function zstdOf(data: Buffer, args: string[] = []): Buffer {
  return execFileSync('zstd', ['-q', '-c', ...args], { input: data, maxBuffer: 256 * MiB });
}

/** The uncompressed early-microcode archive dracut and initramfs-tools put first. */
export function earlyMicrocode(workDir: string, vendor = 'GenuineIntel'): Buffer {
  return makeCpio(workDir, `early-${vendor}`, { [`kernel/x86/microcode/${vendor}.bin`]: Buffer.alloc(3000, 0x11) });
}

/**
 * An initramfs as dracut and initramfs-tools lay it out: an uncompressed early-microcode cpio,
 * then a newc cpio of `files` compressed with the system's own compressor.
 */
export function makeInitramfs(workDir: string, files: Record<string, string | Buffer>, compression: InitramfsCompression): Buffer {
  const early = earlyMicrocode(workDir);
  const main = makeCpio(workDir, 'main', files);
  const compressors: Record<InitramfsCompression, string[] | undefined> = {
    none: undefined,
    gzip: ['gzip', '-c', '-9'],
    xz: ['xz', '--check=crc32', '-c'],
    zstd: ['zstd', '-q', '-c'],
    lz4: ['lz4', '-l', '-q', '-c'],
    bzip2: ['bzip2', '-c'],
  };
  const c = compressors[compression];
  const packed = c ? execFileSync(c[0]!, c.slice(1), { input: main, maxBuffer: 256 * MiB }) : main;
  return Buffer.concat([early, packed]);
}
