import { randomBytes } from 'node:crypto';
import type { Adapter, Subformat } from '../../../../shared/options';
import { SECTOR } from './constants';

export type ExtentType = 'SPARSE' | 'FLAT' | 'ZERO' | 'VMFS';

export interface DescriptorExtent {
  access: 'RW' | 'RDONLY' | 'NOACCESS';
  sectors: number;
  type: ExtentType;
  /** Relative to the descriptor's folder; absent for ZERO. */
  fileName?: string;
  /** FLAT only: where the data starts in the file, in sectors. */
  offsetSectors?: number;
  /** Where a parsed extent was read: its line number (from 1) and text, for messages. */
  line?: { number: number; text: string };
}

export interface DiskIdentity {
  cid: number;
  uuid: Buffer;
  longContentId: string;
}

export interface DescriptorGeometry {
  cylinders: number;
  heads: number;
  sectors: number;
}

export interface Descriptor {
  createType: Subformat | string;
  cid: number;
  parentCid: number;
  /** A delta disk's parent, as the descriptor names it (relative to the delta's folder, usually). */
  parentFileNameHint?: string;
  extents: DescriptorExtent[];
  /** Every `ddb.*` key, lower-cased keys, unquoted values. */
  ddb: Map<string, string>;
}

/** A fresh content id and UUID for every disk written (never the "no parent" values). */
export function newDiskIdentity(): DiskIdentity {
  let cid: number;
  do cid = randomBytes(4).readUInt32BE(0);
  while (cid === 0xffffffff || cid === 0xfffffffe);
  const uuid = randomBytes(16);
  uuid[6] = (uuid[6]! & 0x0f) | 0x40; // RFC 4122 version 4
  uuid[8] = (uuid[8]! & 0x3f) | 0x80;
  return { cid, uuid, longContentId: randomBytes(12).toString('hex') + hex8(cid) };
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** `ddb.uuid` as VMware writes it: hex pairs separated by spaces, a dash between bytes 8 and 9. */
export function formatDdbUuid(uuid: Buffer): string {
  const pairs = [...uuid].map((b) => b.toString(16).padStart(2, '0'));
  return `${pairs.slice(0, 8).join(' ')}-${pairs.slice(8).join(' ')}`;
}

/** The BIOS geometry VMware computes for an adapter type (docs/vmdk.md#geometry). */
export function vmdkGeometry(sectors: number, adapter: Adapter): DescriptorGeometry {
  if (adapter === 'ide') {
    return { cylinders: Math.max(1, Math.min(16383, Math.floor(sectors / (16 * 63)))), heads: 16, sectors: 63 };
  }
  return { cylinders: Math.max(1, Math.min(65535, Math.floor(sectors / (255 * 63)))), heads: 255, sectors: 63 };
}

export interface RenderDescriptorInput {
  createType: Subformat;
  identity: DiskIdentity;
  extents: DescriptorExtent[];
  adapter: Adapter;
  totalSectors: number;
  hwVersion: number;
}

function extentLine(e: DescriptorExtent): string {
  const base = `${e.access} ${e.sectors} ${e.type}`;
  if (e.type === 'ZERO' || e.fileName === undefined) return base;
  const name = `"${e.fileName}"`;
  return e.type === 'FLAT' ? `${base} ${name} ${e.offsetSectors ?? 0}` : `${base} ${name}`;
}

export function renderDescriptor(d: RenderDescriptorInput): string {
  const g = vmdkGeometry(d.totalSectors, d.adapter);
  return [
    '# Disk DescriptorFile',
    'version=1',
    'encoding="UTF-8"',
    `CID=${hex8(d.identity.cid)}`,
    'parentCID=ffffffff',
    'isNativeSnapshot="no"',
    `createType="${d.createType}"`,
    '',
    '# Extent description',
    ...d.extents.map(extentLine),
    '',
    '# The Disk Data Base',
    '#DDB',
    '',
    `ddb.virtualHWVersion = "${d.hwVersion}"`,
    `ddb.geometry.cylinders = "${g.cylinders}"`,
    `ddb.geometry.heads = "${g.heads}"`,
    `ddb.geometry.sectors = "${g.sectors}"`,
    `ddb.adapterType = "${d.adapter}"`,
    `ddb.uuid = "${formatDdbUuid(d.identity.uuid)}"`,
    `ddb.longContentID = "${d.identity.longContentId}"`,
    'ddb.toolsVersion = "2147483647"',
    '',
  ].join('\n');
}

const EXTENT_RE = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+(SPARSE|FLAT|ZERO|VMFS|VMFSSPARSE|VMFSRDM|VMFSRAW|SESPARSE)(?:\s+"([^"]*)"(?:\s+(\d+))?)?\s*$/i;

/** ESXi-only extent types: snapshot deltas on VMFS, and raw device mappings whose data is on a LUN. */
const ESXI_EXTENTS: Record<string, string> = {
  VMFSSPARSE: 'an ESX vmfsSparse snapshot (delta)',
  SESPARSE: 'an ESXi SEsparse snapshot',
  VMFSRDM: 'a raw device mapping (its data is on a LUN, not in a file)',
  VMFSRAW: 'a raw device mapping (its data is on a LUN, not in a file)',
};

/** What an ESXi-only extent the descriptor lists is, if it lists one (such a disk is valid, just not readable here). */
export function esxiOnlyExtent(text: string): { type: string; what: string } | undefined {
  for (const line of text.split(/\r?\n/)) {
    const type = EXTENT_RE.exec(line.trim())?.[3]?.toUpperCase();
    if (type !== undefined && ESXI_EXTENTS[type] !== undefined) return { type, what: ESXI_EXTENTS[type] };
  }
  return undefined;
}

/** Parses descriptor text; `where` names the file in errors. Returns an error string on failure. */
export function parseDescriptor(text: string): Descriptor | string {
  const extents: DescriptorExtent[] = [];
  const ddb = new Map<string, string>();
  let createType: string | undefined;
  let cid = 0xffffffff;
  let parentCid = 0xffffffff;
  let parentFileNameHint: string | undefined;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const ext = EXTENT_RE.exec(line);
    if (ext) {
      const sectors = Number(ext[2]);
      const type = ext[3]!.toUpperCase();
      if (type !== 'SPARSE' && type !== 'FLAT' && type !== 'ZERO' && type !== 'VMFS') {
        return `line ${n + 1}: extent type ${type} is an ESXi snapshot or device extent, which cannot be read here`;
      }
      if (!Number.isSafeInteger(sectors)) return `line ${n + 1}: extent size out of range`;
      if (type !== 'ZERO' && ext[4] === undefined) return `line ${n + 1}: extent without a file name`;
      if (type === 'FLAT' && ext[5] === undefined) return `line ${n + 1}: FLAT extent without an offset`;
      extents.push({
        access: ext[1]!.toUpperCase() as DescriptorExtent['access'],
        sectors,
        type: type as ExtentType,
        ...(ext[4] !== undefined ? { fileName: ext[4] } : {}),
        ...(ext[5] !== undefined ? { offsetSectors: Number(ext[5]) } : {}),
        line: { number: n + 1, text: line },
      });
      continue;
    }
    const kv = /^([A-Za-z0-9_.]+)\s*=\s*"?([^"]*)"?\s*$/.exec(line);
    if (!kv) return `line ${n + 1}: cannot parse "${line.slice(0, 60)}"`;
    const key = kv[1]!.toLowerCase();
    const value = kv[2]!;
    if (key === 'createtype') createType = value;
    else if (key === 'cid') cid = parseInt(value, 16);
    else if (key === 'parentcid') parentCid = parseInt(value, 16);
    else if (key === 'parentfilenamehint') parentFileNameHint = value;
    else if (key.startsWith('ddb.')) ddb.set(key, value);
  }
  if (!createType) return 'no createType';
  if (extents.length === 0) return 'no extents';
  return { createType, cid, parentCid, ...(parentFileNameHint !== undefined ? { parentFileNameHint } : {}), extents, ddb };
}

/** Sectors of a byte size, for sizes already known to be whole sectors. */
export function sectorsOf(bytes: number): number {
  return bytes / SECTOR;
}
