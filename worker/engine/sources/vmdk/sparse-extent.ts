// A hosted sparse or streamOptimized extent file: header, grain directory, grain tables, grains
// (plain, or compressed behind grain markers). docs/vmdk.md#grain-directory-and-tables.
import { inflateSync } from 'node:zlib';
import { FerryError, corrupt } from '../../errors';
import type { ReadOnlyFile } from '../../io/read-only-file';
import { GD_AT_END, LITTLE_ENDIAN_HOST, MarkerType, SECTOR, SparseFlags } from '../../formats/vmdk/constants';
import { isSparseMagic, parseSparseHeader, type SparseExtentHeader } from '../../formats/vmdk/sparse-header';
import { ZlibPool, type Batch } from '../../deflate/zlib-pool';
import { nativeAddon } from '../../io/native-addon';
import { pushRange, type ExtentReader, type Range } from './extent-reader';
import { MAX_GD_ENTRIES, SharedExtentState, zeroTable } from './grain-table-cache';
import { mergeRanges, overlappingRange, type MetaRange } from './meta-ranges';

/** Reads of this many compressed grains or fewer inflate inline (a partition table, a probe). */
const INLINE_INFLATE = 2;
/** Grain tables read at once when the directory lays them out back to back. */
const GT_BATCH = 64;

/** A hosted sparse or streamOptimized extent: grain directory → grain tables → grains. */
export class SparseExtent implements ExtentReader {
  private readonly cacheKey: number;
  private lastGrain: { index: number; data: Buffer } | undefined;
  /** Threads that inflate grains, started on the first large read of a compressed extent. */
  private pool: ZlibPool | undefined;
  readonly bytes: number;
  private readonly grainBytes: number;
  private readonly gtCover: number;
  private readonly compressed: boolean;

  constructor(
    private readonly file: ReadOnlyFile,
    private readonly header: SparseExtentHeader,
    private readonly gd: Uint32Array,
    /** Header, descriptor, directories and grain tables: no grain may lie on them. */
    private readonly meta: MetaRange[],
    private readonly shared: SharedExtentState,
  ) {
    this.cacheKey = shared.tables.register();
    this.bytes = Number(header.capacity) * SECTOR;
    this.grainBytes = Number(header.grainSize) * SECTOR;
    this.gtCover = this.grainBytes * header.numGTEsPerGT;
    this.compressed = (header.flags & SparseFlags.compressedGrains) !== 0;
  }

  static async open(file: ReadOnlyFile, header: SparseExtentHeader, shared = new SharedExtentState()): Promise<SparseExtent> {
    const where = file.path;
    if (header.version < 1 || header.version > 3) {
      throw new FerryError('E_UNSUPPORTED', `${where}: sparse VMDK version ${header.version} is not supported (1–3 are).`);
    }
    const grainSize = Number(header.grainSize);
    if (header.grainSize > 65536n || grainSize < 1 || (grainSize & (grainSize - 1)) !== 0) {
      throw corrupt(where, `the sparse header's grain size (${header.grainSize} sectors, at offset 20) is not a power of two up to 65536.`);
    }
    if (header.numGTEsPerGT < 1 || header.numGTEsPerGT > 4096) {
      throw corrupt(where, `the sparse header says ${header.numGTEsPerGT} entries per grain table (at offset 44); VMware uses 512.`);
    }
    if (header.capacity === 0n || header.capacity > 0xffffffffn * 16n) {
      throw corrupt(where, `the sparse header's capacity (${header.capacity} sectors, at offset 12) is impossible.`);
    }
    if ((header.flags & SparseFlags.compressedGrains) !== 0 && header.compressAlgorithm !== 1) {
      throw new FerryError('E_UNSUPPORTED', `${where}: grains are compressed with algorithm ${header.compressAlgorithm}; only deflate (1) exists.`);
    }
    let gdOffset = header.gdOffset;
    if (gdOffset === GD_AT_END) {
      // streamOptimized: the footer near the end holds the real directory offset.
      if (file.size < 1536) throw corrupt(where, 'the stream ends before its footer.');
      const tail = await file.readExact(file.size - 1536, 1024, 'stream footer');
      if (tail.readUInt32LE(12) !== MarkerType.footer || !isSparseMagic(tail.subarray(512))) {
        throw corrupt(where, `no footer marker at offset ${file.size - 1536}; the stream was not written to the end.`);
      }
      gdOffset = parseSparseHeader(tail.subarray(512)).gdOffset;
    }
    const gtCoverSectors = header.grainSize * BigInt(header.numGTEsPerGT);
    const gdEntries = Number((header.capacity + gtCoverSectors - 1n) / gtCoverSectors);
    if (gdEntries > MAX_GD_ENTRIES) {
      throw corrupt(where, `the grain directory would need ${gdEntries} entries (capacity ${header.capacity} sectors, ${header.numGTEsPerGT} entries per table, ${grainSize}-sector grains).`);
    }
    const gdPos = gdOffset * 512n;
    if (gdOffset === 0n || gdPos + BigInt(gdEntries * 4) > BigInt(file.size)) {
      throw corrupt(where, `the grain directory (${gdEntries} entries at sector ${gdOffset}) lies outside the file (${file.size} bytes).`);
    }
    const raw = await file.readExact(Number(gdPos), gdEntries * 4, 'grain directory');
    const gd = new Uint32Array(gdEntries);
    for (let i = 0; i < gdEntries; i++) gd[i] = raw.readUInt32LE(i * 4);
    // Every grain table must lie in the file, clear of the header, descriptor and directories.
    const gdSector = Number(gdOffset);
    const gdSectors = Math.ceil((gdEntries * 4) / SECTOR);
    const fixed: MetaRange[] = [
      { start: 0, end: 1, what: 'header' },
      { start: gdSector, end: gdSector + gdSectors, what: 'grain directory' },
    ];
    if (header.descriptorOffset > 0n && header.descriptorOffset < BigInt(file.size) && header.descriptorSize < 1n << 32n) {
      const d = Number(header.descriptorOffset);
      fixed.push({ start: d, end: d + Number(header.descriptorSize), what: 'embedded descriptor' });
    }
    if ((header.flags & SparseFlags.redundantGrainTable) !== 0 && header.rgdOffset > 0n && header.rgdOffset * 512n < BigInt(file.size)) {
      const r = Number(header.rgdOffset);
      fixed.push({ start: r, end: r + gdSectors, what: 'redundant grain directory' });
    }
    const fixedMerged = mergeRanges(fixed);
    const gtSectors = Math.ceil((header.numGTEsPerGT * 4) / SECTOR);
    const tables: MetaRange[] = [];
    for (let i = 0; i < gdEntries; i++) {
      const sector = gd[i]!;
      if (sector === 0) continue;
      const entryAt = Number(gdPos) + i * 4;
      if ((sector + gtSectors) * SECTOR > file.size) {
        throw corrupt(where, `grain directory entry ${i} (at offset ${entryAt}) puts grain table ${i} at sector ${sector}, beyond the end of the file (${file.size} bytes).`);
      }
      const hit = overlappingRange(fixedMerged, sector, sector + gtSectors);
      if (hit) throw corrupt(where, `grain directory entry ${i} (at offset ${entryAt}) puts grain table ${i} at sector ${sector}, inside the ${hit.what}.`);
      tables.push({ start: sector, end: sector + gtSectors, what: 'grain tables' });
    }
    return new SparseExtent(file, header, gd, mergeRanges([...fixed, ...tables]), shared);
  }

  /** Checks where each entry of grain table `index` puts its grain: inside the file, on no metadata. */
  private checkTable(index: number, gt: Uint32Array, tablePos: number): void {
    const grainSectors = this.grainBytes / SECTOR;
    const first = index * this.header.numGTEsPerGT;
    for (let i = 0; i < gt.length; i++) {
      const sector = gt[i]!;
      if (sector <= 1) continue;
      const grain = first + i;
      const inDisk = this.bytes - grain * this.grainBytes;
      if (inDisk <= 0) continue; // past the disk's end: never read
      // A compressed grain's length is in its marker; its marker must at least be there.
      const span = this.compressed ? 12 : Math.min(this.grainBytes, inDisk);
      const where = `grain table ${index} entry ${i} (at offset ${tablePos + i * 4}) points to sector ${sector}`;
      if (sector * SECTOR + span > this.file.size) throw corrupt(this.file.path, `${where}, beyond the end of the file (${this.file.size} bytes).`);
      const hit = overlappingRange(this.meta, sector, sector + (this.compressed ? 1 : Math.min(grainSectors, Math.ceil(span / SECTOR))));
      if (hit) throw corrupt(this.file.path, `${where}, inside the ${hit.what}.`);
    }
  }

  private async table(index: number): Promise<Uint32Array | undefined> {
    const sector = this.gd[index]!;
    if (sector === 0) return undefined;
    const cached = this.shared.tables.get(this.cacheKey, index);
    if (cached) return cached;
    const n = this.header.numGTEsPerGT;
    const gtBytes = n * 4;
    let count = 1;
    while (count < GT_BATCH && index + count < this.gd.length && this.gd[index + count] === sector + (count * gtBytes) / SECTOR) count++;
    const pos = sector * SECTOR;
    if (pos + count * gtBytes > this.file.size) {
      throw corrupt(this.file.path, `grain table ${index} (sector ${sector}) lies beyond the end of the file.`);
    }
    const scratch = this.shared.scratch.take(count * gtBytes);
    let result: Uint32Array | undefined;
    try {
      const raw = await this.file.readExact(pos, count * gtBytes, `grain table ${index}`, scratch.subarray(0, count * gtBytes));
      this.shared.tables.reserve(count);
      for (let k = 0; k < count; k++) {
        const bytes = raw.subarray(k * gtBytes, (k + 1) * gtBytes);
        let gt: Uint32Array;
        // An all-zero table (a stretch never written) is shared: a large empty disk has tens of
        // thousands of them, and each copy would be garbage as soon as the cache is cleared.
        if (bytes.equals(zeroTable(n).bytes)) gt = zeroTable(n).table;
        else {
          gt = new Uint32Array(n);
          // Entries are little-endian: on a little-endian host a copy decodes them.
          if (LITTLE_ENDIAN_HOST) new Uint8Array(gt.buffer).set(bytes);
          else for (let i = 0; i < n; i++) gt[i] = bytes.readUInt32LE(i * 4);
          this.checkTable(index + k, gt, pos + k * gtBytes);
        }
        this.shared.tables.set(this.cacheKey, index + k, gt);
        if (k === 0) result = gt;
      }
    } finally {
      this.shared.scratch.give([scratch]);
    }
    return result;
  }

  async ranges(offset: number, length: number): Promise<Range[]> {
    const out: Range[] = [];
    const end = offset + length;
    let at = offset;
    while (at < end) {
      const gtIndex = Math.floor(at / this.gtCover);
      const gtEnd = Math.min(end, (gtIndex + 1) * this.gtCover);
      const gt = await this.table(gtIndex);
      if (!gt) {
        pushRange(out, { kind: this.shared.unwritten, length: gtEnd - at });
        at = gtEnd;
        continue;
      }
      const n = this.header.numGTEsPerGT;
      const lastGrain = Math.ceil(gtEnd / this.grainBytes);
      while (at < gtEnd) {
        // A run of grains of one kind (0 unwritten, 1 zero, 2 data) becomes one range.
        const grain = Math.floor(at / this.grainBytes);
        const sector = gt[grain % n]!;
        const kind = sector > 1 ? 2 : sector;
        let next = grain + 1;
        while (next < lastGrain && Math.min(2, gt[next % n]!) === kind) next++;
        const stop = Math.min(gtEnd, next * this.grainBytes);
        pushRange(out, { kind: kind === 2 ? 'data' : kind === 1 ? 'zero' : this.shared.unwritten, length: stop - at });
        at = stop;
      }
    }
    return out;
  }

  /** Checks a compressed grain's 12-byte prefix; returns its payload's length. */
  private grainPayloadSize(prefix: Buffer, grain: number, sector: number): number {
    const lba = prefix.readBigUInt64LE(0);
    const size = prefix.readUInt32LE(8);
    if (lba !== BigInt(grain) * this.header.grainSize) {
      throw corrupt(this.file.path, `the grain at sector ${sector} says it holds sector ${lba}, but the grain table puts sector ${BigInt(grain) * this.header.grainSize} there.`);
    }
    if (size === 0 || size > this.grainBytes * 2 + 1024) {
      throw corrupt(this.file.path, `the compressed grain at sector ${sector} claims ${size} bytes.`);
    }
    return size;
  }

  private checkInflated(data: Buffer, grain: number, sector: number): Buffer {
    const expected = Math.min(this.grainBytes, this.bytes - grain * this.grainBytes);
    if (data.length < expected) {
      throw corrupt(this.file.path, `the compressed grain at sector ${sector} ${data.length === 0 ? 'does not inflate' : `inflates to ${data.length} bytes, not ${expected}`}.`);
    }
    return data;
  }

  /**
   * The payloads of compressed grains, read in as few reads as their layout allows: grains stored
   * one after another (as every stream writer stores them) come in one read per run. They live in
   * scratch buffers (reused, so reading a large disk makes no garbage) listed in `held`, which
   * the caller gives back once the payloads are consumed.
   */
  private async readPayloads(wanted: Array<{ grain: number; sector: number }>, held: Buffer[]): Promise<Buffer[]> {
    const bound = 12 + this.grainBytes * 2 + 1024;
    const out: Buffer[] = [];
    let i = 0;
    while (i < wanted.length) {
      let j = i + 1;
      while (j < wanted.length && wanted[j]!.sector > wanted[j - 1]!.sector && (wanted[j]!.sector - wanted[j - 1]!.sector) * SECTOR <= bound) j++;
      const from = wanted[i]!.sector * SECTOR;
      const to = Math.min(this.file.size, wanted[j - 1]!.sector * SECTOR + bound);
      if (from + 12 > this.file.size) throw corrupt(this.file.path, `grain ${wanted[i]!.grain} (sector ${wanted[i]!.sector}) lies beyond the end of the file.`);
      const scratch = this.shared.scratch.take(to - from);
      held.push(scratch);
      const region = await this.file.readExact(from, to - from, `compressed grains from sector ${wanted[i]!.sector}`, scratch.subarray(0, to - from));
      for (let k = i; k < j; k++) {
        const { grain, sector } = wanted[k]!;
        const at = sector * SECTOR - from;
        if (at + 12 > region.length) throw corrupt(this.file.path, `grain ${grain} (sector ${sector}) lies beyond the end of the file.`);
        const size = this.grainPayloadSize(region.subarray(at, at + 12), grain, sector);
        if (at + 12 + size > region.length) throw corrupt(this.file.path, `the compressed grain at sector ${sector} (${size} bytes) runs past the end of the file.`);
        out.push(region.subarray(at + 12, at + 12 + size));
      }
      i = j;
    }
    return out;
  }

  async release(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }

  /**
   * Inflates `payloads` (in scratch buffers listed in `held`), a few inline and many on the
   * pool's threads; the scratch buffers go back to the pool once they are copied or consumed.
   * Release the batch once the grains are copied out.
   */
  private async inflatePayloads(payloads: Buffer[], wanted: Array<{ grain: number; sector: number }>, held: Buffer[]): Promise<Batch<Buffer>> {
    let batch: Batch<Buffer>;
    if (payloads.length <= INLINE_INFLATE) {
      const items = payloads.map((p) => {
        try {
          return inflateSync(p, { maxOutputLength: this.grainBytes });
        } catch {
          return Buffer.alloc(0);
        }
      });
      batch = { items, release: () => undefined };
    } else {
      this.pool ??= ZlibPool.create();
      // The pool copies the payloads before this call returns its promise.
      const inflating = this.pool.inflate(payloads, this.grainBytes);
      this.shared.scratch.give(held.splice(0));
      batch = await inflating;
    }
    try {
      batch.items.forEach((d, k) => this.checkInflated(d, wanted[k]!.grain, wanted[k]!.sector));
    } catch (err) {
      batch.release();
      throw err;
    }
    return batch;
  }

  /**
   * Inflates a grain whose stream starts with a stored block (one that did not compress: random
   * or already-compressed data) here, through the addon, straight into `into`: that is a copy and
   * an Adler-32, cheaper than the copies to a thread and back. False where the addon is not built
   * or the stream is deflated; those go to the threads.
   */
  private inflateStored(payload: Buffer, grain: number, sector: number, into: Buffer): boolean {
    // The zlib header's two bytes, then the first block's header: BTYPE (bits 1-2) 00 is stored.
    if (payload.length < 3 || (payload[2]! & 0x06) !== 0) return false;
    const addon = nativeAddon()?.addon;
    if (!addon) return false;
    const n = addon.decompress(payload, into, 0, into.length);
    this.checkInflated(n < 0 ? Buffer.alloc(0) : into.subarray(0, n), grain, sector);
    return true;
  }

  /** Reads and inflates compressed grains into their targets; keeps the last for the next read. */
  private async readCompressed(compressed: Array<{ grain: number; sector: number; target: Buffer; inGrain: number }>): Promise<void> {
    const held: Buffer[] = [];
    let batch: Batch<Buffer> | undefined;
    try {
      const payloads = await this.readPayloads(compressed, held);
      const grain = this.shared.scratch.take(this.grainBytes);
      held.push(grain);
      const pooled: number[] = [];
      let last: Buffer | undefined;
      payloads.forEach((p, k) => {
        const c = compressed[k]!;
        // A whole grain inflates in place; part of one, or the disk's short last grain (which a
        // writer may have padded to a whole grain), through a grain of scratch.
        const into = c.inGrain === 0 && c.target.length === this.grainBytes ? c.target : grain.subarray(0, this.grainBytes);
        if (!this.inflateStored(p, c.grain, c.sector, into)) pooled.push(k);
        else {
          if (into !== c.target) into.copy(c.target, 0, c.inGrain, c.inGrain + c.target.length);
          if (k === compressed.length - 1) last = into;
        }
      });
      if (last) this.keepLast(compressed[compressed.length - 1]!.grain, last);
      if (pooled.length > 0) {
        batch = await this.inflatePayloads(
          pooled.map((k) => payloads[k]!),
          pooled.map((k) => compressed[k]!),
          held,
        );
        pooled.forEach((k, i) => {
          const c = compressed[k]!;
          batch!.items[i]!.copy(c.target, 0, c.inGrain, c.inGrain + c.target.length);
        });
        if (pooled.at(-1) === compressed.length - 1) this.keepLast(compressed[compressed.length - 1]!.grain, batch.items.at(-1)!);
      }
    } finally {
      this.shared.scratch.give(held);
      batch?.release();
    }
  }

  /** Keeps a grain (in a buffer of its own) for the next read, which often starts inside it. */
  private keepLast(index: number, data: Buffer): void {
    const keep = this.lastGrain && this.lastGrain.data.length === data.length ? this.lastGrain.data : Buffer.allocUnsafe(data.length);
    data.copy(keep);
    this.lastGrain = { index, data: keep };
  }

  async read(offset: number, length: number, into: Buffer): Promise<void> {
    const end = offset + length;
    const jobs: Array<Promise<unknown>> = [];
    const compressed: Array<{ grain: number; sector: number; target: Buffer; inGrain: number }> = [];
    const plain: Array<{ pos: number; at: number; length: number; grain: number }> = [];
    let at = offset;
    while (at < end) {
      // One lookup per grain table, then its grains in a plain loop: a read of 4 MiB covers 64.
      const gtIndex = Math.floor(at / this.gtCover);
      const gtEnd = Math.min(end, (gtIndex + 1) * this.gtCover);
      const gt = await this.table(gtIndex);
      while (at < gtEnd) {
        const grain = Math.floor(at / this.grainBytes);
        const grainStart = grain * this.grainBytes;
        const stop = Math.min(gtEnd, grainStart + this.grainBytes);
        const sector = gt ? gt[grain % this.header.numGTEsPerGT]! : 0;
        if (sector <= 1) into.fill(0, at - offset, stop - offset);
        else if (this.compressed) {
          const target = into.subarray(at - offset, stop - offset);
          if (this.lastGrain?.index === grain) this.lastGrain.data.copy(target, 0, at - grainStart, at - grainStart + target.length);
          else compressed.push({ grain, sector, target, inGrain: at - grainStart });
        } else {
          const pos = sector * SECTOR + (at - grainStart);
          // Grains stored one after another (as every writer stores them) are read in one go.
          const prev = plain[plain.length - 1];
          if (prev && prev.pos + prev.length === pos && prev.at + prev.length === at - offset) prev.length += stop - at;
          else plain.push({ pos, at: at - offset, length: stop - at, grain });
        }
        at = stop;
      }
    }
    for (const r of plain) jobs.push(this.file.readExact(r.pos, r.length, `grain ${r.grain}`, into.subarray(r.at, r.at + r.length)));
    if (compressed.length > 0) await this.readCompressed(compressed);
    await Promise.all(jobs);
  }
}

export async function openSparseFile(file: ReadOnlyFile, shared?: SharedExtentState): Promise<SparseExtent> {
  const head = await file.readExact(0, SECTOR, 'sparse extent header');
  if (!isSparseMagic(head)) throw corrupt(file.path, 'no sparse extent header ("KDMV") at offset 0.');
  return SparseExtent.open(file, parseSparseHeader(head), shared);
}
