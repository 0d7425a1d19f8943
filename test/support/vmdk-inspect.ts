// Test-side readers of VMDK structures, written from VMware's "Virtual Disk Format 5.0" (see docs/vmdk.md),
// independent of the engine's reader: header fields, descriptor text, grain
// directory and tables, and the streamOptimized tail.
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';

export const SECTOR = 512;
export const GRAIN_SECTORS = 128;
export const GRAIN = GRAIN_SECTORS * SECTOR;
export const SPLIT_SECTORS = 4192256;
export const KDMV = 0x564d444b;
export const GD_AT_END = 0xffffffffffffffffn;

export interface SparseHeader {
  magic: number;
  version: number;
  flags: number;
  capacity: bigint;
  grainSize: bigint;
  descriptorOffset: bigint;
  descriptorSize: bigint;
  numGTEsPerGT: number;
  rgdOffset: bigint;
  gdOffset: bigint;
  overHead: bigint;
  uncleanShutdown: number;
  newlineChars: number[];
  compressAlgorithm: number;
}

export function readAt(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, b, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return b.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

export function decodeSparseHeader(b: Buffer): SparseHeader {
  return {
    magic: b.readUInt32LE(0),
    version: b.readUInt32LE(4),
    flags: b.readUInt32LE(8),
    capacity: b.readBigUInt64LE(12),
    grainSize: b.readBigUInt64LE(20),
    descriptorOffset: b.readBigUInt64LE(28),
    descriptorSize: b.readBigUInt64LE(36),
    numGTEsPerGT: b.readUInt32LE(44),
    rgdOffset: b.readBigUInt64LE(48),
    gdOffset: b.readBigUInt64LE(56),
    overHead: b.readBigUInt64LE(64),
    uncleanShutdown: b[72]!,
    newlineChars: [b[73]!, b[74]!, b[75]!, b[76]!],
    compressAlgorithm: b.readUInt16LE(77),
  };
}

export function readSparseHeader(path: string, offset = 0): SparseHeader {
  return decodeSparseHeader(readAt(path, offset, SECTOR));
}

export function isSparseFile(path: string): boolean {
  const b = readAt(path, 0, 4);
  return b.length === 4 && b.readUInt32LE(0) === KDMV;
}

/** The descriptor text: the whole file for a text descriptor, else the embedded slot up to its NUL. */
export function descriptorText(path: string): string {
  if (!isSparseFile(path)) return readFileSync(path, 'utf8');
  const h = readSparseHeader(path);
  const raw = readAt(path, Number(h.descriptorOffset) * SECTOR, Number(h.descriptorSize) * SECTOR);
  const nul = raw.indexOf(0);
  return raw.toString('utf8', 0, nul === -1 ? raw.length : nul);
}

export interface ExtentLine {
  access: string;
  sectors: number;
  type: string;
  file?: string;
  offset?: number;
}

export interface ParsedDescriptor {
  lines: string[];
  version?: string;
  cid?: string;
  parentCid?: string;
  createType?: string;
  extents: ExtentLine[];
  /** `ddb.*` keys as written (case kept), values unquoted. */
  ddb: Record<string, string>;
}

export function parseDescriptorText(text: string): ParsedDescriptor {
  const lines = text.split('\n');
  const out: ParsedDescriptor = { lines, extents: [], ddb: {} };
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const ext = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+(\w+)(?:\s+"([^"]*)")?(?:\s+(\d+))?$/.exec(line);
    if (ext) {
      out.extents.push({
        access: ext[1]!,
        sectors: Number(ext[2]),
        type: ext[3]!,
        ...(ext[4] !== undefined ? { file: ext[4] } : {}),
        ...(ext[5] !== undefined ? { offset: Number(ext[5]) } : {}),
      });
      continue;
    }
    const kv = /^([\w.]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) throw new Error(`descriptor line not understood: ${line}`);
    const key = kv[1]!;
    const value = kv[2]!.replace(/^"(.*)"$/, '$1');
    if (key.startsWith('ddb.')) out.ddb[key] = value;
    else if (key === 'version') out.version = value;
    else if (key === 'CID') out.cid = value;
    else if (key === 'parentCID') out.parentCid = value;
    else if (key === 'createType') out.createType = value;
  }
  return out;
}

function u32Table(b: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) out.push(b.readUInt32LE(i));
  return out;
}

export interface GrainMap {
  /** Grain index → sector of the grain (or its stream prefix) in the file. */
  grains: Map<number, number>;
  gdEntries: number;
  /** Sectors of each grain table, as the directory lists them (0 = none). */
  gtSectors: number[];
}

/** Reads positioned ranges of one file through one descriptor. */
function withReader<T>(path: string, fn: (read: (offset: number, length: number) => Buffer) => T): T {
  const fd = openSync(path, 'r');
  try {
    return fn((offset, length) => {
      const b = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, b, done, length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      return b.subarray(0, done);
    });
  } finally {
    closeSync(fd);
  }
}

/** The grain tables a directory at `gdSector` lists, as raw bytes (empty for absent tables). */
export function grainTablesBytes(path: string, h: SparseHeader, gdSector: number): Buffer[] {
  const gtCover = Number(h.grainSize) * h.numGTEsPerGT;
  const gdEntries = Math.ceil(Number(h.capacity) / gtCover);
  return withReader(path, (read) => {
    const gd = u32Table(read(gdSector * SECTOR, gdEntries * 4));
    return gd.map((gt) => (gt === 0 ? Buffer.alloc(0) : read(gt * SECTOR, h.numGTEsPerGT * 4)));
  });
}

/** Walks a grain directory at `gdSector` and its tables. */
export function readGrainMap(path: string, h: SparseHeader, gdSector: number): GrainMap {
  const gtCover = Number(h.grainSize) * h.numGTEsPerGT;
  const gdEntries = Math.ceil(Number(h.capacity) / gtCover);
  const gtSectors = withReader(path, (read) => u32Table(read(gdSector * SECTOR, gdEntries * 4)));
  const grains = new Map<number, number>();
  grainTablesBytes(path, h, gdSector).forEach((gt, i) => {
    u32Table(gt).forEach((sector, j) => {
      if (sector !== 0) grains.set(i * h.numGTEsPerGT + j, sector);
    });
  });
  return { grains, gdEntries, gtSectors };
}

export interface StreamTail {
  footerMarker: { numSectors: bigint; size: number; type: number };
  footer: SparseHeader;
  eosIsZero: boolean;
}

/** The last 1536 bytes of a streamOptimized file: footer marker, footer, end-of-stream marker. */
export function readStreamTail(path: string): StreamTail {
  const size = statSync(path).size;
  const b = readAt(path, size - 3 * SECTOR, 3 * SECTOR);
  return {
    footerMarker: { numSectors: b.readBigUInt64LE(0), size: b.readUInt32LE(8), type: b.readUInt32LE(12) },
    footer: decodeSparseHeader(b.subarray(SECTOR, 2 * SECTOR)),
    eosIsZero: b.subarray(2 * SECTOR).every((x) => x === 0),
  };
}

export interface StreamObject {
  sector: number;
  kind: 'grain' | 'marker';
  /** Grains: the LBA in the prefix; markers: numSectors. */
  value: bigint;
  /** Grains: compressed size; markers: type. */
  sizeOrType: number;
}

/** Walks a streamOptimized body object by object from `overHead` to the end-of-stream marker. */
export function walkStream(path: string, h: SparseHeader): StreamObject[] {
  const size = statSync(path).size;
  const out: StreamObject[] = [];
  let sector = Number(h.overHead);
  while (sector * SECTOR < size) {
    const head = readAt(path, sector * SECTOR, 16);
    const value = head.readBigUInt64LE(0);
    const len = head.readUInt32LE(8);
    if (len !== 0) {
      out.push({ sector, kind: 'grain', value, sizeOrType: len });
      sector += Math.ceil((12 + len) / SECTOR);
      continue;
    }
    const type = head.readUInt32LE(12);
    out.push({ sector, kind: 'marker', value, sizeOrType: type });
    if (type === 0) break;
    sector += 1 + Number(value);
  }
  return out;
}
