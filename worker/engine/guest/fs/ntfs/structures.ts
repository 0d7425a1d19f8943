// NTFS on-disk structures as pure functions over buffers: the boot sector, update-sequence
// fixups, MFT file records and their attributes, data runs, and index entries. Layouts from the
// Linux-NTFS project's documentation of NTFS ("NTFS Documentation", Richard Russon and Yuval
// Fledel) and Microsoft's public [MS-FSCC]; every field is checked before it is used.
import { fsError, readUIntLE, sub } from '../volume';

export interface NtfsBoot {
  bytesPerSector: number;
  clusterSize: number;
  totalSectors: number;
  mftLcn: number;
  recordSize: number;
  indexBlockSize: number;
}

/** 2^n when the byte is negative (as a signed 8-bit count), else n clusters. */
function sizeField(v: number, clusterSize: number): number {
  const s = v > 127 ? v - 256 : v;
  if (s < 0) return s >= -31 ? 2 ** -s : 0;
  return s * clusterSize;
}

export function parseBoot(b: Buffer): NtfsBoot {
  if (b.length < 512 || b.toString('latin1', 3, 11) !== 'NTFS    ') throw fsError('not an NTFS boot sector');
  const bytesPerSector = b.readUInt16LE(11);
  if (![512, 1024, 2048, 4096].includes(bytesPerSector)) throw fsError(`NTFS boot sector: ${bytesPerSector} bytes per sector`);
  const spc = b[13]!;
  const sectorsPerCluster = spc > 0x80 ? 2 ** (256 - spc) : spc;
  const clusterSize = bytesPerSector * sectorsPerCluster;
  if (sectorsPerCluster === 0 || clusterSize > 2 * 1024 * 1024) throw fsError(`NTFS boot sector: ${sectorsPerCluster} sectors per cluster`);
  const totalSectors = readUIntLE(b, 0x28, 8, 'NTFS total sectors');
  const mftLcn = readUIntLE(b, 0x30, 8, 'NTFS $MFT cluster');
  const recordSize = sizeField(b[0x40]!, clusterSize);
  const indexBlockSize = sizeField(b[0x44]!, clusterSize);
  if (!isPow2(recordSize) || recordSize < 256 || recordSize > 65536) throw fsError(`NTFS boot sector: ${recordSize}-byte MFT records`);
  if (!isPow2(indexBlockSize) || indexBlockSize < 256 || indexBlockSize > 65536) throw fsError(`NTFS boot sector: ${indexBlockSize}-byte index blocks`);
  return { bytesPerSector, clusterSize, totalSectors, mftLcn, recordSize, indexBlockSize };
}

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/**
 * Applies a multi-sector record's update-sequence array in place: the last two bytes of every
 * 512-byte stride hold the sequence number, the array holds what they replace. A mismatch is a
 * torn write.
 */
export function applyFixups(rec: Buffer, magic: string, what: string): void {
  if (rec.toString('latin1', 0, 4) !== magic) throw fsError(`${what}: no "${magic}" signature`);
  const usaOffset = rec.readUInt16LE(4);
  const usaCount = rec.readUInt16LE(6);
  if (usaCount < 1 || usaOffset % 2 !== 0 || usaOffset + usaCount * 2 > rec.length || (usaCount - 1) * 512 > rec.length) {
    throw fsError(`${what}: bad update sequence array (offset ${usaOffset}, count ${usaCount})`);
  }
  const usn = rec.readUInt16LE(usaOffset);
  for (let i = 1; i < usaCount; i++) {
    const end = i * 512 - 2;
    if (rec.readUInt16LE(end) !== usn) throw fsError(`${what}: update sequence mismatch in sector ${i - 1} (a torn write)`);
    rec.writeUInt16LE(rec.readUInt16LE(usaOffset + i * 2), end);
  }
}

export const ATTR = {
  standardInformation: 0x10,
  attributeList: 0x20,
  fileName: 0x30,
  volumeInformation: 0x70,
  data: 0x80,
  indexRoot: 0x90,
  indexAllocation: 0xa0,
  bitmap: 0xb0,
  reparsePoint: 0xc0,
} as const;

export const ATTR_FLAG = { compressed: 0x0001, encrypted: 0x4000, sparse: 0x8000 } as const;

export interface Attribute {
  type: number;
  name: string;
  flags: number;
  id: number;
  /** Resident: the value. */
  value?: Buffer;
  /** Non-resident: the VCN range this extent covers, its runs and the sizes (in the first extent). */
  nonResident?: { startVcn: number; lastVcn: number; runs: Run[]; allocatedSize: number; dataSize: number; initializedSize: number; compressionUnit: number };
}

/** A run of clusters: `lcn` undefined for a sparse run (reads as zeros). */
export interface Run {
  vcn: number;
  lcn: number | undefined;
  length: number;
}

export interface FileRecord {
  number: number;
  inUse: boolean;
  directory: boolean;
  /** The base record when this is an extension record, else 0. */
  baseRecord: number;
  attributes: Attribute[];
}

const MAX_ATTRIBUTES = 512;
const MAX_RUNS = 65536;

/** A signed little-endian integer of 1–8 bytes; NaN when it is past 2^53. */
function signedLE(b: Buffer, at: number, n: number): number {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]!);
  if (b[at + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
  const abs = v < 0n ? -v : v;
  return abs > BigInt(Number.MAX_SAFE_INTEGER) ? NaN : Number(v);
}

/** Decodes a mapping-pairs array into runs, starting at `startVcn`. */
export function decodeRuns(b: Buffer, startVcn: number, what: string): Run[] {
  const runs: Run[] = [];
  let at = 0;
  let vcn = startVcn;
  let lcn = 0;
  while (at < b.length && b[at] !== 0) {
    const header = b[at]!;
    const lenBytes = header & 0x0f;
    const offBytes = header >> 4;
    if (lenBytes === 0 || lenBytes > 8 || offBytes > 8 || at + 1 + lenBytes + offBytes > b.length) throw fsError(`${what}: bad data run header 0x${header.toString(16)}`);
    const length = readUIntLE(b, at + 1, lenBytes, `${what} run length`);
    if (length === 0) throw fsError(`${what}: zero-length data run`);
    let run: Run;
    if (offBytes === 0) run = { vcn, lcn: undefined, length };
    else {
      const delta = signedLE(b, at + 1 + lenBytes, offBytes);
      lcn += delta;
      if (!(lcn >= 0) || !Number.isSafeInteger(lcn)) throw fsError(`${what}: data run before the start of the volume`);
      run = { vcn, lcn, length };
    }
    runs.push(run);
    if (runs.length > MAX_RUNS) throw fsError(`${what}: more than ${MAX_RUNS} data runs`);
    vcn += length;
    if (!Number.isSafeInteger(vcn)) throw fsError(`${what}: data runs out of range`);
    at += 1 + lenBytes + offBytes;
  }
  return runs;
}

/** Parses a fixed-up FILE record. */
export function parseRecord(rec: Buffer, number: number): FileRecord {
  const what = `MFT record ${number}`;
  applyFixups(rec, 'FILE', what);
  const flags = rec.readUInt16LE(22);
  const firstAttr = rec.readUInt16LE(20);
  const used = Math.min(rec.readUInt32LE(24), rec.length);
  const baseRecord = readUIntLE(rec, 32, 6, `${what} base reference`);
  const attributes: Attribute[] = [];
  let at = firstAttr;
  while (true) {
    if (at + 8 > used) throw fsError(`${what}: attributes run past the record`);
    const type = rec.readUInt32LE(at);
    if (type === 0xffffffff) break;
    const length = rec.readUInt32LE(at + 4);
    if (length < 24 || length % 8 !== 0 || at + length > used) throw fsError(`${what}: attribute 0x${type.toString(16)} has length ${length}`);
    attributes.push(parseAttribute(sub(rec, at, length, what), what));
    if (attributes.length > MAX_ATTRIBUTES) throw fsError(`${what}: too many attributes`);
    at += length;
  }
  return { number, inUse: (flags & 1) !== 0, directory: (flags & 2) !== 0, baseRecord, attributes };
}

function parseAttribute(a: Buffer, what: string): Attribute {
  const type = a.readUInt32LE(0);
  const nonResident = a[8]!;
  const nameLength = a[9]!;
  const nameOffset = a.readUInt16LE(10);
  const flags = a.readUInt16LE(12);
  const id = a.readUInt16LE(14);
  const name = nameLength ? sub(a, nameOffset, nameLength * 2, `${what} attribute name`).toString('utf16le') : '';
  const tag = `${what} attribute 0x${type.toString(16)}`;
  if (nonResident === 0) {
    const valueLength = a.readUInt32LE(16);
    const valueOffset = a.readUInt16LE(20);
    return { type, name, flags, id, value: sub(a, valueOffset, valueLength, tag) };
  }
  if (a.length < 64) throw fsError(`${tag}: non-resident header too short`);
  const startVcn = readUIntLE(a, 16, 8, tag);
  const lastVcn = a.readBigInt64LE(24) < 0n ? startVcn - 1 : readUIntLE(a, 24, 8, tag);
  const runsOffset = a.readUInt16LE(32);
  const compressionUnit = a.readUInt16LE(34);
  const allocatedSize = readUIntLE(a, 40, 8, tag);
  const dataSize = readUIntLE(a, 48, 8, tag);
  const initializedSize = readUIntLE(a, 56, 8, tag);
  if (runsOffset > a.length) throw fsError(`${tag}: data runs outside the attribute`);
  const runs = decodeRuns(a.subarray(runsOffset), startVcn, tag);
  return { type, name, flags, id, nonResident: { startVcn, lastVcn, runs, allocatedSize, dataSize, initializedSize, compressionUnit } };
}

export interface AttrListEntry {
  type: number;
  name: string;
  startVcn: number;
  record: number;
  id: number;
}

export function parseAttributeList(b: Buffer, what: string): AttrListEntry[] {
  const out: AttrListEntry[] = [];
  let at = 0;
  while (at + 26 <= b.length) {
    const length = b.readUInt16LE(at + 4);
    if (length < 26 || at + length > b.length) throw fsError(`${what}: attribute list entry of length ${length}`);
    const nameLength = b[at + 6]!;
    const nameOffset = b[at + 7]!;
    const name = nameLength ? sub(b, at + nameOffset, nameLength * 2, what).toString('utf16le') : '';
    out.push({ type: b.readUInt32LE(at), name, startVcn: readUIntLE(b, at + 8, 8, what), record: readUIntLE(b, at + 16, 6, what), id: b.readUInt16LE(at + 24) });
    if (out.length > MAX_ATTRIBUTES * 8) throw fsError(`${what}: attribute list too long`);
    at += length;
  }
  return out;
}

export interface IndexEntry {
  record: number;
  /** The FILE_NAME key's name and namespace (2 = DOS 8.3 only). */
  name: string;
  namespace: number;
  /** The VCN of the child index block, when the entry has one. */
  child: number | undefined;
  last: boolean;
}

export interface IndexNode {
  entries: IndexEntry[];
}

/** Parses the entries of an index node header at `at` of `b` (an $INDEX_ROOT value or an INDX block). */
export function parseIndexNode(b: Buffer, at: number, what: string): IndexNode {
  const entriesOffset = readUIntLE(b, at, 4, what);
  const totalSize = readUIntLE(b, at + 4, 4, what);
  const end = Math.min(at + totalSize, b.length);
  const entries: IndexEntry[] = [];
  let p = at + entriesOffset;
  while (true) {
    if (p + 16 > end) throw fsError(`${what}: index entries run past the node`);
    const length = b.readUInt16LE(p + 8);
    const keyLength = b.readUInt16LE(p + 10);
    const flags = b.readUInt16LE(p + 12);
    if (length < 16 || length % 8 !== 0 || p + length > end) throw fsError(`${what}: index entry of length ${length}`);
    const hasChild = (flags & 1) !== 0;
    const last = (flags & 2) !== 0;
    const child = hasChild ? readUIntLE(b, p + length - 8, 8, what) : undefined;
    let name = '';
    let namespace = 0;
    if (!last) {
      if (keyLength < 66 || 16 + keyLength > length) throw fsError(`${what}: index key of length ${keyLength}`);
      const nameLen = b[p + 16 + 64]!;
      namespace = b[p + 16 + 65]!;
      name = sub(b, p + 16 + 66, nameLen * 2, what).toString('utf16le');
    }
    entries.push({ record: last ? 0 : readUIntLE(b, p, 6, what), name, namespace, child, last });
    if (last) break;
    if (entries.length > 8192) throw fsError(`${what}: too many index entries`);
    p += length;
  }
  return { entries };
}
