// Synthetic disks for the VM tests: a boot sector that proves which disk booted, and MBR/GPT
// layouts with file-system signatures, written as raw bytes (no partitioning tools needed).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { qemuConvertRawToVpc, type VpcSubformat } from '../support/tools';

const SECTOR = 512;

/**
 * A BIOS boot sector that prints `marker` on COM1 and then ends qemu through isa-debug-exit
 * (port 0xf4; qemu exits with (0x10 << 1) | 1 = 33). Assembled with nasm from:
 *
 *     org 0x7c00
 *       cli
 *       xor ax, ax
 *       mov ds, ax
 *       mov si, msg        ; msg follows the code, at 0x7c1d
 *       mov dx, 0x3f8
 *       cld
 *     next: lodsb
 *       test al, al
 *       jz done
 *       out dx, al
 *       jmp next
 *     done: mov dx, 0xf4
 *       mov al, 0x10
 *       out dx, al
 *     halt: hlt
 *       jmp halt
 */
const BOOT_CODE = Buffer.from('fa31c08ed8be1d7cbaf803fcac84c07403eeebf8baf400b010eef4ebfd', 'hex');
export const DEBUG_EXIT_STATUS = 33;

export function bootSector(marker: string): Buffer {
  const sector = Buffer.alloc(SECTOR);
  BOOT_CODE.copy(sector, 0);
  const msg = Buffer.from(`${marker}\r\n\0`, 'latin1');
  if (BOOT_CODE.length + msg.length > 440) throw new Error('marker too long');
  msg.copy(sector, BOOT_CODE.length);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

/** A raw disk: the boot sector, then random data (so a wrong or missing copy cannot pass). */
export function bootableRaw(size: number, marker: string): Buffer {
  const disk = randomBytes(size);
  bootSector(marker).copy(disk, 0);
  return disk;
}

export function writeVhd(dir: string, name: string, raw: Buffer, subformat: VpcSubformat): string {
  const rawPath = `${dir}/${name}.raw`;
  const vhd = `${dir}/${name}`;
  writeFileSync(rawPath, raw);
  qemuConvertRawToVpc(rawPath, vhd, subformat);
  return vhd;
}

// --- file-system signatures, written into a partition's first bytes ---

export type FsWriter = (part: Buffer) => void;

export const fs = {
  ntfs: (): FsWriter => (b) => {
    b.write('NTFS    ', 3, 'latin1');
    b.writeUInt16LE(512, 11);
    b[510] = 0x55;
    b[511] = 0xaa;
  },
  fat32: (label = 'NO NAME    '): FsWriter => (b) => {
    b.write('MSWIN4.1', 3, 'latin1');
    b.writeUInt16LE(512, 11);
    b.write(label.padEnd(11, ' '), 71, 'latin1');
    b.write('FAT32   ', 82, 'latin1');
    b[510] = 0x55;
    b[511] = 0xaa;
  },
  fat16: (label: string): FsWriter => (b) => {
    b.writeUInt16LE(512, 11);
    b.write(label.padEnd(11, ' '), 43, 'latin1');
    b.write('FAT16   ', 54, 'latin1');
    b[510] = 0x55;
    b[511] = 0xaa;
  },
  ext: (version: 2 | 3 | 4, label = ''): FsWriter => (b) => {
    b.writeUInt16LE(0xef53, 1024 + 0x38);
    b.writeUInt32LE(version >= 3 ? 0x3c : 0x38, 1024 + 0x5c);
    b.writeUInt32LE(version === 4 ? 0x2c2 : 0x2, 1024 + 0x60);
    b.write(label, 1024 + 0x78, 'utf8');
  },
  xfs: (label = ''): FsWriter => (b) => {
    b.write('XFSB', 0, 'latin1');
    b.write(label, 108, 'utf8');
  },
  btrfs: (label = ''): FsWriter => (b) => {
    b.write('_BHRfS_M', 0x10040, 'latin1');
    b.write(label, 0x10000 + 0x12b, 'utf8');
  },
  swap: (): FsWriter => (b) => {
    b.write('SWAPSPACE2', 4096 - 10, 'latin1');
  },
  lvm: (): FsWriter => (b) => {
    b.write('LABELONE', 512, 'latin1');
    b.write('LVM2 001', 512 + 24, 'latin1');
  },
  text: (at: number, s: string): FsWriter => (b) => {
    b.write(s, at, 'latin1');
  },
};

export interface PartSpec {
  /** MBR: the type byte; GPT: the type GUID. */
  type: number | string;
  name?: string;
  startMiB: number;
  sizeMiB: number;
  bootable?: boolean;
  content?: FsWriter[];
}

function fill(disk: Buffer, p: PartSpec): void {
  const part = disk.subarray(p.startMiB * 2 ** 20, (p.startMiB + p.sizeMiB) * 2 ** 20);
  for (const w of p.content ?? []) w(part);
}

function mbrEntry(sector: Buffer, i: number, type: number, lba: number, sectors: number, bootable = false): void {
  const at = 446 + i * 16;
  sector[at] = bootable ? 0x80 : 0;
  sector[at + 4] = type;
  sector.writeUInt32LE(lba, at + 8);
  sector.writeUInt32LE(sectors, at + 12);
}

/** A disk of `sizeMiB` with an MBR holding up to four primary partitions. */
export function mbrDisk(sizeMiB: number, parts: PartSpec[]): Buffer {
  const disk = Buffer.alloc(sizeMiB * 2 ** 20);
  parts.forEach((p, i) => {
    mbrEntry(disk, i, p.type as number, p.startMiB * 2048, p.sizeMiB * 2048, p.bootable);
    fill(disk, p);
  });
  disk.writeUInt32LE(0x1234abcd, 440);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  return disk;
}

/** GUID text to its on-disk bytes (first three fields little-endian). */
export function guidBytes(text: string): Buffer {
  const h = text.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

/** A disk with a protective MBR and a GPT (128 entries at LBA 2); checksums left zero. */
export function gptDisk(sizeMiB: number, parts: PartSpec[]): Buffer {
  const disk = Buffer.alloc(sizeMiB * 2 ** 20);
  const sectors = disk.length / SECTOR;
  mbrEntry(disk, 0, 0xee, 1, Math.min(sectors - 1, 0xffffffff));
  disk[510] = 0x55;
  disk[511] = 0xaa;
  const header = disk.subarray(SECTOR, 2 * SECTOR);
  header.write('EFI PART', 0, 'latin1');
  header.writeUInt32LE(0x00010000, 8);
  header.writeUInt32LE(92, 12);
  header.writeBigUInt64LE(1n, 24);
  header.writeBigUInt64LE(BigInt(sectors - 1), 32);
  header.writeBigUInt64LE(34n, 40);
  header.writeBigUInt64LE(BigInt(sectors - 34), 48);
  guidBytes('5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d').copy(header, 56);
  header.writeBigUInt64LE(2n, 72);
  header.writeUInt32LE(128, 80);
  header.writeUInt32LE(128, 84);
  parts.forEach((p, i) => {
    const e = disk.subarray(2 * SECTOR + i * 128, 2 * SECTOR + (i + 1) * 128);
    guidBytes(p.type as string).copy(e, 0);
    randomBytes(16).copy(e, 16);
    e.writeBigUInt64LE(BigInt(p.startMiB * 2048), 32);
    e.writeBigUInt64LE(BigInt((p.startMiB + p.sizeMiB) * 2048 - 1), 40);
    e.write((p.name ?? '').slice(0, 36), 56, 'utf16le');
    fill(disk, p);
  });
  return disk;
}

export const GUIDS = {
  esp: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  msr: 'e3c9e316-0b5c-4db8-817d-f92df00215ae',
  basicData: 'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7',
  winRe: 'de94bba4-06d1-4d40-a16a-bfd50179d6ac',
  linux: '0fc63daf-8483-4772-8e79-3d69d8477de4',
  biosBoot: '21686148-6449-6e6f-744e-656564454649',
  coreosUsr: '5dfbf5f4-2848-4bac-aa5e-0d9a20b745a6',
  coreosResize: '3884dd41-8582-4404-b9a8-e9b84f2df50e',
};

/** A Hyper-V Generation 2 Windows layout: ESP, MSR, NTFS system, recovery. */
export function windowsGen2Disk(): Buffer {
  return gptDisk(16, [
    { type: GUIDS.esp, name: 'EFI system partition', startMiB: 1, sizeMiB: 2, content: [fs.fat32('SYSTEM')] },
    { type: GUIDS.msr, name: 'Microsoft reserved partition', startMiB: 3, sizeMiB: 1 },
    { type: GUIDS.basicData, name: 'Basic data partition', startMiB: 4, sizeMiB: 10, content: [fs.ntfs()] },
    { type: GUIDS.winRe, startMiB: 14, sizeMiB: 1, content: [fs.ntfs()] },
  ]);
}

/** A Hyper-V Generation 1 Windows layout: active "System Reserved" NTFS, then the system. */
export function windowsGen1Disk(): Buffer {
  return mbrDisk(16, [
    { type: 0x07, startMiB: 1, sizeMiB: 2, bootable: true, content: [fs.ntfs()] },
    { type: 0x07, startMiB: 3, sizeMiB: 12, content: [fs.ntfs()] },
  ]);
}

/**
 * The CoreOS / Flatcar layout; `oemId` goes into the OEM partition's grub.cfg, placed so that
 * `oem_id` straddles the scanner's 1 MiB read chunks.
 */
export function coreosDisk(oemId: string): Buffer {
  return gptDisk(24, [
    { type: GUIDS.esp, name: 'EFI-SYSTEM', startMiB: 1, sizeMiB: 2, content: [fs.fat16('EFI-SYSTEM')] },
    { type: GUIDS.biosBoot, name: 'BIOS-BOOT', startMiB: 3, sizeMiB: 1 },
    { type: GUIDS.coreosUsr, name: 'USR-A', startMiB: 4, sizeMiB: 4, content: [fs.ext(2)] },
    { type: GUIDS.coreosUsr, name: 'USR-B', startMiB: 8, sizeMiB: 4 },
    { type: GUIDS.linux, name: 'OEM', startMiB: 12, sizeMiB: 4, content: [fs.ext(4, 'OEM'), fs.text(1024 * 1024 - 20, `# OEM grub.cfg\nset oem_id="${oemId}"\n`)] },
    { type: GUIDS.coreosResize, name: 'ROOT', startMiB: 16, sizeMiB: 7, content: [fs.ext(4, 'ROOT')] },
  ]);
}
