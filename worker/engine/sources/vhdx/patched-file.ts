import { corrupt } from '../../errors';
import type { ReadOnlyFile } from '../../io/read-only-file';

export const LOG_SECTOR = 4096;

/** What the VHDX reader reads its structures and data through: the file, or the file as patched by its log. */
export interface VhdxFile {
  readonly path: string;
  /** The file's size, or the size the log replay extends it to. */
  readonly size: number;
  readExact(position: number, length: number, what: string, into?: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}


interface ZeroRange {
  start: number;
  end: number;
}

/**
 * The writes a replayed log would have made, held in memory: 4 KiB pages of data keyed by file
 * offset, and zeroed ranges (kept as ranges: a zero descriptor may cover far more than the log
 * holds). Pages and ranges are resolved so that applying all zeros, then all pages, gives the
 * result of the writes in log order.
 */
export class LogOverlay {
  constructor(
    private readonly pages: Map<number, Buffer>,
    /** Sorted and disjoint. */
    private readonly zeros: ZeroRange[],
    /** The end of the furthest write; replay grows the file to at least this. */
    readonly extent: number,
  ) {}

  get pageCount(): number {
    return this.pages.size;
  }

  /** Index of the first zero range whose end lies beyond `pos`. */
  private firstEndingAfter(pos: number): number {
    let lo = 0;
    let hi = this.zeros.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.zeros[mid]!.end <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Applies the overlay to `buf`, which holds the file's bytes at [position, position + buf.length). */
  apply(position: number, buf: Buffer): void {
    const end = position + buf.length;
    for (let i = this.firstEndingAfter(position); i < this.zeros.length; i++) {
      const r = this.zeros[i]!;
      if (r.start >= end) break;
      buf.fill(0, Math.max(r.start, position) - position, Math.min(r.end, end) - position);
    }
    if (this.pages.size === 0) return;
    const copy = (p: number, page: Buffer) => {
      const from = Math.max(p, position);
      const to = Math.min(p + LOG_SECTOR, end);
      if (from < to) page.copy(buf, from - position, from - p, to - p);
    };
    const first = Math.floor(position / LOG_SECTOR) * LOG_SECTOR;
    if ((end - first) / LOG_SECTOR <= this.pages.size) {
      for (let p = first; p < end; p += LOG_SECTOR) {
        const page = this.pages.get(p);
        if (page) copy(p, page);
      }
    } else {
      for (const [p, page] of this.pages) copy(p, page);
    }
  }
}

/**
 * Collects a log's writes in replay order, then resolves them into a `LogOverlay` in
 * O(n log n), so that a log of many small zero descriptors cannot make replay quadratic.
 */
export class LogOverlayBuilder {
  private readonly pages = new Map<number, { seq: number; page: Buffer }>();
  private readonly zeros: Array<ZeroRange & { seq: number }> = [];
  private seq = 0;
  private extent = 0;

  writePage(offset: number, page: Buffer): void {
    this.pages.set(offset, { seq: this.seq++, page });
    this.extent = Math.max(this.extent, offset + LOG_SECTOR);
  }

  writeZeros(offset: number, length: number): void {
    if (length === 0) return;
    this.zeros.push({ start: offset, end: offset + length, seq: this.seq++ });
    this.extent = Math.max(this.extent, offset + length);
  }

  build(): LogOverlay {
    const byStart = [...this.zeros].sort((a, b) => a.start - b.start);
    // A page survives unless a later zero range covers it: sweep the pages in offset order with
    // a max-heap (by sequence) of the zero ranges that have started.
    const heap = new MaxHeap<ZeroRange & { seq: number }>((a, b) => a.seq - b.seq);
    const kept = new Map<number, Buffer>();
    let next = 0;
    for (const offset of [...this.pages.keys()].sort((a, b) => a - b)) {
      while (next < byStart.length && byStart[next]!.start <= offset) heap.push(byStart[next++]!);
      const { seq, page } = this.pages.get(offset)!;
      let newest = -1;
      // Ranges that ended before this page cannot cover it or any later page.
      while (heap.size > 0) {
        const top = heap.peek()!;
        if (top.end <= offset) heap.pop();
        else {
          newest = top.seq;
          break;
        }
      }
      if (seq > newest) kept.set(offset, page);
    }
    const merged: ZeroRange[] = [];
    for (const r of byStart) {
      const last = merged[merged.length - 1];
      if (last && last.end >= r.start) last.end = Math.max(last.end, r.end);
      else merged.push({ start: r.start, end: r.end });
    }
    return new LogOverlay(kept, merged, this.extent);
  }
}

class MaxHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly cmp: (a: T, b: T) => number) {}
  get size(): number {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.cmp(a[i]!, a[parent]!) <= 0) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.cmp(a[l]!, a[m]!) > 0) m = l;
        if (r < a.length && this.cmp(a[r]!, a[m]!) > 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * A VHDX file seen as if its log had been replayed, without writing to it: reads come from the
 * file (zeros past its end, where replay would have extended it) with the overlay on top.
 */
export class PatchedFile implements VhdxFile {
  readonly size: number;

  constructor(
    private readonly file: ReadOnlyFile,
    private readonly overlay: LogOverlay,
    minimumSize: number,
  ) {
    this.size = Math.max(file.size, overlay.extent, minimumSize);
  }

  get path(): string {
    return this.file.path;
  }

  async readExact(position: number, length: number, what: string, into?: Buffer): Promise<Buffer> {
    if (position < 0 || position + length > this.size) {
      throw corrupt(this.path, `${what} at offset ${position} (${length} bytes) lies beyond the end of the file (${this.size} bytes once its log is replayed).`);
    }
    const buf = into ?? Buffer.allocUnsafe(length);
    const inFile = Math.max(0, Math.min(length, this.file.size - position));
    if (inFile > 0) await this.file.readExact(position, inFile, what, buf.subarray(0, inFile));
    if (inFile < length) buf.fill(0, inFile, length);
    this.overlay.apply(position, buf.subarray(0, length));
    return buf;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
