// A small, test-only VHD writer, written from Microsoft's VHD specification (summarised in docs/vhd.md),
// independent of the engine: it shares no code with worker/. It makes the shapes qemu-img cannot
// (differencing chains, locators of every kind, 511-byte footers, creator quirks, bad checksums)
// and says what the guest-visible disk holds, so tests compare against truth.
//
// Contents are described as `Piece`s (offset + bytes, later pieces win) so a large, mostly empty
// disk never needs a buffer of its full size.
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

export const SECTOR = 512;
export const MiB = 1024 * 1024;
export const KiB = 1024;
export const GiB = 1024 * 1024 * 1024;

/** Bytes of the guest-visible disk placed at `offset`. */
export interface Piece {
  offset: number;
  data: Buffer;
}

export interface Geometry {
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
}

export const DiskType = { fixed: 2, dynamic: 3, differencing: 4 } as const;

/** The VHD specification's CHS algorithm (appendix "CHS calculation"); every division truncates. */
export function chsForSectors(totalSectors: number): Geometry {
  const ts = Math.min(totalSectors, 65535 * 16 * 255);
  let sectorsPerTrack: number;
  let heads: number;
  let cylinderTimesHeads: number;
  if (ts >= 65535 * 16 * 63) {
    sectorsPerTrack = 255;
    heads = 16;
    cylinderTimesHeads = Math.floor(ts / sectorsPerTrack);
  } else {
    sectorsPerTrack = 17;
    cylinderTimesHeads = Math.floor(ts / sectorsPerTrack);
    heads = Math.floor((cylinderTimesHeads + 1023) / 1024);
    if (heads < 4) heads = 4;
    if (cylinderTimesHeads >= heads * 1024 || heads > 16) {
      sectorsPerTrack = 31;
      heads = 16;
      cylinderTimesHeads = Math.floor(ts / sectorsPerTrack);
    }
    if (cylinderTimesHeads >= heads * 1024) {
      sectorsPerTrack = 63;
      heads = 16;
      cylinderTimesHeads = Math.floor(ts / sectorsPerTrack);
    }
  }
  return { cylinders: Math.floor(cylinderTimesHeads / heads), heads, sectorsPerTrack };
}

export function chsBytes(g: Geometry): number {
  return g.cylinders * g.heads * g.sectorsPerTrack * SECTOR;
}

/** The smallest size ≥ `bytes` that CHS expresses exactly, the way qemu and Virtual PC size disks. */
export function roundUpToChs(bytes: number): { size: number; geometry: Geometry } {
  const wanted = Math.ceil(bytes / SECTOR);
  for (let extra = 0; ; extra++) {
    const g = chsForSectors(wanted + extra);
    if (chsBytes(g) >= wanted * SECTOR) return { size: chsBytes(g), geometry: g };
  }
}

/** One's complement of the byte sum, the checksum field counted as zero (footer and header alike). */
export function vhdChecksum(buf: Buffer, fieldOffset: number): number {
  let sum = 0;
  for (let i = 0; i < buf.length; i++) {
    if (i >= fieldOffset && i < fieldOffset + 4) continue;
    sum = (sum + buf[i]!) >>> 0;
  }
  return ~sum >>> 0;
}

/** Seconds since 2000-01-01T00:00:00Z. */
export function vhdTimestamp(date = new Date()): number {
  return Math.floor(date.getTime() / 1000) - 946684800;
}

export function newUuid(): Buffer {
  return randomBytes(16);
}

export function uuidString(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Fields every VHD footer carries; anything left out gets the value Hyper-V would write. */
export interface CommonOptions {
  /** Four characters; default `win ` (Hyper-V), whose size rule is "current size" everywhere. */
  creatorApp?: string;
  creatorVersion?: number;
  /** `Wi2k` or `Mac `. */
  creatorHost?: string;
  uuid?: Buffer;
  savedState?: boolean;
  timestamp?: number;
  /** The footer's current-size field; defaults to the disk size. */
  currentSize?: number;
  originalSize?: number;
  /** The footer's CHS; defaults to the spec's geometry for `currentSize`. */
  geometry?: Geometry;
}

export interface FooterFields extends CommonOptions {
  diskType: number;
  currentSize: number;
  dataOffset: bigint;
}

export function encodeFooter(f: FooterFields): Buffer {
  const b = Buffer.alloc(SECTOR);
  b.write('conectix', 0, 'latin1');
  b.writeUInt32BE(2, 8); // features: the reserved bit is always set
  b.writeUInt32BE(0x00010000, 12);
  b.writeBigUInt64BE(f.dataOffset, 16);
  b.writeUInt32BE(f.timestamp ?? vhdTimestamp(), 24);
  b.write((f.creatorApp ?? 'win ').padEnd(4, ' ').slice(0, 4), 28, 'latin1');
  b.writeUInt32BE(f.creatorVersion ?? 0x000a0000, 32);
  b.write((f.creatorHost ?? 'Wi2k').slice(0, 4), 36, 'latin1');
  b.writeBigUInt64BE(BigInt(f.originalSize ?? f.currentSize), 40);
  b.writeBigUInt64BE(BigInt(f.currentSize), 48);
  const g = f.geometry ?? chsForSectors(Math.floor(f.currentSize / SECTOR));
  b.writeUInt16BE(g.cylinders, 56);
  b.writeUInt8(g.heads, 58);
  b.writeUInt8(g.sectorsPerTrack, 59);
  b.writeUInt32BE(f.diskType, 60);
  (f.uuid ?? newUuid()).copy(b, 68, 0, 16);
  b.writeUInt8(f.savedState ? 1 : 0, 84);
  b.writeUInt32BE(vhdChecksum(b, 64), 64);
  return b;
}

/** Flips checksum bits so the structure no longer matches its checksum. */
function spoil(buf: Buffer, fieldOffset: number): void {
  buf.writeUInt32BE((buf.readUInt32BE(fieldOffset) ^ 0x00ff00ff) >>> 0, fieldOffset);
}

// ---------------------------------------------------------------------------------------------
// Raw truth

/** Writes the guest-visible disk as a (sparse) raw file: zeros, then the pieces in order. */
export function writeRaw(path: string, size: number, pieces: Piece[]): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
    for (const p of pieces) {
      const len = Math.min(p.data.length, size - p.offset);
      if (len > 0) writeSync(fd, p.data, 0, len, p.offset);
    }
  } finally {
    closeSync(fd);
  }
}

/** The guest-visible disk in memory (small disks only). */
export function rawBytes(size: number, pieces: Piece[]): Buffer {
  const out = Buffer.alloc(size);
  for (const p of pieces) if (p.offset < size) p.data.copy(out, p.offset, 0, Math.min(p.data.length, size - p.offset));
  return out;
}

/** Indexes of the 64 KiB grains of a `size`-byte disk that hold anything but zeros. */
export function nonZeroGrains(size: number, pieces: Piece[], grain = 64 * KiB): Set<number> {
  const touched = new Set<number>();
  for (const p of pieces) {
    const end = Math.min(size, p.offset + p.data.length);
    for (let g = Math.floor(p.offset / grain); g * grain < end; g++) touched.add(g);
  }
  const out = new Set<number>();
  for (const g of touched) {
    const start = g * grain;
    const len = Math.min(grain, size - start);
    const bytes = rawBytesWindow(start, len, pieces);
    if (bytes.some((b) => b !== 0)) out.add(g);
  }
  return out;
}

function rawBytesWindow(start: number, len: number, pieces: Piece[]): Buffer {
  const out = Buffer.alloc(len);
  for (const p of pieces) {
    const from = Math.max(start, p.offset);
    const to = Math.min(start + len, p.offset + p.data.length);
    if (from < to) p.data.copy(out, from - start, from - p.offset, to - p.offset);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fixed disks

export interface FixedOptions extends CommonOptions {
  /** Bytes of data before the footer (the guest-visible disk unless the footer says otherwise). */
  size: number;
  pieces?: Piece[];
  /** 511: the footer of Virtual PC before 2004 (the last reserved byte missing). */
  footerLength?: 512 | 511;
  corruptFooterChecksum?: boolean;
}

export interface WrittenVhd {
  path: string;
  uuid: Buffer;
  /** The footer's current size field. */
  currentSize: number;
  geometry: Geometry;
  fileSize: number;
}

export function writeFixedVhd(path: string, o: FixedOptions): WrittenVhd {
  const uuid = o.uuid ?? newUuid();
  const currentSize = o.currentSize ?? o.size;
  const geometry = o.geometry ?? chsForSectors(Math.floor(currentSize / SECTOR));
  const footer = encodeFooter({ ...o, uuid, currentSize, geometry, diskType: DiskType.fixed, dataOffset: 0xffffffffffffffffn });
  if (o.corruptFooterChecksum) spoil(footer, 64);
  const footerLength = o.footerLength ?? 512;
  if (footerLength === 511 && footer[511] !== 0) throw new Error('a 511-byte footer needs its last byte to be zero');
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, o.size);
    for (const p of o.pieces ?? []) {
      const len = Math.min(p.data.length, o.size - p.offset);
      if (len > 0) writeSync(fd, p.data, 0, len, p.offset);
    }
    writeSync(fd, footer, 0, footerLength, o.size);
  } finally {
    closeSync(fd);
  }
  return { path, uuid, currentSize, geometry, fileSize: o.size + footerLength };
}

// ---------------------------------------------------------------------------------------------
// Dynamic and differencing disks

export type LocatorKind = 'W2ru' | 'W2ku' | 'MacX' | 'Wi2r' | 'Wi2k';

export const LOCATOR_CODES: Record<LocatorKind, number> = {
  Wi2r: 0x57693272,
  Wi2k: 0x5769326b,
  W2ru: 0x57327275,
  W2ku: 0x57326b75,
  MacX: 0x4d616358,
};

export interface LocatorSpec {
  kind: LocatorKind;
  /** The path (W2ru relative, W2ku absolute, Wi2* ANSI) or `file://` URL (MacX). */
  text: string;
  /** Units of the "platform data space" field: the spec says sectors, some writers store bytes. */
  spaceUnit?: 'sectors' | 'bytes';
  /** W2ru/W2ku payload byte order: little-endian as Windows and VirtualBox write it. */
  utf16?: 'le' | 'be';
}

function locatorPayload(l: LocatorSpec): Buffer {
  switch (l.kind) {
    case 'W2ru':
    case 'W2ku': {
      const le = Buffer.from(l.text, 'utf16le');
      return l.utf16 === 'be' ? le.swap16() : le;
    }
    case 'MacX':
      return Buffer.from(l.text, 'utf8');
    case 'Wi2r':
    case 'Wi2k':
      return Buffer.from(l.text, 'latin1');
  }
}

export interface DynamicOptions extends CommonOptions {
  /** The disk size: the footer's current size unless `currentSize` says otherwise. */
  size: number;
  /** Bytes of data per block (a power of two times 512); default 2 MiB. */
  blockSize?: number;
  /** The bytes the BAT must cover; default the larger of the current size and the CHS size. */
  coverage?: number;
  pieces?: Piece[];
  /** Physical order of the allocated blocks in the file (the BAT maps them either way). */
  blockOrder?: 'ascending' | 'descending' | 'shuffled';
  /** Blocks to allocate even though no piece touches them (their data stays zero). */
  extraBlocks?: number[];
  /** Where the BAT goes (sector aligned, ≥ 1536); default 1536, right after the header. */
  tableOffset?: number;
  /** Extra BAT entries beyond those the disk needs (all unallocated), as some writers leave. */
  spareTableEntries?: number;
  corrupt?: { eofFooterChecksum?: boolean; copyFooterChecksum?: boolean; headerChecksum?: boolean; dropEofFooter?: boolean };
}

export interface DifferencingOptions extends DynamicOptions {
  parentUuid: Buffer;
  parentTimestamp?: number;
  /** Stored UTF-16 big-endian in the header; default none. */
  parentName?: string;
  locators?: LocatorSpec[];
  /**
   * Child pieces must be whole sectors: the bitmap says, sector by sector, which ones the child
   * holds. Sectors of an allocated child block that no piece covers are filled with `unsetFill`
   * (garbage the reader must not see; the parent's bytes show there).
   */
  unsetFill?: number;
}

export interface WrittenDynamic extends WrittenVhd {
  blockSize: number;
  tableOffset: number;
  /** Block index → file offset of its sector bitmap. */
  blocks: Map<number, number>;
  bitmapSize: number;
}

interface BlockPlan {
  index: number;
  data: Buffer;
  bitmap: Buffer;
}

function planBlocks(o: DynamicOptions, blockSize: number, entries: number, differencing: boolean, fill: number): BlockPlan[] {
  const spb = blockSize / SECTOR;
  const bitmapSize = Math.ceil(spb / 8 / SECTOR) * SECTOR;
  const blocks = new Map<number, BlockPlan>();
  const get = (index: number): BlockPlan => {
    let b = blocks.get(index);
    if (!b) {
      b = { index, data: Buffer.alloc(blockSize, differencing ? fill : 0), bitmap: Buffer.alloc(bitmapSize) };
      if (!differencing) b.bitmap.fill(0xff, 0, Math.ceil(spb / 8));
      blocks.set(index, b);
    }
    return b;
  };
  for (const p of o.pieces ?? []) {
    if (differencing && (p.offset % SECTOR !== 0 || p.data.length % SECTOR !== 0)) {
      throw new Error('differencing pieces must be whole sectors');
    }
    let at = p.offset;
    const end = p.offset + p.data.length;
    while (at < end) {
      const index = Math.floor(at / blockSize);
      if (index >= entries) throw new Error(`piece at ${p.offset} lies beyond the BAT`);
      const stop = Math.min(end, (index + 1) * blockSize);
      const b = get(index);
      p.data.copy(b.data, at - index * blockSize, at - p.offset, stop - p.offset);
      if (differencing) {
        for (let s = (at - index * blockSize) / SECTOR; s < (stop - index * blockSize) / SECTOR; s++) b.bitmap[s >> 3]! |= 0x80 >> (s & 7);
      }
      at = stop;
    }
  }
  for (const index of o.extraBlocks ?? []) get(index);
  const list = [...blocks.values()].sort((a, b) => a.index - b.index);
  if (o.blockOrder === 'descending') list.reverse();
  if (o.blockOrder === 'shuffled') {
    // Deterministic shuffle: the same input makes the same file.
    let seed = 12345;
    for (let i = list.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const j = seed % (i + 1);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
  }
  return list;
}

function writeBlockImage(path: string, o: DynamicOptions, diskType: number, header: (h: Buffer) => void, locators: LocatorSpec[], fill: number): WrittenDynamic {
  const uuid = o.uuid ?? newUuid();
  const currentSize = o.currentSize ?? o.size;
  const geometry = o.geometry ?? chsForSectors(Math.floor(currentSize / SECTOR));
  const blockSize = o.blockSize ?? 2 * MiB;
  if (blockSize < SECTOR || (blockSize & (blockSize - 1)) !== 0) throw new Error('block size must be a power of two ≥ 512');
  const coverage = o.coverage ?? Math.max(currentSize, chsBytes(geometry));
  const needed = Math.ceil(coverage / blockSize);
  const entries = needed + (o.spareTableEntries ?? 0);
  const tableOffset = o.tableOffset ?? 1536;
  if (tableOffset % SECTOR !== 0 || tableOffset < 1536) throw new Error('tableOffset must be sector aligned and after the header');
  const batBytes = Math.ceil((entries * 4) / SECTOR) * SECTOR;
  const differencing = diskType === DiskType.differencing;
  const blocks = planBlocks(o, blockSize, needed, differencing, fill);
  const bitmapSize = Math.ceil(blockSize / SECTOR / 8 / SECTOR) * SECTOR;

  // Locator payloads follow the BAT, each in whole sectors.
  let at = tableOffset + batBytes;
  const locatorEntries = Buffer.alloc(8 * 24);
  const locatorData: Array<{ at: number; bytes: Buffer }> = [];
  locators.forEach((l, i) => {
    if (i >= 8) throw new Error('at most 8 locators');
    const bytes = locatorPayload(l);
    const space = Math.max(SECTOR, Math.ceil(bytes.length / SECTOR) * SECTOR);
    const e = locatorEntries.subarray(i * 24, i * 24 + 24);
    e.writeUInt32BE(LOCATOR_CODES[l.kind], 0);
    e.writeUInt32BE(l.spaceUnit === 'bytes' ? space : space / SECTOR, 4);
    e.writeUInt32BE(bytes.length, 8);
    e.writeBigUInt64BE(BigInt(at), 16);
    locatorData.push({ at, bytes });
    at += space;
  });

  const bat = Buffer.alloc(batBytes, 0xff);
  const placed = new Map<number, number>();
  for (const b of blocks) {
    bat.writeUInt32BE(at / SECTOR, b.index * 4);
    placed.set(b.index, at);
    at += bitmapSize + blockSize;
  }
  const footerAt = at;

  const h = Buffer.alloc(1024);
  h.write('cxsparse', 0, 'latin1');
  h.writeBigUInt64BE(0xffffffffffffffffn, 8);
  h.writeBigUInt64BE(BigInt(tableOffset), 16);
  h.writeUInt32BE(0x00010000, 24);
  h.writeUInt32BE(entries, 28);
  h.writeUInt32BE(blockSize, 32);
  locatorEntries.copy(h, 576);
  header(h);
  h.writeUInt32BE(vhdChecksum(h, 36), 36);
  if (o.corrupt?.headerChecksum) spoil(h, 36);

  const footer = encodeFooter({ ...o, uuid, currentSize, geometry, diskType, dataOffset: 512n });
  const copy = Buffer.from(footer);
  const eof = Buffer.from(footer);
  if (o.corrupt?.copyFooterChecksum) spoil(copy, 64);
  if (o.corrupt?.eofFooterChecksum) spoil(eof, 64);

  const fd = openSync(path, 'w');
  try {
    writeSync(fd, copy, 0, SECTOR, 0);
    writeSync(fd, h, 0, 1024, 512);
    writeSync(fd, bat, 0, bat.length, tableOffset);
    for (const l of locatorData) writeSync(fd, l.bytes, 0, l.bytes.length, l.at);
    for (const b of blocks) {
      const pos = placed.get(b.index)!;
      writeSync(fd, b.bitmap, 0, b.bitmap.length, pos);
      writeSync(fd, b.data, 0, b.data.length, pos + bitmapSize);
    }
    if (o.corrupt?.dropEofFooter) ftruncateSync(fd, footerAt);
    else writeSync(fd, eof, 0, SECTOR, footerAt);
  } finally {
    closeSync(fd);
  }
  return {
    path,
    uuid,
    currentSize,
    geometry,
    fileSize: footerAt + (o.corrupt?.dropEofFooter ? 0 : SECTOR),
    blockSize,
    tableOffset,
    blocks: placed,
    bitmapSize,
  };
}

/** A dynamic VHD: footer copy, header, BAT, then only the blocks some piece touches. */
export function writeDynamicVhd(path: string, o: DynamicOptions): WrittenDynamic {
  return writeBlockImage(path, o, DiskType.dynamic, () => undefined, [], 0);
}

/** A differencing VHD whose blocks hold only the sectors its pieces cover. */
export function writeDifferencingVhd(path: string, o: DifferencingOptions): WrittenDynamic {
  return writeBlockImage(
    path,
    o,
    DiskType.differencing,
    (h) => {
      o.parentUuid.copy(h, 40, 0, 16);
      h.writeUInt32BE(o.parentTimestamp ?? vhdTimestamp(), 56);
      if (o.parentName) {
        const name = Buffer.from(o.parentName, 'utf16le').swap16();
        if (name.length > 512) throw new Error('parent name too long');
        name.copy(h, 64);
      }
    },
    o.locators ?? [],
    o.unsetFill ?? 0xee,
  );
}

// ---------------------------------------------------------------------------------------------
// Content helpers

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
export function pseudoRandom(length: number, seed: number): Buffer {
  const out = Buffer.alloc(Math.ceil(length / 4) * 4);
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < out.length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  return out.subarray(0, length);
}

/** A sector-sized (or `length`) run of one byte value, never all zero unless `value` is 0. */
export function filled(length: number, value: number): Buffer {
  return Buffer.alloc(length, value);
}

// ---------------------------------------------------------------------------------------------
// Damage, for tests of refusals

/** Edits the footer at the end of a VHD (and the copy at 0 when present), then re-checksums it. */
export function patchFooter(path: string, edit: (footer: Buffer) => void): void {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    for (const at of [size - SECTOR, 0]) {
      const b = Buffer.alloc(SECTOR);
      readSync(fd, b, 0, SECTOR, at);
      if (b.toString('latin1', 0, 8) !== 'conectix') continue;
      edit(b);
      b.writeUInt32BE(vhdChecksum(b, 64), 64);
      writeSync(fd, b, 0, SECTOR, at);
    }
  } finally {
    closeSync(fd);
  }
}

/** Overwrites 4 bytes of a dynamic VHD's BAT (entry `index`, big-endian sector number). */
export function patchBat(path: string, tableOffset: number, index: number, sector: number): void {
  const fd = openSync(path, 'r+');
  try {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(sector >>> 0);
    writeSync(fd, b, 0, 4, tableOffset + index * 4);
  } finally {
    closeSync(fd);
  }
}
