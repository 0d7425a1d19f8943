// The metadata region (MS-VHDX §2.6): table, the known system items, and the parent locator.
import { FerryError, corrupt } from '../../errors';
import { guidBytes, guidText } from './guid';
import { MiB } from './headers';
import type { Region } from './region-table';

export const TABLE_SIZE = 64 * 1024;
const MAX_ENTRIES = 2047;
const MAX_ITEM_LENGTH = MiB;
export const MIN_BLOCK_SIZE = MiB;
export const MAX_BLOCK_SIZE = 256 * MiB;
/** 64 TiB, the largest virtual disk the format allows. */
export const MAX_VIRTUAL_SIZE = 64 * 1024 * 1024 * MiB;

export const FILE_PARAMETERS = guidBytes('CAA16737-FA36-4D43-B3B6-33F0AA44E76B');
export const VIRTUAL_DISK_SIZE = guidBytes('2FA54224-CD1B-4876-B211-5DBED83BF4B8');
export const VIRTUAL_DISK_ID = guidBytes('BECA12AB-B2E6-4523-93EF-C309E000C746');
export const LOGICAL_SECTOR_SIZE = guidBytes('8141BF1D-A96F-4709-BA47-F233A8FAAB5F');
export const PHYSICAL_SECTOR_SIZE = guidBytes('CDA348C7-445D-4471-9CC9-E9885251C556');
export const PARENT_LOCATOR = guidBytes('A8D35F2D-B30B-454D-ABF7-D3D84834AB0C');
export const VHDX_PARENT_LOCATOR_TYPE = guidBytes('B04AEFB7-D19E-4A81-B789-25B8E9445913');

export const KNOWN: Array<{ guid: Buffer; name: string; minLength: number }> = [
  { guid: FILE_PARAMETERS, name: 'File Parameters', minLength: 8 },
  { guid: VIRTUAL_DISK_SIZE, name: 'Virtual Disk Size', minLength: 8 },
  { guid: VIRTUAL_DISK_ID, name: 'Virtual Disk ID', minLength: 16 },
  { guid: LOGICAL_SECTOR_SIZE, name: 'Logical Sector Size', minLength: 4 },
  { guid: PHYSICAL_SECTOR_SIZE, name: 'Physical Sector Size', minLength: 4 },
  { guid: PARENT_LOCATOR, name: 'Parent Locator', minLength: 20 },
];

export interface MetadataItem {
  guid: Buffer;
  offset: number;
  length: number;
  isUser: boolean;
  isRequired: boolean;
}

export interface VhdxMetadata {
  blockSize: number;
  leaveBlockAllocated: boolean;
  hasParent: boolean;
  virtualSize: number;
  /** Page 83 data: the virtual disk's identity (shared by a differencing child and its parent). */
  virtualDiskId: Buffer;
  logicalSectorSize: number;
  physicalSectorSize: number;
  /** Key/value pairs of a VHDX parent locator, when the disk has a parent. */
  parentLocator?: Map<string, string>;
}

/** Parses and checks the 64 KiB metadata table; every item lies inside the region. */
export function parseMetadataTable(table: Buffer, path: string, region: Region): MetadataItem[] {
  if (table.toString('latin1', 0, 8) !== 'metadata') throw corrupt(path, `no "metadata" signature at the start of the metadata region (offset ${region.offset}).`);
  const count = table.readUInt16LE(10);
  if (count > MAX_ENTRIES) throw corrupt(path, `the metadata table claims ${count} entries (at most ${MAX_ENTRIES}).`);
  const items: MetadataItem[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const e = 32 + i * 32;
    const guid = Buffer.from(table.subarray(e, e + 16));
    const offset = table.readUInt32LE(e + 16);
    const length = table.readUInt32LE(e + 20);
    const flags = table.readUInt32LE(e + 24);
    const item = { guid, offset, length, isUser: (flags & 1) === 1, isRequired: (flags & 4) === 4 };
    const key = `${guidText(guid)}/${item.isUser}`;
    if (seen.has(key)) throw corrupt(path, `the metadata table lists item {${guidText(guid)}} twice.`);
    seen.add(key);
    if (length > MAX_ITEM_LENGTH) throw corrupt(path, `metadata item {${guidText(guid)}} is ${length} bytes long (at most 1 MiB).`);
    if (length > 0 && (offset < TABLE_SIZE || offset + length > region.length)) {
      throw corrupt(path, `metadata item {${guidText(guid)}} (${length} bytes at offset ${offset} in the region) lies outside the metadata region (${region.length} bytes).`);
    }
    items.push(item);
  }
  return items;
}

export function safeSize(path: string, value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(path, `${what} (${value}) is impossibly large.`);
  return Number(value);
}

/** Parses a parent locator item (MS-VHDX §2.6.2.6) into its key/value pairs. */
export function parseParentLocator(item: Buffer, path: string): Map<string, string> {
  if (item.length < 20) throw corrupt(path, 'the parent locator is too short.');
  if (!item.subarray(0, 16).equals(VHDX_PARENT_LOCATOR_TYPE)) {
    throw new FerryError(
      'E_UNSUPPORTED',
      `${path}: the differencing disk's parent is not a VHDX (parent locator type {${guidText(item)}}).`,
      'Only VHDX parents are defined for VHDX; merge the disk into its parent in Hyper-V first.',
    );
  }
  const count = item.readUInt16LE(18);
  if (20 + count * 12 > item.length) throw corrupt(path, `the parent locator claims ${count} entries but is only ${item.length} bytes long.`);
  const out = new Map<string, string>();
  const text = (offset: number, length: number, what: string): string => {
    if (offset === 0 || length === 0 || offset + length > item.length) throw corrupt(path, `a parent locator ${what} (${length} bytes at offset ${offset}) lies outside the locator.`);
    return item.toString('utf16le', offset, offset + length - (length % 2));
  };
  for (let i = 0; i < count; i++) {
    const e = 20 + i * 12;
    const key = text(item.readUInt32LE(e), item.readUInt16LE(e + 8), 'key');
    const value = text(item.readUInt32LE(e + 4), item.readUInt16LE(e + 10), 'value');
    out.set(key, value);
  }
  return out;
}

