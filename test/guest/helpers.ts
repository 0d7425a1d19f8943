// Guest disks for the guest-reading suites, built at test time with tools no one here wrote
// (mkntfs and ntfs-3g, mkfs.fat and mtools, mkfs.ext4 -d, sgdisk), and a DiskSource over a file.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
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
    async *extents() {
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

/** Whether this machine can mount an NTFS image through FUSE (root and /dev/fuse). */
export function canMountNtfs(): boolean {
  return process.getuid?.() === 0 && spawnSync('ntfs-3g', ['--version']).status !== null && statSafe('/dev/fuse');
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
