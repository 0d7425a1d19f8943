import type { Chunk } from '../io/chunk';
import { throwIfAborted } from '../errors';
import { markZeroGrains, type DataMap } from './grains';
import { BufferPool } from '../io/buffer-pool';
import type { DiskSource, Run } from '../sources/source';
import { GRAIN_SIZE } from '../formats/vmdk/constants';

/** A run of the virtual disk to read. */
export interface Span {
  offset: number;
  length: number;
}

/** A grain-aligned run of the virtual disk, read, with each grain marked zero or not. */

export interface ChunkOptions {
  signal?: AbortSignal | undefined;
  /** Called with how much of the virtual disk is covered after each chunk. */
  onCovered?: (bytes: number) => void;
  chunkSize?: number | undefined;
  /** How many chunks may be read ahead of the consumer. */
  readAhead?: number;
  /** Records where the chunks held data, for the verification. */
  dataMap?: DataMap;
  /**
   * For a consumer that returns before it is done with a chunk's memory: it may go on using it
   * until it has been given `chunks` more, and `release` resolves (never rejects) once it uses none.
   */
  held?: { chunks: number; release(): Promise<void> };
}

export const DEFAULT_CHUNK = 4 * 1024 * 1024;

/**
 * Chunk buffers given back by finished passes, for the next pass of this thread to take: the
 * verification reuses the conversion's instead of leaving them to the collector.
 */
export const chunkBuffers = new BufferPool(DEFAULT_CHUNK, 8);

const alignDown = (n: number): number => Math.floor(n / GRAIN_SIZE) * GRAIN_SIZE;
const alignUp = (n: number): number => Math.ceil(n / GRAIN_SIZE) * GRAIN_SIZE;

/** The grain-aligned parts of `runs` that hold data, merged where they touch. */
async function* dataRuns(runs: AsyncIterable<Run>, size: number): AsyncGenerator<Span> {
  let run: Span | undefined;
  for await (const r of runs) {
    if (r.kind === 'zero') continue;
    const start = alignDown(r.offset);
    const end = Math.min(size, alignUp(r.offset + r.length));
    if (run && start <= run.offset + run.length) run.length = Math.max(run.length, end - run.offset);
    else {
      if (run) yield run;
      run = { offset: start, length: end - start };
    }
  }
  if (run) yield run;
}

/** `runs` cut into pieces of at most `chunkSize`. */
async function* chunked(runs: AsyncIterable<Span>, chunkSize: number): AsyncGenerator<Span> {
  for await (const run of runs) {
    const end = run.offset + run.length;
    for (let at = run.offset; at < end; at += chunkSize) yield { offset: at, length: Math.min(chunkSize, end - at) };
  }
}

/** The grain-aligned spans of `source` that hold data, in order, each at most `chunkSize` long. */
export function dataSpans(source: Pick<DiskSource, 'runs' | 'size'>, chunkSize = DEFAULT_CHUNK): AsyncGenerator<Span> {
  return chunked(dataRuns(source.runs(), source.size), chunkSize);
}

/**
 * The grain-aligned spans where `a` or `b` holds data, in order, each at most `chunkSize` long:
 * outside them both read zero, so comparing the two disks there proves them equal everywhere.
 */
export function unionDataSpans(a: Pick<DiskSource, 'runs' | 'size'>, b: Pick<DiskSource, 'runs' | 'size'>, chunkSize = DEFAULT_CHUNK): AsyncGenerator<Span> {
  async function* union(): AsyncGenerator<Span> {
    const ia = dataRuns(a.runs(), a.size)[Symbol.asyncIterator]();
    const ib = dataRuns(b.runs(), b.size)[Symbol.asyncIterator]();
    let na = await ia.next();
    let nb = await ib.next();
    let run: Span | undefined;
    while (!na.done || !nb.done) {
      let next: Span;
      if (nb.done || (!na.done && na.value.offset <= nb.value.offset)) {
        next = na.value as Span;
        na = await ia.next();
      } else {
        next = nb.value;
        nb = await ib.next();
      }
      if (run && next.offset <= run.offset + run.length) run.length = Math.max(run.length, next.offset + next.length - run.offset);
      else {
        if (run) yield run;
        run = { ...next };
      }
    }
    if (run) yield run;
  }
  return chunked(union(), chunkSize);
}

/**
 * Runs `produce` over `spans` in order, one at a time, up to `depth` spans ahead of `consume`, so
 * reading overlaps the consumer's work. `slot` (0..depth) names the buffers a produce may fill:
 * a slot is not handed out again until the item made in it has been consumed.
 */
export async function prefetch<T>(
  spans: AsyncIterator<Span>,
  depth: number,
  produce: (span: Span, slot: number) => Promise<T>,
  consume: (item: T, span: Span) => Promise<void>,
  signal?: AbortSignal,
  slots = depth + 1,
): Promise<void> {
  const inflight: Array<Promise<{ item: T; span: Span } | undefined>> = [];
  let slot = 0;
  let exhausted = false;
  // The span iterator is sequential, so its calls are chained; the produces then run side by side.
  let tail: Promise<unknown> = Promise.resolve();
  const schedule = (): void => {
    const mine = slot;
    slot = (slot + 1) % slots;
    const span = tail.then(async () => {
      if (exhausted) return undefined;
      const next = await spans.next();
      if (next.done) exhausted = true;
      return next.done ? undefined : next.value;
    });
    tail = span.catch(() => undefined);
    const item = span.then(async (s) => (s ? { item: await produce(s, mine), span: s } : undefined));
    // A read may fail before its turn comes; it is observed then, never as an unhandled rejection.
    item.catch(() => undefined);
    inflight.push(item);
  };
  try {
    for (let i = 0; i < depth; i++) schedule();
    for (;;) {
      throwIfAborted(signal);
      schedule();
      const next = await inflight.shift()!;
      if (!next) break;
      await consume(next.item, next.span);
    }
    throwIfAborted(signal);
  } finally {
    // Let reads still in flight settle before their buffers go away.
    await Promise.allSettled(inflight);
  }
}

/**
 * Reads every data-bearing grain of `source` once, in order, with bounded memory (a fixed pool of
 * buffers) and reads overlapping the consumer's work. Zero runs cost nothing.
 */
export async function forEachChunk(source: DiskSource, opts: ChunkOptions, consume: (chunk: Chunk) => Promise<void>): Promise<void> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
  const readAhead = opts.readAhead ?? 2;
  const slots = readAhead + 1 + (opts.held?.chunks ?? 0);
  const buffers = Array.from({ length: slots }, () => chunkBuffers.take(chunkSize));
  const zeros = Array.from({ length: slots }, () => new Uint8Array(chunkSize / GRAIN_SIZE));
  try {
    await prefetch<Chunk>(
      dataSpans(source, chunkSize),
      readAhead,
      async (span, slot) => {
        const data = buffers[slot]!.subarray(0, span.length);
        await source.read(span.offset, span.length, data);
        markZeroGrains(data, zeros[slot]!);
        opts.dataMap?.mark(span.offset, span.length, zeros[slot]!);
        return { offset: span.offset, data, zero: zeros[slot]! };
      },
      async (chunk) => {
        await consume(chunk);
        opts.onCovered?.(chunk.offset + chunk.data.length);
      },
      opts.signal,
      slots,
    );
  } finally {
    await opts.held?.release();
    // prefetch has let every read settle; a consumer is done with a chunk when it resolves.
    chunkBuffers.give(buffers);
  }
  opts.onCovered?.(source.size);
}
