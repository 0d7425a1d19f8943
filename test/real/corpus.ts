// The corpus of disks made by real tools (test/fixtures/real, see its README), unpacked into a
// scratch folder, plus every disk in the folder named by FERRY_REAL_CORPUS (files dropped there
// later, e.g. real Hyper-V disks: no manifest, so they are checked against qemu-img alone).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DiskInfo } from '../../shared/disk-info';
import { ROOT } from '../support/cli';
import { run } from '../support/tools';

export const CORPUS_DIR = join(ROOT, 'test', 'fixtures', 'real');

export interface CorpusDisk {
  /** The disk's file name (chains keep their parents beside them, under their own names). */
  name: string;
  path: string;
  /** qemu-img's name for the format when qemu reads the file itself (not differencing chains). */
  qemuFormat: string | null;
  /** From the manifest: the guest-visible size and SHA-256 the disk was made with. */
  virtualSize?: number;
  sha256?: string;
  parent?: string;
}

interface ManifestEntry {
  file: string;
  qemuFormat: string | null;
  virtualSize: number;
  sha256: string;
  parent: string | null;
}

const DISK_NAME = /\.(vhd|vhdx|avhd|avhdx|vmdk)$/i;

/** qemu-img's format for a file it can read by itself, or null (differencing VHD/VHDX, unreadable). */
function qemuFormatOf(path: string): string | null {
  const r = run('qemu-img', ['info', '--output=json', path]);
  if (r.code !== 0) return null;
  const info = JSON.parse(r.stdout) as { format: string; 'backing-filename'?: string };
  const format = info.format;
  if (format === 'vpc' && readFileSync(path).subarray(0, 512).readUInt32BE(60) === 4) return null; // differencing: qemu ignores the parent
  return ['vpc', 'vhdx', 'vmdk', 'raw'].includes(format) ? format : null;
}

/**
 * Unpacks the committed corpus into `dir` (each .gz beside its parents) and copies in the extra
 * disks of FERRY_REAL_CORPUS (with every other file of that folder, so their parents come along).
 */
export function unpackCorpus(dir: string): CorpusDisk[] {
  const manifest = JSON.parse(readFileSync(join(CORPUS_DIR, 'corpus.json'), 'utf8')) as ManifestEntry[];
  const own = join(dir, 'corpus');
  mkdirSync(own, { recursive: true });
  const disks: CorpusDisk[] = manifest.map((m) => {
    const path = join(own, m.file);
    writeFileSync(path, gunzipSync(readFileSync(join(CORPUS_DIR, 'disks', `${m.file}.gz`))));
    return { name: m.file, path, qemuFormat: m.qemuFormat, virtualSize: m.virtualSize, sha256: m.sha256, ...(m.parent ? { parent: m.parent } : {}) };
  });
  const extra = process.env.FERRY_REAL_CORPUS;
  if (extra) {
    if (!existsSync(extra) || !statSync(extra).isDirectory()) throw new Error(`FERRY_REAL_CORPUS=${extra} is not a folder`);
    const copy = join(dir, 'extra');
    mkdirSync(copy, { recursive: true });
    for (const name of readdirSync(extra).sort()) {
      const from = join(extra, name);
      if (!statSync(from).isFile()) continue;
      copyFileSync(from, join(copy, name));
      if (DISK_NAME.test(name)) disks.push({ name: `extra/${basename(name)}`, path: join(copy, name), qemuFormat: qemuFormatOf(join(copy, name)) });
    }
  }
  return disks;
}

/** qemu's name for a source, reading a VHD by the same size field Ferry chose (qemu 7 follows an older rule). */
export function qemuSource(disk: CorpusDisk, info: DiskInfo): string {
  if (disk.qemuFormat !== 'vpc') return disk.path;
  const rule = info.sizeCandidates?.chosen === 'chs' ? 'chs' : 'current_size';
  return `json:${JSON.stringify({ driver: 'vpc', force_size_calc: rule, file: { driver: 'file', filename: disk.path } })}`;
}

