// The region table (MS-VHDX §2.2.3): where the BAT and the metadata region are.
import { FerryError, corrupt } from '../../errors';
import { crc32cWithZeroedField } from '../../io/crc32c';
import { guidBytes, guidText } from './guid';
import { HEADER_SECTION_SIZE, MiB } from './headers';
import { notice, type Notice } from '../../notices';

export const REGION_TABLE_OFFSETS = [192 * 1024, 256 * 1024] as const;
export const REGION_TABLE_SIZE = 64 * 1024;
const MAX_ENTRIES = 2047;
const ENTRY_SIZE = 32;

export const BAT_REGION = guidBytes('2DC27766-F623-4200-9D64-115E9BFD4A08');
export const METADATA_REGION = guidBytes('8B7CA206-4790-4B9A-B8FE-575F050F886E');

export interface Region {
  offset: number;
  length: number;
}

export interface RegionTable {
  bat: Region;
  metadata: Region;
}

export type TableCheck = { ok: true; buf: Buffer } | { ok: false; reason: Notice };

export function checkTable(buf: Buffer): TableCheck {
  if (buf.toString('latin1', 0, 4) !== 'regi') return { ok: false, reason: notice('vhdx-no-signature', { signature: 'regi' }) };
  const stored = buf.readUInt32LE(4);
  const computed = crc32cWithZeroedField(buf, 4);
  if (stored !== computed) return { ok: false, reason: notice('vhdx-bad-checksum', { stored: stored.toString(16), computed: computed.toString(16) }) };
  return { ok: true, buf };
}

function overlaps(a: Region, b: Region): boolean {
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

/**
 * Parses a checked table. Every offset is validated against the file before anything is read
 * from it; `log` (if any) must not be overlapped.
 */
export function parseRegionTable(buf: Buffer, path: string, at: number, fileSize: number, log: Region | undefined): RegionTable {
  const count = buf.readUInt32LE(8);
  if (count > MAX_ENTRIES) throw corrupt(path, `the region table at offset ${at} claims ${count} entries (at most ${MAX_ENTRIES}).`);
  const seen = new Set<string>();
  let bat: Region | undefined;
  let metadata: Region | undefined;
  const regions: Array<Region & { name: string }> = [];
  for (let i = 0; i < count; i++) {
    const e = 16 + i * ENTRY_SIZE;
    const guid = buf.subarray(e, e + 16);
    const name = guidText(guid);
    const offset = buf.readBigUInt64LE(e + 16);
    const length = buf.readUInt32LE(e + 24);
    const required = (buf.readUInt32LE(e + 28) & 1) === 1;
    if (seen.has(name)) throw corrupt(path, `the region table at offset ${at} lists region ${name} twice.`);
    seen.add(name);
    const isBat = guid.equals(BAT_REGION);
    const isMeta = guid.equals(METADATA_REGION);
    if (!isBat && !isMeta) {
      if (required) {
        throw new FerryError(
          'E_UNSUPPORTED',
          `${path}: the VHDX requires a region Ferry does not know ({${name}}), so it cannot be read safely.`,
          'The disk may use a newer VHDX feature; convert it with Hyper-V (Convert-VHD) to a plain VHDX or VHD first.',
        );
      }
      continue;
    }
    const what = isBat ? 'BAT region' : 'metadata region';
    if (offset % BigInt(MiB) !== 0n || offset < BigInt(HEADER_SECTION_SIZE) || length === 0 || length % MiB !== 0) {
      throw corrupt(path, `the ${what} (${length} bytes at offset ${offset}) is not a whole number of MiB at a MiB boundary after the header section.`);
    }
    if (offset + BigInt(length) > BigInt(fileSize)) {
      throw corrupt(path, `the ${what} (${length} bytes at offset ${offset}) extends beyond the end of the file (${fileSize} bytes).`);
    }
    const region = { offset: Number(offset), length };
    regions.push({ ...region, name: what });
    if (isBat) bat = region;
    else metadata = region;
  }
  if (!bat || !metadata) throw corrupt(path, `the region table at offset ${at} has no ${bat ? 'metadata region' : 'BAT region'}.`);
  const all = log ? [...regions, { ...log, name: 'log' }] : regions;
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      if (overlaps(all[i]!, all[j]!)) throw corrupt(path, `the ${all[i]!.name} and the ${all[j]!.name} overlap.`);
    }
  }
  return { bat, metadata };
}

