// File-system signatures, recognised from the first bytes of a partition (or of a disk without a
// partition table). Only magic numbers at fixed offsets: enough to tell what a partition holds,
// never a parse of the file system itself.
import type { DiskSource } from '../sources/source';

export interface FsSignature {
  /** `NTFS`, `FAT32`, `ext4`, `xfs`, `LVM2 PV`, … */
  type: string;
  label?: string;
}

/** Bytes read from the start of a partition: the btrfs superblock is the furthest, at 64 KiB. */
export const FS_PROBE_BYTES = 64 * 1024 + 4096;

function ascii(b: Buffer, at: number, len: number): string {
  return at + len <= b.length ? b.toString('latin1', at, at + len) : '';
}

/** A NUL- or space-padded label; undefined when empty or not printable. */
function labelAt(b: Buffer, at: number, len: number, encoding: 'utf8' | 'latin1' = 'utf8'): string | undefined {
  if (at + len > b.length) return undefined;
  const raw = b.toString(encoding, at, at + len);
  const end = raw.indexOf('\0');
  const text = (end === -1 ? raw : raw.slice(0, end)).trim();
  // Labels of FAT volumes without one read "NO NAME".
  if (text === '' || text === 'NO NAME' || /[\u0000-\u001f\u007f\ufffd]/.test(text)) return undefined;
  return text;
}

function withLabel(type: string, label: string | undefined): FsSignature {
  return label === undefined ? { type } : { type, label };
}

const EXT_HAS_JOURNAL = 0x4;
/** Incompatible features only ext4 has: extents, 64bit, flex_bg. */
const EXT4_INCOMPAT = 0x40 | 0x80 | 0x200;

function ext(b: Buffer): FsSignature | undefined {
  const sb = 1024;
  if (b.length < sb + 0x88 || b.readUInt16LE(sb + 0x38) !== 0xef53) return undefined;
  const compat = b.readUInt32LE(sb + 0x5c);
  const incompat = b.readUInt32LE(sb + 0x60);
  const type = (incompat & EXT4_INCOMPAT) !== 0 ? 'ext4' : (compat & EXT_HAS_JOURNAL) !== 0 ? 'ext3' : 'ext2';
  return withLabel(type, labelAt(b, sb + 0x78, 16));
}

function fat(b: Buffer): FsSignature | undefined {
  if (b.length < 512 || b[510] !== 0x55 || b[511] !== 0xaa) return undefined;
  const bytesPerSector = b.readUInt16LE(11);
  if (![512, 1024, 2048, 4096].includes(bytesPerSector)) return undefined;
  if (ascii(b, 82, 8) === 'FAT32   ') return withLabel('FAT32', labelAt(b, 71, 11, 'latin1'));
  const t = ascii(b, 54, 8);
  if (t === 'FAT12   ' || t === 'FAT16   ') return withLabel(t.trim(), labelAt(b, 43, 11, 'latin1'));
  if (t === 'FAT     ') return withLabel('FAT', labelAt(b, 43, 11, 'latin1'));
  return undefined;
}

/** Identifies the file system whose first bytes are `head` (ideally FS_PROBE_BYTES of them). */
export function identifyFilesystem(head: Buffer): FsSignature | undefined {
  const oem = ascii(head, 3, 8);
  if (oem === 'NTFS    ') return { type: 'NTFS' };
  if (oem === 'EXFAT   ') return { type: 'exFAT' };
  if (oem === '-FVE-FS-') return { type: 'BitLocker' };
  if (ascii(head, 3, 4) === 'ReFS') return { type: 'ReFS' };
  if (ascii(head, 0, 4) === 'XFSB') return withLabel('xfs', labelAt(head, 108, 12));
  if (ascii(head, 0, 6) === 'LUKS\xba\xbe') return { type: 'LUKS' };
  if (ascii(head, 0, 4) === 'hsqs') return { type: 'squashfs' };
  // LVM's label may sit in any of the first four sectors; it is almost always the second.
  for (let s = 0; s < 4; s++) {
    if (ascii(head, s * 512, 8) === 'LABELONE' && ascii(head, s * 512 + 24, 8) === 'LVM2 001') return { type: 'LVM2 PV' };
  }
  const swap = ascii(head, 4096 - 10, 10);
  if (swap === 'SWAPSPACE2' || swap === 'SWAP-SPACE') return withLabel('swap', labelAt(head, 1024 + 28, 16));
  const extFs = ext(head);
  if (extFs) return extFs;
  if (ascii(head, 1024, 2) === 'H+' || ascii(head, 1024, 2) === 'HX') return { type: 'HFS+' };
  if (ascii(head, 32, 4) === 'NXSB') return { type: 'APFS' };
  if (ascii(head, 0x8001, 5) === 'CD001') return withLabel('ISO 9660', labelAt(head, 0x8028, 32, 'latin1'));
  if (ascii(head, 0x10040, 8) === '_BHRfS_M') return withLabel('btrfs', labelAt(head, 0x10000 + 0x12b, 256));
  // FAT last: its only marker is a string any boot sector could contain.
  return fat(head);
}

/** "ext4" or `ext4 "cloudimg-rootfs"`, as `inspect` shows it. */
export function describeFilesystem(fs: FsSignature): string {
  return fs.label === undefined ? fs.type : `${fs.type} "${fs.label}"`;
}

/** Reads the start of [start, start + size) of the disk and identifies its file system. */
export async function readFilesystem(source: DiskSource, start: number, size: number): Promise<FsSignature | undefined> {
  const length = Math.min(FS_PROBE_BYTES, size, source.size - start);
  if (start < 0 || length < 512) return undefined;
  const head = Buffer.alloc(length);
  await source.read(start, length, head);
  return identifyFilesystem(head);
}
