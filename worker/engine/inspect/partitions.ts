import type { PartitionEntry, PartitionTable } from '../../../shared/disk-info';
import type { DiskSource } from '../sources/source';
import { identifyFilesystem } from './filesystems';
import { notice, type Notice } from '../notices';

const SECTOR = 512;
const MAX_GPT_ENTRIES = 1024;
const MAX_LOGICAL = 128;

const MBR_TYPES: Record<number, string> = {
  0x01: 'FAT12',
  0x04: 'FAT16 (<32 MiB)',
  0x05: 'Extended',
  0x06: 'FAT16',
  0x07: 'NTFS / exFAT',
  0x0b: 'FAT32 (CHS)',
  0x0c: 'FAT32 (LBA)',
  0x0e: 'FAT16 (LBA)',
  0x0f: 'Extended (LBA)',
  0x11: 'Hidden FAT12',
  0x12: 'Recovery / diagnostics',
  0x17: 'Hidden NTFS',
  0x27: 'Windows Recovery',
  0x42: 'Windows dynamic disk',
  0x82: 'Linux swap',
  0x83: 'Linux',
  0x85: 'Linux extended',
  0x8e: 'Linux LVM',
  0xa5: 'FreeBSD',
  0xa6: 'OpenBSD',
  0xa9: 'NetBSD',
  0xaf: 'Apple HFS+',
  0xee: 'GPT protective',
  0xef: 'EFI System',
  0xfd: 'Linux RAID',
};

const GPT_TYPES: Record<string, string> = {
  'c12a7328-f81f-11d2-ba4b-00a0c93ec93b': 'EFI System',
  '21686148-6449-6e6f-744e-656564454649': 'BIOS boot',
  'e3c9e316-0b5c-4db8-817d-f92df00215ae': 'Microsoft Reserved',
  'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7': 'Microsoft basic data',
  'de94bba4-06d1-4d40-a16a-bfd50179d6ac': 'Windows Recovery',
  '5808c8aa-7e8f-42e0-85d2-e1e90434cfb3': 'Windows LDM metadata',
  'af9b60a0-1431-4f62-bc68-3311714a69ad': 'Windows LDM data',
  '0fc63daf-8483-4772-8e79-3d69d8477de4': 'Linux filesystem',
  '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f': 'Linux swap',
  'e6d6d379-f507-44c2-a23c-238f2a3df928': 'Linux LVM',
  'a19d880f-05fc-4d3b-a006-743f0f84911e': 'Linux RAID',
  '4f68bce3-e8cd-4db1-96e7-fbcaf984b709': 'Linux root (x86-64)',
  '44479540-f297-41b2-9af7-d131d5f0458a': 'Linux root (x86)',
  'bc13c2ff-59e6-4262-a352-b275fd6f7172': 'Linux extended boot',
  '933ac7e1-2eb4-4f13-b844-0e14e2aef915': 'Linux /home',
  '5dfbf5f4-2848-4bac-aa5e-0d9a20b745a6': 'CoreOS /usr',
  '3884dd41-8582-4404-b9a8-e9b84f2df50e': 'CoreOS resizable root',
  'c95dc21a-df0e-4340-8d7b-26cbfa9a03e0': 'CoreOS root RAID',
  'be9067b9-ea49-4f15-b4f6-f36f8c9e1818': 'CoreOS root',
  '48465300-0000-11aa-aa11-00306543ecac': 'Apple HFS+',
  '7c3457ef-0000-11aa-aa11-00306543ecac': 'Apple APFS',
  '516e7cb4-6ecf-11d6-8ff8-00022d09712b': 'FreeBSD data',
  '83bd6b9d-7f41-11dc-be0b-001560b84f0f': 'FreeBSD boot',
};

/** GUIDs are stored mixed-endian: the first three fields little-endian, the rest as is. */
export function guidText(b: Buffer): string {
  const h = (s: number, e: number) => b.subarray(s, e).toString('hex');
  const le = (s: number, e: number) => Buffer.from(b.subarray(s, e)).reverse().toString('hex');
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${h(8, 10)}-${h(10, 16)}`;
}

async function readSectors(source: DiskSource, lba: number, count: number): Promise<Buffer | undefined> {
  const offset = lba * SECTOR;
  const length = count * SECTOR;
  if (offset + length > source.size) return undefined;
  const buf = Buffer.alloc(length);
  await source.read(offset, length, buf);
  return buf;
}

function mbrEntry(buf: Buffer, i: number) {
  const at = 446 + i * 16;
  return {
    bootFlag: buf[at]!,
    bootable: buf[at] === 0x80,
    type: buf[at + 4]!,
    start: buf.readUInt32LE(at + 8),
    sectors: buf.readUInt32LE(at + 12),
  };
}

async function readGpt(source: DiskSource): Promise<PartitionTable | undefined> {
  const header = await readSectors(source, 1, 1);
  if (!header || header.toString('latin1', 0, 8) !== 'EFI PART') return undefined;
  const entriesLba = Number(header.readBigUInt64LE(72));
  const count = Math.min(header.readUInt32LE(80), MAX_GPT_ENTRIES);
  const entrySize = header.readUInt32LE(84);
  if (entrySize < 128 || entrySize > 4096 || !Number.isSafeInteger(entriesLba)) return undefined;
  const table = await readSectors(source, entriesLba, Math.ceil((count * entrySize) / SECTOR));
  if (!table) return undefined;
  const partitions: PartitionEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e = table.subarray(i * entrySize, (i + 1) * entrySize);
    const type = guidText(e.subarray(0, 16));
    if (type === '00000000-0000-0000-0000-000000000000') continue;
    const first = Number(e.readBigUInt64LE(32));
    const last = Number(e.readBigUInt64LE(40));
    const name = e.toString('utf16le', 56, 128).replace(/\0.*$/s, '');
    partitions.push({
      index: i + 1,
      type,
      typeName: GPT_TYPES[type] ?? 'Unknown',
      ...(name ? { name } : {}),
      startBytes: first * SECTOR,
      sizeBytes: Math.max(0, last - first + 1) * SECTOR,
    });
  }
  return { scheme: 'gpt', diskId: guidText(header.subarray(56, 72)), partitions };
}

/** Reads the MBR (with logical partitions) or, behind a protective MBR, the GPT. */
export async function readPartitionTable(source: DiskSource): Promise<PartitionTable | null> {
  const mbr = await readSectors(source, 0, 1);
  if (!mbr || mbr[510] !== 0x55 || mbr[511] !== 0xaa) return null;
  const primaries = [0, 1, 2, 3].map((i) => mbrEntry(mbr, i));
  // A file system's own boot sector (a partition image, a "superfloppy") ends in 55 AA too; its
  // boot code is no partition table. libblkid's DOS prober skips these the same way: a FAT or
  // NTFS boot sector, or an entry whose boot flag is neither 0x00 nor 0x80.
  if (identifyFilesystem(mbr) !== undefined || primaries.some((p) => p.bootFlag !== 0 && p.bootFlag !== 0x80)) return null;
  if (primaries.some((p) => p.type === 0xee)) {
    const gpt = await readGpt(source);
    if (gpt) return gpt;
  }
  const partitions: PartitionEntry[] = [];
  for (let i = 0; i < 4; i++) {
    const p = primaries[i]!;
    if (p.type === 0 || p.sectors === 0) continue;
    partitions.push({
      index: i + 1,
      type: `0x${p.type.toString(16).padStart(2, '0')}`,
      typeName: MBR_TYPES[p.type] ?? 'Unknown',
      startBytes: p.start * SECTOR,
      sizeBytes: p.sectors * SECTOR,
      ...(p.bootable ? { bootable: true } : {}),
    });
    if (p.type === 0x05 || p.type === 0x0f || p.type === 0x85) {
      // Logical partitions: a chain of EBRs, each relative to the extended partition's start.
      let ebrLba = p.start;
      for (let n = 0; n < MAX_LOGICAL; n++) {
        const ebr = await readSectors(source, ebrLba, 1);
        if (!ebr || ebr[510] !== 0x55 || ebr[511] !== 0xaa) break;
        const l = mbrEntry(ebr, 0);
        if (l.type !== 0 && l.sectors !== 0) {
          partitions.push({
            index: 5 + n,
            type: `0x${l.type.toString(16).padStart(2, '0')}`,
            typeName: MBR_TYPES[l.type] ?? 'Unknown',
            startBytes: (ebrLba + l.start) * SECTOR,
            sizeBytes: l.sectors * SECTOR,
          });
        }
        const next = mbrEntry(ebr, 1);
        if (next.type === 0 || next.start === 0) break;
        const nextLba = p.start + next.start;
        if (nextLba <= ebrLba) break;
        ebrLba = nextLba;
      }
    }
  }
  return { scheme: 'mbr', diskId: `0x${mbr.readUInt32LE(440).toString(16).padStart(8, '0')}`, partitions };
}

/**
 * Partitions that cannot all be on this disk: one that ends before it starts, or reaches past
 * the disk's end (a VHD sized by the wrong one of its two size fields, an image cut short).
 */
export function partitionWarnings(table: PartitionTable | null, diskBytes: number): Notice[] {
  const out: Notice[] = [];
  for (const p of table?.partitions ?? []) {
    const what = { index: p.index, typeName: p.typeName };
    if (p.sizeBytes === 0) out.push(notice('partition-inverted', { ...what, scheme: table!.scheme.toUpperCase() }));
    else if (p.startBytes + p.sizeBytes > diskBytes) out.push(notice('partition-past-end', { ...what, end: p.startBytes + p.sizeBytes, size: diskBytes }));
  }
  return out;
}

