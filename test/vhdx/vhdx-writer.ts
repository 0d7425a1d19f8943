// A test-only VHDX writer for what qemu-img cannot make: differencing chains with partially
// present blocks, dirty logs, 4096-byte sectors, damaged headers and region tables, every block
// state. Written from MS-VHDX directly; shares only CRC-32C (checked against known vectors) with
// the reader. Files are small: the image is kept in memory as 1 MiB chunks and saved sparsely.
import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { crc32c } from '../../worker/engine/io/crc32c';

export const KiB = 1024;
export const MiB = 1024 * KiB;

export type BlockState = 'notPresent' | 'undefined' | 'zero' | 'unmapped' | 'reserved4' | 'unmapped095' | 'full' | 'partial';
const STATE_CODE: Record<BlockState, number> = { notPresent: 0, undefined: 1, zero: 2, unmapped: 3, reserved4: 4, unmapped095: 5, full: 6, partial: 7 };

export interface BlockSpec {
  state: BlockState;
  /**
   * 'full' / 'partial': the block as the file stores it (shorter is zero-padded). Any other
   * state: if given, garbage stored at a FileOffsetMB the reader must ignore.
   */
  data?: Buffer;
  /** 'partial': whether logical sector `s` of the block is in this file (else the parent's). */
  present?: (s: number) => boolean;
}

export interface ParentSpec {
  /** The parent's DataWriteGuid (16 on-disk bytes); written as `parent_linkage`. */
  linkage: Buffer;
  linkage2?: Buffer;
  relativePath?: string;
  absoluteWin32Path?: string;
  volumePath?: string;
}

export interface HeaderSpec {
  sequence: bigint;
  dataWriteGuid?: Buffer;
  /** Flip a byte after the checksum is computed. */
  corrupt?: boolean;
  /** Whether this header names the log (only meaningful with a log plan); default true. */
  log?: boolean;
}

export interface VhdxSpec {
  virtualSize: number;
  blockSize?: number;
  logicalSectorSize?: 512 | 4096;
  physicalSectorSize?: 512 | 4096;
  /** LeaveBlockAllocated (a fixed VHDX). */
  fixed?: boolean;
  creator?: string;
  virtualDiskId?: Buffer;
  /** Both headers' DataWriteGuid unless `headers` says otherwise. */
  dataWriteGuid?: Buffer;
  parent?: ParentSpec;
  blocks?: Map<number, BlockSpec>;
  headers?: [HeaderSpec, HeaderSpec];
  corruptRegionTable?: [boolean, boolean];
  extraRegion?: { guid: Buffer; required: boolean };
  extraMetadata?: { guid: Buffer; required: boolean; user?: boolean; data: Buffer };
}

export interface LogPlan {
  /** In replay order. Data pages are 4 KiB-aligned file offsets; they log the image's content there. */
  entries: Array<{ data?: number[]; zeros?: Array<{ offset: number; length: number }> }>;
  /** What the file holds in place at logged locations after the "crash" (default: data pages zero-filled). */
  stale?: Array<{ offset: number; data: Buffer }>;
  firstSequence?: bigint;
  /** Where in the log the first entry starts (4 KiB multiple). */
  startPosition?: number;
  /** Which entry the head's tail points to (default 0). */
  tailEntry?: number;
  /** Flip a byte inside this entry after its checksum. */
  corruptEntry?: number;
  flushedFileOffset?: number;
  lastFileOffset?: number;
  /** Write the entries under a LogGuid other than the header's. */
  foreignEntries?: boolean;
  /** Also leave an older, valid-looking entry of another LogGuid after the sequence. */
  noise?: boolean;
}

export interface Layout {
  logOffset: number;
  logLength: number;
  metadataOffset: number;
  batOffset: number;
  chunkRatio: number;
  blockOffsets: Map<number, number>;
  bitmapOffsets: Map<number, number>;
  batEntryOffset(index: number): number;
  payloadIndex(block: number): number;
  bitmapIndex(chunk: number): number;
}

/** Microsoft's mixed-endian GUID bytes from text. */
export function guid(text: string): Buffer {
  const h = text.replace(/[{}-]/g, '');
  const b = Buffer.from(h, 'hex');
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
}

export function guidString(b: Buffer): string {
  const h = (s: number, e: number, rev: boolean) => {
    const part = Buffer.from(b.subarray(s, e));
    return (rev ? part.reverse() : part).toString('hex');
  };
  return `${h(0, 4, true)}-${h(4, 6, true)}-${h(6, 8, true)}-${h(8, 10, false)}-${h(10, 16, false)}`;
}

export function newGuid(): Buffer {
  return randomBytes(16);
}

const BAT_GUID = Buffer.from('6677C22D23F600429D64115E9BFD4A08', 'hex');
const METADATA_GUID = Buffer.from('06A27C8B90479A4BB8FE575F050F886E', 'hex');
const ITEM = {
  fileParameters: guid('CAA16737-FA36-4D43-B3B6-33F0AA44E76B'),
  virtualDiskSize: guid('2FA54224-CD1B-4876-B211-5DBED83BF4B8'),
  page83: guid('BECA12AB-B2E6-4523-93EF-C309E000C746'),
  logicalSectorSize: guid('8141BF1D-A96F-4709-BA47-F233A8FAAB5F'),
  physicalSectorSize: guid('CDA348C7-445D-4471-9CC9-E9885251C556'),
  parentLocator: guid('A8D35F2D-B30B-454D-ABF7-D3D84834AB0C'),
};
const VHDX_LOCATOR_TYPE = guid('B04AEFB7-D19E-4A81-B789-25B8E9445913');

function withCrc(buf: Buffer, at = 4): Buffer {
  buf.writeUInt32LE(0, at);
  buf.writeUInt32LE(crc32c(buf), at);
  return buf;
}

/** A VHDX under construction: the file's bytes as sparse 1 MiB chunks. */
export class VhdxImage {
  private readonly chunks = new Map<number, Buffer>();
  size = 0;
  logGuid: Buffer | undefined;
  readonly headerGuids: Buffer[] = [];
  /** File offsets of the metadata items, by name (fileParameters, virtualDiskSize, …). */
  readonly items = new Map<string, number>();

  constructor(
    readonly spec: VhdxSpec,
    readonly layout: Layout,
  ) {}

  write(offset: number, data: Buffer): void {
    for (let done = 0; done < data.length; ) {
      const at = offset + done;
      const n = Math.floor(at / MiB);
      let chunk = this.chunks.get(n);
      if (!chunk) this.chunks.set(n, (chunk = Buffer.alloc(MiB)));
      const len = Math.min(data.length - done, MiB - (at % MiB));
      data.copy(chunk, at % MiB, done, done + len);
      done += len;
    }
    this.size = Math.max(this.size, offset + data.length);
  }

  read(offset: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let done = 0; done < length; ) {
      const at = offset + done;
      const len = Math.min(length - done, MiB - (at % MiB));
      this.chunks.get(Math.floor(at / MiB))?.copy(out, done, at % MiB, (at % MiB) + len);
      done += len;
    }
    return out;
  }

  /** Rewrites one BAT entry (for damaged or stale tables). */
  setBatEntry(index: number, state: number, fileOffset: number): void {
    const e = Buffer.alloc(8);
    e.writeBigUInt64LE(BigInt(fileOffset) | BigInt(state));
    this.write(this.layout.batEntryOffset(index), e);
  }

  /** The DataWriteGuid of the header with the higher sequence number. */
  get dataWriteGuid(): Buffer {
    return this.headerGuids[0]!;
  }

  /**
   * Moves writes into the log, as if the host crashed after logging them and before applying
   * them. The image so far is the state after replay: data pages log its content, and zero
   * ranges must already read as zeros in it (unless a later data page covers them). In place,
   * data pages become zeros and `stale` is written over whatever it names.
   */
  setLog(plan: LogPlan): void {
    const { logOffset, logLength } = this.layout;
    this.logGuid = newGuid();
    const entryGuid = plan.foreignEntries ? newGuid() : this.logGuid;
    const inPlace: Array<{ offset: number; data: Buffer }> = [];
    const entries: Buffer[] = [];
    let seq = plan.firstSequence ?? 10n;
    let position = plan.startPosition ?? 0;
    const positions: number[] = [];
    const sizes: number[] = [];
    for (const e of plan.entries) {
      const data = e.data ?? [];
      const zeros = e.zeros ?? [];
      const count = data.length + zeros.length;
      const descSectors = Math.ceil((count + 2) / 128);
      const length = (descSectors + data.length) * 4096;
      sizes.push(length);
      positions.push(position);
      position = (position + length) % logLength;
    }
    const finalSize = Math.ceil(this.size / MiB) * MiB;
    plan.entries.forEach((e, n) => {
      const data = e.data ?? [];
      const zeros = e.zeros ?? [];
      const count = data.length + zeros.length;
      const descSectors = Math.ceil((count + 2) / 128);
      const buf = Buffer.alloc(sizes[n]!);
      buf.write('loge', 0, 'latin1');
      buf.writeUInt32LE(buf.length, 8);
      buf.writeUInt32LE(positions[plan.tailEntry ?? 0]!, 12);
      buf.writeBigUInt64LE(seq, 16);
      buf.writeUInt32LE(count, 24);
      entryGuid.copy(buf, 32);
      buf.writeBigUInt64LE(BigInt(plan.flushedFileOffset ?? finalSize), 48);
      buf.writeBigUInt64LE(BigInt(plan.lastFileOffset ?? finalSize), 56);
      let slot = 2;
      const desc = () => buf.subarray(slot * 32, ++slot * 32);
      zeros.forEach((z) => {
        const d = desc();
        d.write('zero', 0, 'latin1');
        d.writeBigUInt64LE(BigInt(z.length), 8);
        d.writeBigUInt64LE(BigInt(z.offset), 16);
        d.writeBigUInt64LE(seq, 24);
      });
      data.forEach((offset, i) => {
        const page = this.read(offset, 4096);
        const d = desc();
        d.write('desc', 0, 'latin1');
        page.copy(d, 4, 4092, 4096); // trailing bytes
        page.copy(d, 8, 0, 8); // leading bytes
        d.writeBigUInt64LE(BigInt(offset), 16);
        d.writeBigUInt64LE(seq, 24);
        const s = buf.subarray((descSectors + i) * 4096, (descSectors + i + 1) * 4096);
        s.write('data', 0, 'latin1');
        s.writeUInt32LE(Number(seq >> 32n), 4);
        page.copy(s, 8, 8, 4092);
        s.writeUInt32LE(Number(seq & 0xffffffffn), 4092);
        inPlace.push({ offset, data: Buffer.alloc(4096) });
      });
      withCrc(buf);
      if (plan.corruptEntry === n) buf[buf.length - 100] = buf[buf.length - 100]! ^ 0x55;
      entries.push(buf);
      seq++;
    });
    const writeCircular = (at: number, buf: Buffer) => {
      for (let i = 0; i < buf.length; i += 4096) this.write(logOffset + ((at + i) % logLength), buf.subarray(i, i + 4096));
    };
    entries.forEach((buf, n) => writeCircular(positions[n]!, buf));
    if (plan.noise) {
      // An entry of an older session (another LogGuid) right after the sequence: must be ignored.
      const junk = Buffer.alloc(4096);
      junk.write('loge', 0, 'latin1');
      junk.writeUInt32LE(4096, 8);
      junk.writeUInt32LE(position, 12);
      junk.writeBigUInt64LE(seq + 100n, 16);
      newGuid().copy(junk, 32);
      withCrc(junk);
      writeCircular(position, junk);
    }
    // The crash: logged locations hold their old contents.
    for (const w of [...inPlace, ...(plan.stale ?? [])]) this.write(w.offset, w.data);
    this.writeHeaders();
  }

  /** Writes both headers (again, after a log plan sets the LogGuid). */
  writeHeaders(): void {
    const spec = this.spec;
    const specs = spec.headers ?? [{ sequence: 1n }, { sequence: 2n }];
    const dwg = spec.dataWriteGuid ?? this.headerGuids[0] ?? newGuid();
    this.headerGuids.length = 0;
    const ordered = specs[0].sequence >= specs[1].sequence ? [0, 1] : [1, 0];
    specs.forEach((h, i) => {
      const buf = Buffer.alloc(4096);
      buf.write('head', 0, 'latin1');
      buf.writeBigUInt64LE(h.sequence, 8);
      newGuid().copy(buf, 16);
      (h.dataWriteGuid ?? dwg).copy(buf, 32);
      if (this.logGuid && h.log !== false) this.logGuid.copy(buf, 48);
      buf.writeUInt16LE(0, 64);
      buf.writeUInt16LE(1, 66);
      buf.writeUInt32LE(this.layout.logLength, 68);
      buf.writeBigUInt64LE(BigInt(this.layout.logOffset), 72);
      withCrc(buf);
      if (h.corrupt) buf[200] = buf[200]! ^ 0xff;
      this.write((i + 1) * 64 * KiB, buf);
    });
    for (const i of ordered) this.headerGuids.push(specs[i]!.dataWriteGuid ?? dwg);
  }

  save(path: string): void {
    const fd = openSync(path, 'w');
    try {
      ftruncateSync(fd, this.size);
      for (const [n, chunk] of [...this.chunks].sort((a, b) => a[0] - b[0])) {
        const len = Math.min(MiB, this.size - n * MiB);
        if (len > 0 && chunk.some((b) => b !== 0)) writeSync(fd, chunk, 0, len, n * MiB);
      }
    } finally {
      closeSync(fd);
    }
  }
}

function utf16(s: string): Buffer {
  return Buffer.from(s, 'utf16le');
}

function parentLocator(p: ParentSpec): Buffer {
  const pairs: Array<[string, string]> = [['parent_linkage', `{${guidString(p.linkage)}}`]];
  if (p.linkage2) pairs.push(['parent_linkage2', `{${guidString(p.linkage2)}}`]);
  if (p.relativePath) pairs.push(['relative_path', p.relativePath]);
  if (p.volumePath) pairs.push(['volume_path', p.volumePath]);
  if (p.absoluteWin32Path) pairs.push(['absolute_win32_path', p.absoluteWin32Path]);
  const head = Buffer.alloc(20 + pairs.length * 12);
  VHDX_LOCATOR_TYPE.copy(head, 0);
  head.writeUInt16LE(pairs.length, 18);
  const strings: Buffer[] = [];
  let at = head.length;
  pairs.forEach(([k, v], i) => {
    const kb = utf16(k);
    const vb = utf16(v);
    head.writeUInt32LE(at, 20 + i * 12);
    head.writeUInt32LE(at + kb.length, 20 + i * 12 + 4);
    head.writeUInt16LE(kb.length, 20 + i * 12 + 8);
    head.writeUInt16LE(vb.length, 20 + i * 12 + 10);
    strings.push(kb, vb);
    at += kb.length + vb.length;
  });
  return Buffer.concat([head, ...strings]);
}

/** Lays out and writes every structure of `spec` into an in-memory image. */
export function buildVhdx(spec: VhdxSpec): VhdxImage {
  const blockSize = spec.blockSize ?? MiB;
  const lss = spec.logicalSectorSize ?? 512;
  const chunkRatio = (2 ** 23 * lss) / blockSize;
  const payloadBlocks = Math.ceil(spec.virtualSize / blockSize);
  const bitmapBlocks = Math.ceil(payloadBlocks / chunkRatio);
  const differencing = spec.parent !== undefined;
  const entryCount = differencing ? bitmapBlocks * (chunkRatio + 1) : payloadBlocks + Math.floor((payloadBlocks - 1) / chunkRatio);
  const batLength = Math.max(MiB, Math.ceil((entryCount * 8) / MiB) * MiB);
  const logOffset = MiB;
  const logLength = MiB;
  const metadataOffset = 2 * MiB;
  const batOffset = 3 * MiB;
  let next = batOffset + batLength;
  const blocks = spec.blocks ?? new Map<number, BlockSpec>();
  const blockOffsets = new Map<number, number>();
  const bitmapOffsets = new Map<number, number>();
  for (const [b, s] of [...blocks].sort((x, y) => x[0] - y[0])) {
    if (s.state === 'full' || s.state === 'partial' || s.data) {
      blockOffsets.set(b, next);
      next += blockSize;
    }
    if (s.state === 'partial') {
      const c = Math.floor(b / chunkRatio);
      if (!bitmapOffsets.has(c)) {
        bitmapOffsets.set(c, next);
        next += MiB;
      }
    }
  }
  const layout: Layout = {
    logOffset,
    logLength,
    metadataOffset,
    batOffset,
    chunkRatio,
    blockOffsets,
    bitmapOffsets,
    batEntryOffset: (i) => batOffset + i * 8,
    payloadIndex: (b) => b + Math.floor(b / chunkRatio),
    bitmapIndex: (c) => c * (chunkRatio + 1) + chunkRatio,
  };
  const img = new VhdxImage(spec, layout);

  // File type identifier.
  const ident = Buffer.alloc(8 + 512);
  ident.write('vhdxfile', 0, 'latin1');
  utf16(spec.creator ?? 'Ferry test writer').copy(ident, 8, 0, 510);
  img.write(0, ident);

  // Region tables.
  const extra = spec.extraRegion ? next : 0;
  if (spec.extraRegion) next += MiB;
  for (let copy = 0; copy < 2; copy++) {
    const t = Buffer.alloc(64 * KiB);
    t.write('regi', 0, 'latin1');
    const regions: Array<[Buffer, number, number, boolean]> = [
      [BAT_GUID, batOffset, batLength, true],
      [METADATA_GUID, metadataOffset, MiB, true],
    ];
    if (spec.extraRegion) regions.push([spec.extraRegion.guid, extra, MiB, spec.extraRegion.required]);
    t.writeUInt32LE(regions.length, 8);
    regions.forEach(([g, off, len, req], i) => {
      const e = 16 + i * 32;
      g.copy(t, e);
      t.writeBigUInt64LE(BigInt(off), e + 16);
      t.writeUInt32LE(len, e + 24);
      t.writeUInt32LE(req ? 1 : 0, e + 28);
    });
    withCrc(t);
    if (spec.corruptRegionTable?.[copy]) t[40] = t[40]! ^ 0xff;
    img.write((192 + copy * 64) * KiB, t);
  }

  // Metadata.
  const items: Array<{ name: string; guid: Buffer; flags: number; data: Buffer }> = [];
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  };
  const params = Buffer.alloc(8);
  params.writeUInt32LE(blockSize, 0);
  params.writeUInt32LE((spec.fixed ? 1 : 0) | (differencing ? 2 : 0), 4);
  const vsize = Buffer.alloc(8);
  vsize.writeBigUInt64LE(BigInt(spec.virtualSize));
  items.push({ name: 'fileParameters', guid: ITEM.fileParameters, flags: 4, data: params });
  items.push({ name: 'virtualDiskSize', guid: ITEM.virtualDiskSize, flags: 6, data: vsize });
  items.push({ name: 'page83', guid: ITEM.page83, flags: 6, data: spec.virtualDiskId ?? newGuid() });
  items.push({ name: 'logicalSectorSize', guid: ITEM.logicalSectorSize, flags: 6, data: u32(lss) });
  items.push({ name: 'physicalSectorSize', guid: ITEM.physicalSectorSize, flags: 6, data: u32(spec.physicalSectorSize ?? 4096) });
  if (spec.parent) items.push({ name: 'parentLocator', guid: ITEM.parentLocator, flags: 4, data: parentLocator(spec.parent) });
  if (spec.extraMetadata) {
    const x = spec.extraMetadata;
    items.push({ name: 'extra', guid: x.guid, flags: (x.user ? 1 : 0) | (x.required ? 4 : 0), data: x.data });
  }
  const table = Buffer.alloc(64 * KiB);
  table.write('metadata', 0, 'latin1');
  table.writeUInt16LE(items.length, 10);
  let itemAt = 64 * KiB;
  items.forEach((it, i) => {
    const e = 32 + i * 32;
    it.guid.copy(table, e);
    table.writeUInt32LE(itemAt, e + 16);
    table.writeUInt32LE(it.data.length, e + 20);
    table.writeUInt32LE(it.flags, e + 24);
    img.write(metadataOffset + itemAt, it.data);
    img.items.set(it.name, metadataOffset + itemAt);
    itemAt += Math.ceil(it.data.length / 8) * 8;
  });
  img.write(metadataOffset, table);

  // BAT, blocks and sector bitmaps.
  img.write(batOffset + batLength - 8, Buffer.alloc(8));
  const sectorsPerBlock = blockSize / lss;
  for (const [b, s] of blocks) {
    const off = blockOffsets.get(b) ?? 0;
    img.setBatEntry(layout.payloadIndex(b), STATE_CODE[s.state], off);
    if (off) {
      const data = Buffer.alloc(blockSize);
      s.data?.copy(data);
      img.write(off, data);
    }
    if (s.state === 'partial') {
      const c = Math.floor(b / chunkRatio);
      const bm = Buffer.alloc(sectorsPerBlock / 8);
      for (let i = 0; i < sectorsPerBlock; i++) if (s.present?.(i)) bm[i >> 3] = bm[i >> 3]! | (1 << (i & 7));
      img.write(bitmapOffsets.get(c)! + ((b % chunkRatio) * sectorsPerBlock) / 8, bm);
      img.setBatEntry(layout.bitmapIndex(c), 6, bitmapOffsets.get(c)!);
    }
  }
  img.size = Math.max(img.size, next);
  img.writeHeaders();
  return img;
}

/** Builds and saves; returns the image (its layout and current DataWriteGuid). */
export function writeVhdx(path: string, spec: VhdxSpec, log?: (img: VhdxImage) => LogPlan): VhdxImage {
  const img = buildVhdx(spec);
  if (log) img.setLog(log(img));
  img.save(path);
  return img;
}

/**
 * The guest-visible bytes of a chain (top first) as the specs describe it: each sector from the
 * first layer that has it; notPresent falls through to the parent, every other absent state is zeros.
 */
export function chainBytes(chain: VhdxSpec[]): Buffer {
  const top = chain[0]!;
  const out = Buffer.alloc(top.virtualSize);
  const lss = top.logicalSectorSize ?? 512;
  for (let s = 0; s * lss < top.virtualSize; s++) {
    const at = s * lss;
    for (const layer of chain) {
      if (at >= layer.virtualSize) break; // beyond a smaller parent: zeros
      const bs = layer.blockSize ?? MiB;
      const b = Math.floor(at / bs);
      const spec = layer.blocks?.get(b);
      const inBlock = at - b * bs;
      const state = spec?.state ?? 'notPresent';
      if (state === 'full' || (state === 'partial' && spec!.present?.(inBlock / lss))) {
        const data = spec!.data ?? Buffer.alloc(0);
        if (inBlock < data.length) data.copy(out, at, inBlock, Math.min(data.length, inBlock + lss));
        break;
      }
      if (state === 'partial' || (state === 'notPresent' && layer.parent)) continue;
      break;
    }
  }
  return out;
}
