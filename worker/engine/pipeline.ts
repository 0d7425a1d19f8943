import { throwIfAborted } from './errors';
import { markZeroGrains } from './grains';
import type { DiskSource } from './sources/source';
import { GRAIN_SIZE } from './writers/vmdk/constants';

/** A grain-aligned run of the virtual disk, read, with each grain marked zero or not. */
export interface Chunk {
  offset: number;
  data: Buffer;
  /** 1 for each grain of `data` that is entirely zero. */
  zero: Uint8Array;
}

export interface ChunkOptions {
  signal?: AbortSignal | undefined;
  /** Called with how much of the virtual disk is covered after each chunk. */
  onCovered?: (bytes: number) => void;
  chunkSize?: number;
  /** How many chunks may be read ahead of the consumer. */
  readAhead?: number;
}

const DEFAULT_CHUNK = 4 * 1024 * 1024;

/** The grain-aligned spans that hold data, in order, each at most `chunkSize` long. */
async function* dataSpans(source: DiskSource, chunkSize: number): AsyncGenerator<{ offset: number; length: number }> {
  let next = 0;
  for await (const ext of source.extents()) {
    if (ext.kind === 'zero') continue;
    const start = Math.max(next, Math.floor(ext.offset / GRAIN_SIZE) * GRAIN_SIZE);
    const end = Math.min(source.size, Math.ceil((ext.offset + ext.length) / GRAIN_SIZE) * GRAIN_SIZE);
    for (let at = start; at < end; at += chunkSize) yield { offset: at, length: Math.min(chunkSize, end - at) };
    next = Math.max(next, end);
  }
}

/**
 * Reads every data-bearing grain of `source` once, in order, with bounded memory (a fixed pool of
 * buffers) and reads overlapping the consumer's work. Zero extents cost nothing.
 */
export async function forEachChunk(source: DiskSource, opts: ChunkOptions, consume: (chunk: Chunk) => Promise<void>): Promise<void> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
  const readAhead = opts.readAhead ?? 2;
  const pool: Buffer[] = [];
  const zeroPool: Uint8Array[] = [];
  for (let i = 0; i < readAhead + 1; i++) {
    pool.push(Buffer.allocUnsafe(chunkSize));
    zeroPool.push(new Uint8Array(chunkSize / GRAIN_SIZE));
  }
  const spans = dataSpans(source, chunkSize);
  const inflight: Array<Promise<Chunk | undefined>> = [];
  let slot = 0;
  let exhausted = false;
  const readNext = async (buf: Buffer, zero: Uint8Array): Promise<Chunk | undefined> => {
    const span = await spans.next();
    if (span.done) return undefined;
    const data = buf.subarray(0, span.value.length);
    await source.read(span.value.offset, span.value.length, data);
    markZeroGrains(data, zero);
    return { offset: span.value.offset, data, zero };
  };
  // Reads are issued one after another (the span iterator is sequential), so chain them.
  let tail: Promise<unknown> = Promise.resolve();
  const schedule = (): void => {
    const buf = pool[slot]!;
    const zero = zeroPool[slot]!;
    slot = (slot + 1) % pool.length;
    const p = tail.then(() => (exhausted ? undefined : readNext(buf, zero)));
    tail = p.then(
      (c) => {
        if (!c) exhausted = true;
      },
      () => undefined,
    );
    inflight.push(p);
  };
  try {
    for (let i = 0; i < readAhead; i++) schedule();
    for (;;) {
      throwIfAborted(opts.signal);
      schedule();
      const chunk = await inflight.shift()!;
      if (!chunk) break;
      await consume(chunk);
      opts.onCovered?.(chunk.offset + chunk.data.length);
    }
    throwIfAborted(opts.signal);
    opts.onCovered?.(source.size);
  } finally {
    // Let reads still in flight settle before their buffers go away.
    await Promise.allSettled(inflight);
  }
}
