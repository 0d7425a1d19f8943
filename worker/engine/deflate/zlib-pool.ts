import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { constants as zc } from 'node:zlib';
import { FerryError } from '../errors';
import type { Chunk } from '../io/chunk';
import { GRAIN_SIZE } from '../formats/vmdk/constants';
import { nativeAddon } from '../io/native-addon';

/** Bytes of grains one job carries in: a thread's share of a 4 MiB chunk, with room to spare. */
const SLOT_BYTES = 2 * 1024 * 1024 + 64 * 1024;

/**
 * What each pool thread runs. Plain JavaScript in a string, so the thread needs no file of its
 * own (none to find inside an asar, none for a bundler to move) and no transpiler.
 *
 * Input and output live in shared memory the pool reuses, so a job allocates nothing the caller
 * must later collect; the thread writes each result into the output area and reports its size
 * (-1: did not inflate, or would not fit).
 *
 * Per grain: a sampled byte-entropy test sends random or already-compressed data to a stored
 * zlib stream (what deflate would emit for it anyway, without the search for matches), everything
 * else to deflate (RFC 1950, as VMware, qemu and libvmdk read grains): libdeflate through the
 * addon where it is built and loads (workerData.addon), else node:zlib.
 */
const THREAD_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const zlib = require('node:zlib');
const { Z_FINISH, Z_DEFAULT_COMPRESSION } = zlib.constants;
let addon = null;
try { if (workerData && workerData.addon) addon = require(workerData.addon); } catch {}

/**
 * One zlib stream per thread and kind, reset after each grain: a one-shot call (deflateSync)
 * allocates the stream's ~300 KB of state and its result for every grain, which costs more CPU
 * than the compression of a grain that compresses well, and leaves garbage outside V8's heap
 * that only a collection gives back. The stream writes straight into the shared output area.
 * The handle (writeSync, the write state, reset) is Node's own, unchanged from Node 12 to 24;
 * where one lacks it, the one-shot calls serve.
 */
function reusable(make, mustTakeAll) {
  let stream, failed = false;
  const open = () => {
    try { stream?.close(); } catch {}
    stream = make();
    failed = false;
    // Errors arrive through the handle's callback, synchronously inside writeSync.
    stream._handle.onerror = () => { failed = true; };
  };
  try { open(); } catch { return undefined; }
  if (typeof stream._handle.writeSync !== 'function' || !stream._writeState || typeof stream._handle.reset !== 'function') return undefined;
  /**
   * Runs g through the stream into out[o..o+room); the bytes written, or -1. Room left over
   * means the stream ended (zlib reports a stream cut short as an error); an inflate may leave
   * input behind its end, as a one-shot inflate does.
   */
  return (g, out, o, room) => {
    if (failed) open();
    stream._handle.writeSync(Z_FINISH, g, 0, g.length, out, o, room);
    if (failed) return -1;
    const [availOut, availIn] = stream._writeState;
    stream._handle.reset();
    return availOut > 0 && (!mustTakeAll || availIn === 0) ? room - availOut : -1;
  };
}
const deflaters = new Map();
function deflater(level) {
  if (!deflaters.has(level)) deflaters.set(level, reusable(() => zlib.createDeflate({ level }), true) ?? null);
  return deflaters.get(level);
}
const inflater = reusable(() => zlib.createInflate(), false);

const SAMPLES = 4096;
const log2 = new Float64Array(SAMPLES + 1);
for (let n = 1; n <= SAMPLES; n++) log2[n] = Math.log2(n);
const counts = new Uint16Array(256);

function incompressible(g) {
  if (g.length < SAMPLES) return false;
  counts.fill(0);
  const stride = Math.floor(g.length / SAMPLES);
  for (let i = 0; i < SAMPLES; i++) counts[g[i * stride]]++;
  let sum = 0;
  for (let b = 0; b < 256; b++) sum += counts[b] * log2[counts[b]];
  return log2[SAMPLES] - sum / SAMPLES > 7.9;
}

function adler32(d) {
  let a = 1, b = 0, i = 0;
  while (i < d.length) {
    const end = Math.min(i + 5552, d.length);
    for (; i < end; i++) { a += d[i]; b += a; }
    a %= 65521; b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * Writes g as a zlib stream of stored blocks at out[o..]; its length, or -1 if it does not fit.
 * With the addon, libdeflate's level 0 writes the same bytes with a vectorised Adler-32.
 */
function stored(g, out, o) {
  const blocks = Math.max(1, Math.ceil(g.length / 65535));
  const total = 2 + 5 * blocks + g.length + 4;
  if (o + total > out.length) return -1;
  out[o] = 0x78; out[o + 1] = 0x01;
  let p = o + 2;
  for (let at = 0, n = 0; n < blocks; n++, at += 65535) {
    const len = Math.min(65535, g.length - at);
    out[p] = n === blocks - 1 ? 1 : 0;
    out.writeUInt16LE(len, p + 1);
    out.writeUInt16LE(~len & 0xffff, p + 3);
    g.copy(out, p + 5, at, at + len);
    p += 5 + len;
  }
  out.writeUInt32BE(adler32(g), p);
  return total;
}

function put(r, out, o) {
  if (!r || o + r.length > out.length) return -1;
  r.copy(out, o);
  return r.length;
}

/** zlib's default level is 6, libdeflate's too; libdeflate takes no -1. */
function deflate(g, out, o, level) {
  if (addon) return addon.compress(level === Z_DEFAULT_COMPRESSION ? 6 : level, g, out, o);
  const run = deflater(level);
  if (run) return run(g, out, o, out.length - o);
  return put(zlib.deflateSync(g, { level }), out, o);
}

/** Inflates g into out[o..]: at most max bytes (one more means the stream holds too many). */
function inflate(g, out, o, max) {
  if (addon) return addon.decompress(g, out, o, max);
  if (inflater) {
    const n = inflater(g, out, o, Math.min(max + 1, out.length - o));
    return n > max ? -1 : n;
  }
  try {
    return put(zlib.inflateSync(g, { maxOutputLength: max }), out, o);
  } catch {
    return -1; // The caller reports the grain that does not inflate.
  }
}

parentPort.on('message', ({ id, op, input, output, lengths, level, max }) => {
  const src = Buffer.from(input);
  const out = Buffer.from(output);
  const sizes = new Int32Array(lengths.length);
  let at = 0;
  let o = 0;
  for (let i = 0; i < lengths.length; i++) {
    const g = src.subarray(at, at + lengths[i]);
    at += lengths[i];
    let n;
    if (op === 'inflate') n = inflate(g, out, o, max);
    else if (incompressible(g)) n = addon ? addon.compress(0, g, out, o) : stored(g, out, o);
    else n = deflate(g, out, o, level);
    sizes[i] = n;
    if (n > 0) o += n;
  }
  parentPort.postMessage({ id, sizes }, [sizes.buffer]);
});
`;

export interface CompressedGrain {
  /** Grain index within the disk. */
  index: number;
  data: Buffer;
}

/**
 * Results that live in the pool's shared memory: valid until `release()`, which hands that
 * memory to the next job. Every batch must be released, also when the caller fails.
 */
export interface Batch<T> {
  items: T[];
  release(): void;
}

/** Input and output areas in shared memory, reused job after job. */
interface Slot {
  input: Buffer;
  output: Buffer;
}

interface Pending {
  resolve: (sizes: Int32Array) => void;
  reject: (e: Error) => void;
}

const shared = (bytes: number): Buffer => Buffer.from(new SharedArrayBuffer(bytes));

/**
 * Released slots, shared by every pool of this thread: the verification's reader takes up the
 * memory the conversion's writer gave back, instead of leaving it for the collector.
 */
const spareSlots: Slot[] = [];
const MAX_SPARE_SLOTS = 8;

/**
 * Threads of finished pools, kept for the next: starting one costs ~10 MB of memory the OS rarely
 * gets back. Each remembers the addon it loaded, so a pool made after FERRY_NATIVE changed gets
 * threads of its own kind.
 */
const idleWorkers: Worker[] = [];
const addonOf = new WeakMap<Worker, string | undefined>();
const MAX_IDLE_WORKERS = Math.max(1, availableParallelism());

/**
 * A thread allocates next to nothing per job (its zlib streams live outside V8's heap), so a small
 * young generation keeps it near V8's floor; the old generation's cap is far above what it uses.
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 };

/** Room for a deflated grain that did not shrink (zlib's deflateBound, rounded up). */
const deflateBound = (n: number): number => n + (n >>> 10) + 64;

/**
 * Compresses (and inflates) grains on worker threads, one per core. Grains are copied into the
 * pool's shared memory, so the caller's buffer is free again as soon as a call returns its
 * promise; results stay in that memory until their batch is released. Released areas are reused
 * (also by the next pool), so a long conversion makes no garbage for the main thread to collect,
 * and the memory held follows the jobs the caller keeps in flight.
 */
export class ZlibPool {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly workers: Worker[],
    private readonly level: number = zc.Z_DEFAULT_COMPRESSION,
  ) {
    for (const w of workers) {
      w.on('message', (m: { id: number; sizes: Int32Array }) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m.sizes);
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`a compression thread stopped (exit code ${code})`));
      });
    }
  }

  static create(level?: number, threads = Math.max(1, availableParallelism())): ZlibPool {
    const addon = nativeAddon()?.path;
    const workers = Array.from({ length: threads }, () => {
      const at = idleWorkers.findIndex((w) => addonOf.get(w) === addon);
      const idle = at >= 0 ? idleWorkers.splice(at, 1)[0] : undefined;
      if (idle) idle.ref();
      const worker = idle ?? new Worker(THREAD_SOURCE, { eval: true, resourceLimits: THREAD_LIMITS, workerData: { addon } });
      addonOf.set(worker, addon);
      return worker;
    });
    return new ZlibPool(workers, level);
  }

  private fail(err: Error): void {
    this.failure ??= new FerryError('E_INTERNAL', `Compression failed: ${err.message}`);
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  /** A free slot, or a new one: callers bound their jobs in flight, and so the slots made. */
  private acquire(): Slot {
    return spareSlots.pop() ?? { input: shared(SLOT_BYTES), output: shared(deflateBound(SLOT_BYTES)) };
  }

  private run(worker: Worker, op: 'deflate' | 'inflate', slot: Slot, lengths: number[], max: number): Promise<Int32Array> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, input: slot.input.buffer, output: slot.output.buffer, lengths, level: this.level, max });
    });
  }

  /**
   * Runs `op` over `pieces` in contiguous shares, one per thread, each in a slot of its own;
   * results in the same order (an empty buffer for a piece that failed). The pieces are copied
   * into shared memory before this returns its promise, so the caller's buffer is free at once.
   */
  private spread(op: 'deflate' | 'inflate', pieces: Buffer[], outputBound: (piece: Buffer) => number, max = 0): Promise<Batch<Buffer>> {
    const share = Math.ceil(pieces.length / this.workers.length);
    const slots: Slot[] = [];
    const release = (): void => {
      for (const slot of slots.splice(0)) if (spareSlots.length < MAX_SPARE_SLOTS) spareSlots.push(slot);
    };
    const jobs: Array<Promise<Buffer[]>> = [];
    for (let w = 0; w * share < pieces.length; w++) {
      const mine = pieces.slice(w * share, (w + 1) * share);
      const slot = this.acquire();
      slots.push(slot);
      const inBytes = mine.reduce((n, p) => n + p.length, 0);
      const outBytes = mine.reduce((n, p) => n + outputBound(p), 0);
      if (slot.input.length < inBytes) slot.input = shared(inBytes);
      if (slot.output.length < outBytes) slot.output = shared(outBytes);
      let at = 0;
      for (const p of mine) {
        p.copy(slot.input, at);
        at += p.length;
      }
      jobs.push(
        this.run(this.workers[w]!, op, slot, mine.map((p) => p.length), max).then((sizes) => {
          let from = 0;
          return Array.from(sizes, (size) => {
            if (size < 0) return Buffer.alloc(0);
            const view = slot.output.subarray(from, from + size);
            from += size;
            return view;
          });
        }),
      );
    }
    // After a failure another thread may still be writing into its slot: those slots are dropped.
    return Promise.all(jobs).then((results) => ({ items: results.flat(), release }));
  }

  /**
   * Inflates zlib streams of at most `max` bytes each; one that does not inflate comes back
   * empty. Release the batch once its grains are copied out.
   */
  inflate(streams: Buffer[], max: number): Promise<Batch<Buffer>> {
    return streams.length === 0 ? Promise.resolve({ items: [], release: () => undefined }) : this.spread('inflate', streams, () => max + 1, max);
  }

  /** The chunk's non-zero grains, compressed, in disk order. Release the batch once written. */
  async compress(chunk: Chunk): Promise<Batch<CompressedGrain>> {
    const first = chunk.offset / GRAIN_SIZE;
    const grains: number[] = [];
    const count = Math.ceil(chunk.data.length / GRAIN_SIZE);
    for (let g = 0; g < count; g++) if (!chunk.zero[g]) grains.push(g);
    if (grains.length === 0) return { items: [], release: () => undefined };
    const pieces = grains.map((g) => chunk.data.subarray(g * GRAIN_SIZE, Math.min((g + 1) * GRAIN_SIZE, chunk.data.length)));
    const batch = await this.spread('deflate', pieces, (p) => deflateBound(p.length));
    if (batch.items.some((d) => d.length === 0)) {
      batch.release();
      throw new FerryError('E_INTERNAL', 'Internal error: a grain did not fit its compression buffer.');
    }
    return { items: batch.items.map((data, i) => ({ index: first + grains[i]!, data })), release: batch.release };
  }

  /**
   * Gives the threads back for the next pool of this thread (the verification's reader after the
   * conversion's writer), idle and not keeping the process alive; after a failure they end.
   */
  async destroy(): Promise<void> {
    if (this.failure || this.pending.size > 0) {
      await Promise.all(this.workers.map((w) => w.terminate()));
      return;
    }
    for (const w of this.workers) {
      w.removeAllListeners('message');
      w.removeAllListeners('error');
      w.removeAllListeners('exit');
      w.unref();
      if (idleWorkers.length < MAX_IDLE_WORKERS) idleWorkers.push(w);
      else await w.terminate();
    }
  }
}
