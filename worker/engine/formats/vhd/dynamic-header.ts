import { formatBytesIec as formatBytes } from '../../../../shared/bytes';
import { vhdChecksum } from './checksum';
import { notice, type Notice } from '../../../../shared/notices';

export const VHD_DYNAMIC_COOKIE = 'cxsparse';
export const VHD_DYNAMIC_HEADER_SIZE = 1024;
const PARENT_LOCATOR_COUNT = 8;

/** Platform codes of parent locator entries (docs/vhd.md#parent-locators). */
export const LocatorCode = {
  none: 0,
  Wi2r: 0x57693272,
  Wi2k: 0x5769326b,
  W2ru: 0x57327275,
  W2ku: 0x57326b75,
  Mac: 0x4d616320,
  MacX: 0x4d616358,
} as const;

export interface ParentLocatorEntry {
  code: number;
  dataSpace: number;
  dataLength: number;
  dataOffset: bigint;
}

/** The dynamic disk header (docs/vhd.md#dynamic-header). All fields big-endian. */
export interface VhdDynamicHeader {
  tableOffset: bigint;
  headerVersion: number;
  maxTableEntries: number;
  blockSize: number;
  checksum: number;
  checksumValid: boolean;
  parentUniqueId: Buffer;
  parentTimestamp: number;
  /** Stored UTF-16 big-endian, NUL padded. */
  parentName: string;
  locators: ParentLocatorEntry[];
}

export function parseVhdDynamicHeader(buf: Buffer): VhdDynamicHeader {
  const checksum = buf.readUInt32BE(36);
  const locators: ParentLocatorEntry[] = [];
  for (let i = 0; i < PARENT_LOCATOR_COUNT; i++) {
    const at = 576 + i * 24;
    locators.push({
      code: buf.readUInt32BE(at),
      dataSpace: buf.readUInt32BE(at + 4),
      dataLength: buf.readUInt32BE(at + 8),
      dataOffset: buf.readBigUInt64BE(at + 16),
    });
  }
  return {
    tableOffset: buf.readBigUInt64BE(16),
    headerVersion: buf.readUInt32BE(24),
    maxTableEntries: buf.readUInt32BE(28),
    blockSize: buf.readUInt32BE(32),
    checksum,
    checksumValid: vhdChecksum(buf.subarray(0, VHD_DYNAMIC_HEADER_SIZE), 36) === checksum,
    parentUniqueId: Buffer.from(buf.subarray(40, 56)),
    parentTimestamp: buf.readUInt32BE(56),
    parentName: decodeUtf16(buf.subarray(64, 576), 'be'),
    locators,
  };
}

/** Decodes UTF-16 text up to the first NUL. */
export function decodeUtf16(bytes: Buffer, order: 'le' | 'be'): string {
  const even = bytes.subarray(0, bytes.length & ~1);
  const le = order === 'le' ? Buffer.from(even) : Buffer.from(even).swap16();
  const text = le.toString('utf16le');
  const nul = text.indexOf('\0');
  return nul === -1 ? text : text.slice(0, nul);
}

/**
 * Locator payloads are UTF-16 of unstated byte order: Windows writes little-endian, some tools
 * big-endian. For path text the high bytes are mostly zero, which tells the order.
 */
export function decodeUtf16Guess(bytes: Buffer): string {
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    if (bytes[i] === 0) zeroEven++;
    if (bytes[i + 1] === 0) zeroOdd++;
  }
  return decodeUtf16(bytes, zeroEven > zeroOdd ? 'be' : 'le');
}

const ENTRIES_PER_SECTOR = 512 / 4;
/**
 * Xen's vhd-util (creator "tap") can size the table for a larger disk than it makes, so the disk
 * can grow in place (`vhd-util create -S`); XenServer reserves room for 2 TiB that way.
 */
const XEN_RESERVED_COVERAGE = 2 ** 41;

/**
 * A warning when the header's Max Table Entries is far more than a `diskBytes` disk needs.
 * Hyper-V, Virtual PC, Disk2vhd, VirtualBox and qemu all write exactly ceil(size / block size),
 * so a table that fills its last sector, or is up to twice what is needed, is let pass; more is
 * a damaged or hand-made header (Xen's reserved room aside). Only the needed entries are read.
 */
export function oversizedTableWarning(header: VhdDynamicHeader, diskBytes: number, creatorApp: string, headerPos: number): Notice | undefined {
  const needed = Math.ceil(diskBytes / header.blockSize);
  const entries = header.maxTableEntries;
  if (entries <= Math.max(Math.ceil(needed / ENTRIES_PER_SECTOR) * ENTRIES_PER_SECTOR, 2 * needed)) return undefined;
  const covers = entries * header.blockSize;
  if (creatorApp.startsWith('tap') && covers <= XEN_RESERVED_COVERAGE) return undefined;
  return notice('vhd-table-oversized', { offset: headerPos + 28, entries, covers: formatBytes(covers), needed, size: formatBytes(diskBytes) });
}
