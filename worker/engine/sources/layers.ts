import type { ReadOnlyFile } from '../io/read-only-file';
import type { DiskSource, Run } from './source';

/** What a 'here' segment is read from: a source file, or a wrapper with the same reads (a VHDX seen through its replayed log). */
export type SegmentFile = Pick<ReadOnlyFile, 'path' | 'readExact'>;

/**
 * Where one layer of a disk keeps a range: in its own file, nowhere (zeros), or in the layer
 * below (the parent of a differencing disk).
 */
export type Segment =
  | { length: number; kind: 'here'; file: SegmentFile; position: number }
  | { length: number; kind: 'zero' }
  | { length: number; kind: 'below' };

export interface Layer {
  readonly size: number;
  /** Segments covering [offset, offset + length) exactly, in order. */
  map(offset: number, length: number): Promise<Segment[]>;
  close(): Promise<void>;
}

export type Resolved =
  | { length: number; kind: 'here'; file: SegmentFile; position: number }
  | { length: number; kind: 'zero' };

/** Appends a segment, merging it with the previous one when they continue each other. */
export function pushSegment<T extends Segment | Resolved>(out: T[], seg: T): void {
  if (seg.length === 0) return;
  const last = out[out.length - 1];
  if (last && last.kind === seg.kind) {
    if (seg.kind !== 'here') {
      last.length += seg.length;
      return;
    }
    const prev = last as Extract<Segment, { kind: 'here' }>;
    if (prev.file === seg.file && prev.position + prev.length === seg.position) {
      prev.length += seg.length;
      return;
    }
  }
  out.push(seg);
}

/** How much of the virtual disk `runs()` resolves at a time; bounds the segment lists. */
const EXTENT_WINDOW = 256 * 1024 * 1024;

/**
 * Merges a stack of layers (top first) into one guest-visible disk: each byte comes from the
 * first layer that has it; a range no layer has reads as zeros.
 */
export class LayeredSource implements DiskSource {
  constructor(
    readonly path: string,
    private readonly layers: Layer[],
    readonly info: DiskSource['info'],
  ) {}

  get size(): number {
    return this.info.virtualSize;
  }

  private async resolve(depth: number, offset: number, length: number, out: Resolved[]): Promise<void> {
    const layer = this.layers[depth];
    if (!layer) {
      pushSegment(out, { kind: 'zero', length });
      return;
    }
    let at = offset;
    for (const seg of await layer.map(offset, length)) {
      if (seg.kind === 'below') await this.resolve(depth + 1, at, seg.length, out);
      else pushSegment(out, { ...seg });
      at += seg.length;
    }
  }

  async *runs(): AsyncIterable<Run> {
    let pending: Run | undefined;
    for (let window = 0; window < this.size; window += EXTENT_WINDOW) {
      const length = Math.min(EXTENT_WINDOW, this.size - window);
      const segs: Resolved[] = [];
      await this.resolve(0, window, length, segs);
      let at = window;
      for (const seg of segs) {
        const kind = seg.kind === 'here' ? 'data' : 'zero';
        if (pending && pending.kind === kind) pending.length += seg.length;
        else {
          if (pending) yield pending;
          pending = { offset: at, length: seg.length, kind };
        }
        at += seg.length;
      }
    }
    if (pending) yield pending;
  }

  async read(offset: number, length: number, into: Buffer): Promise<void> {
    const segs: Resolved[] = [];
    await this.resolve(0, offset, length, segs);
    let at = 0;
    await Promise.all(
      segs.map((seg) => {
        const target = into.subarray(at, at + seg.length);
        at += seg.length;
        if (seg.kind === 'zero') {
          target.fill(0);
          return undefined;
        }
        return seg.file.readExact(seg.position, seg.length, 'disk data', target);
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.layers.map((l) => l.close()));
  }
}
