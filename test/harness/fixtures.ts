// Fixtures shared by the app's unit, contract and end-to-end tests: temporary folders, VHDs
// made with qemu-img/qemu-io, and qemu-img's byte-for-byte comparison.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gptPieces } from '../support/partitions';
import { MiB, writeDynamicVhd } from '../support/vhd-writer';
import { ROOT } from './server';

export const THREAD = join(ROOT, 'out/main/thread.js');

/** A fresh folder removed after the test (or suite) that asked for it. */
export function tempDir(t: { after(fn: () => void): void }, label = 'ferry-app'): string {
  const dir = mkdtempSync(join(tmpdir(), `${label}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A dynamic VHD of `size` with `data` bytes of 0x5a at the start and a second run at 16 MiB. */
export function makeVhd(path: string, opts: { size?: string; data?: string } = {}): string {
  execFileSync('qemu-img', ['create', '-q', '-f', 'vpc', '-o', 'subformat=dynamic', path, opts.size ?? '64M']);
  execFileSync('qemu-io', ['-f', 'vpc', '-c', `write -P 0x5a 0 ${opts.data ?? '1M'}`, '-c', 'write -P 0xa5 16M 512k', path], { stdio: 'ignore' });
  return path;
}

/**
 * A Hyper-V Generation 2 style disk (dynamic VHD made by "win "): GPT with an EFI system
 * partition (FAT32), a Microsoft reserved partition and an NTFS data partition, plus some data,
 * so inspection finds Windows and UEFI and the source card has something to show.
 */
export function makeWindowsVhd(path: string): string {
  const size = 256 * MiB;
  const lastLba = size / 512 - 34;
  const fat32 = Buffer.alloc(512);
  fat32.write('MSDOS5.0', 3, 'latin1');
  fat32.writeUInt16LE(512, 11);
  fat32.write('SYSTEM     ', 71, 'latin1');
  fat32.write('FAT32   ', 82, 'latin1');
  fat32[510] = 0x55;
  fat32[511] = 0xaa;
  const ntfs = Buffer.alloc(512);
  ntfs.write('NTFS    ', 3, 'latin1');
  ntfs.writeUInt16LE(512, 11);
  ntfs[510] = 0x55;
  ntfs[511] = 0xaa;
  const data = Buffer.alloc(3 * MiB);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 12)) & 0xff;
  writeDynamicVhd(path, {
    size,
    pieces: [
      ...gptPieces(size, {
        diskGuid: '6a1f3b2e-0c4d-4e5f-8a9b-0c1d2e3f4a5b',
        partitions: [
          { typeGuid: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b', uniqueGuid: '11111111-2222-3333-4444-555555555551', firstLba: 2048, lastLba: 206847, name: 'EFI system partition' },
          { typeGuid: 'e3c9e316-0b5c-4db8-817d-f92df00215ae', uniqueGuid: '11111111-2222-3333-4444-555555555552', firstLba: 206848, lastLba: 239615, name: 'Microsoft reserved partition' },
          { typeGuid: 'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7', uniqueGuid: '11111111-2222-3333-4444-555555555553', firstLba: 239616, lastLba, name: 'Basic data partition' },
        ],
      }),
      { offset: 2048 * 512, data: fat32 },
      { offset: 239616 * 512, data: ntfs },
      { offset: 239616 * 512 + MiB, data },
    ],
  });
  return path;
}

/**
 * A vendor-style download: a dynamic VHD compressed with `bzip2 -k` (the original is kept for
 * comparing). Its 3 MiB of noise (xorshift, the same every run) take our bzip2 decoder a second
 * or two, long enough to see the inspection's unpacking bar.
 */
export function makeBzip2Download(vhdPath: string): { vhd: string; download: string } {
  const noise = Buffer.alloc(3 * MiB);
  let x = 0x9e3779b9;
  for (let i = 0; i < noise.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    noise.writeUInt32LE(x >>> 0, i);
  }
  writeDynamicVhd(vhdPath, { size: 96 * MiB, pieces: [{ offset: MiB, data: noise }, { offset: 40 * MiB, data: Buffer.alloc(MiB, 0x5a) }] });
  execFileSync('bzip2', ['-k', '-1', '-f', vhdPath]);
  return { vhd: vhdPath, download: `${vhdPath}.bz2` };
}

/** A VHD whose conversion takes long enough (a second or more) to be cancelled part-way. */
export function makeSlowVhd(path: string): string {
  return makeVhd(path, { size: '1G', data: '384M' });
}

/** qemu-img's verdict on whether two images hold the same guest-visible bytes. */
export function sameContent(a: string, aFormat: 'vpc' | 'vmdk', b: string, bFormat: 'vpc' | 'vmdk'): { same: boolean; output: string } {
  const r = spawnSync('qemu-img', ['compare', '-f', aFormat, '-F', bFormat, a, b], { encoding: 'utf8' });
  return { same: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

export function entries(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** The hidden folders in `dir` holding an unpacked copy of the download named `archive` (the engine's staging names). */
export function keptCopies(dir: string, archive: string): string[] {
  return entries(dir).filter((e) => e.startsWith(`.${archive}.ferry-partial-`));
}
