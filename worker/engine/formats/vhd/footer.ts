import type { Geometry } from '../../../../shared/disk-info';
import { vhdChecksum } from './checksum';

export const VHD_COOKIE = 'conectix';
export const VHD_FOOTER_SIZE = 512;

export const VhdDiskType = { fixed: 2, dynamic: 3, differencing: 4 } as const;

/** The hard disk footer (docs/vhd.md#footer). All fields big-endian. */
export interface VhdFooter {
  features: number;
  formatVersion: number;
  /** Offset of the dynamic header; all ones (32 or 64 bits) for fixed disks. */
  dataOffset: bigint;
  /** Seconds since 2000-01-01 UTC. */
  timestamp: number;
  creatorApp: string;
  creatorVersion: number;
  creatorHostOs: string;
  originalSize: bigint;
  currentSize: bigint;
  geometry: Geometry;
  diskType: number;
  checksum: number;
  checksumValid: boolean;
  uniqueId: Buffer;
  savedState: boolean;
}

export function hasVhdCookie(buf: Buffer, at = 0): boolean {
  return buf.length >= at + 8 && buf.toString('latin1', at, at + 8) === VHD_COOKIE;
}

/**
 * Parses a footer from `raw`, which holds 512 bytes (or the 511 of a pre-2004 Virtual PC
 * image: the missing byte is the last reserved one, so it is counted as zero).
 */
export function parseVhdFooter(raw: Buffer): VhdFooter {
  const buf = raw.length >= VHD_FOOTER_SIZE ? raw.subarray(0, VHD_FOOTER_SIZE) : Buffer.concat([raw, Buffer.alloc(VHD_FOOTER_SIZE - raw.length)]);
  const checksum = buf.readUInt32BE(64);
  return {
    features: buf.readUInt32BE(8),
    formatVersion: buf.readUInt32BE(12),
    dataOffset: buf.readBigUInt64BE(16),
    timestamp: buf.readUInt32BE(24),
    creatorApp: buf.toString('latin1', 28, 32),
    creatorVersion: buf.readUInt32BE(32),
    creatorHostOs: buf.toString('latin1', 36, 40),
    originalSize: buf.readBigUInt64BE(40),
    currentSize: buf.readBigUInt64BE(48),
    geometry: { cylinders: buf.readUInt16BE(56), heads: buf.readUInt8(58), sectorsPerTrack: buf.readUInt8(59) },
    diskType: buf.readUInt32BE(60),
    checksum,
    checksumValid: vhdChecksum(buf, 64) === checksum,
    uniqueId: Buffer.from(buf.subarray(68, 84)),
    savedState: buf.readUInt8(84) !== 0,
  };
}

const CREATOR_NAMES: Record<string, string> = {
  'vpc ': 'Microsoft Virtual PC',
  'vs  ': 'Microsoft Virtual Server',
  'win ': 'Windows / Hyper-V',
  qemu: 'QEMU',
  qem2: 'QEMU (exact size)',
  'd2v ': 'Disk2vhd',
  'tap\0': 'XenServer',
  CTXS: 'Citrix XenConverter',
  'wa\0\0': 'Microsoft Azure',
  vbox: 'VirtualBox',
  'xo  ': 'Xen Orchestra',
};

export function creatorAppName(tag: string): string | undefined {
  return CREATOR_NAMES[tag];
}

export function printableTag(tag: string): string {
  return tag.replace(/\0/g, '').trim();
}

export function hostOsName(tag: string): string {
  if (tag === 'Wi2k') return 'Windows';
  if (tag === 'Mac ') return 'Macintosh';
  return printableTag(tag) || 'unknown';
}

export function formatVersion(v: number): string {
  return `${v >>> 16}.${v & 0xffff}`;
}

/** A GUID stored as 16 bytes in order, in the usual 8-4-4-4-12 text form. */
export function uuidText(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
