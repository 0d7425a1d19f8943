import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { constants as zc } from 'node:zlib';
import { FerryError } from '../../errors';
import type { Chunk } from '../../pipeline';
import { GRAIN_SIZE } from './constants';

/**
 * What each pool thread runs. Plain JavaScript in a string, so the thread needs no file of its
 * own (none to find inside an asar, none for a bundler to move) and no transpiler.
 *
 * Per grain: a sampled byte-entropy test sends random or already-compressed data to a stored
 * zlib stream (what deflate would emit for it anyway, without the search for matches), everything
 * else to zlib's deflate (RFC 1950, as VMware, qemu and libvmdk read grains).
 */
const THREAD_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
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

function stored(g) {
  const blocks = Math.max(1, Math.ceil(g.length / 65535));
  const out = Buffer.allocUnsafe(2 + 5 * blocks + g.length + 4);
  out[0] = 0x78; out[1] = 0x01;
  let o = 2;
  for (let at = 0, n = 0; n < blocks; n++, at += 65535) {
    const len = Math.min(65535, g.length - at);
    out[o] = n === blocks - 1 ? 1 : 0;
    out.writeUInt16LE(len, o + 1);
    out.writeUInt16LE(~len & 0xffff, o + 3);
    g.copy(out, o + 5, at, at + len);
    o += 5 + len;
  }
  out.writeUInt32BE(adler32(g), o);
  return out;
}

function inflate(g, max) {
  try {
    return zlib.inflateSync(g, { maxOutputLength: max });
  } catch {
    return Buffer.alloc(0); // The caller reports the grain that does not inflate.
  }
}

parentPort.on('message', ({ id, op, data, lengths, level, max }) => {
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const outs = [];
  let at = 0;
  for (const len of lengths) {
    const g = input.subarray(at, at + len);
    at += len;
    if (op === 'inflate') outs.push(inflate(g, max));
    else outs.push(incompressible(g) ? stored(g) : zlib.deflateSync(g, { level }));
  }
  const sizes = new Int32Array(outs.length);
  let total = 0;
  outs.forEach((o, i) => { sizes[i] = o.length; total += o.length; });
  const out = new Uint8Array(total);
  let p = 0;
  for (const o of outs) { out.set(o, p); p += o.length; }
  parentPort.postMessage({ id, out, sizes }, [out.buffer, sizes.buffer]);
});
`;

export interface CompressedGrain {
  /** Grain index within the disk. */
  index: number;
  data: Buffer;
}

interface Pending {
  resolve: (r: { out: Uint8Array; sizes: Int32Array }) => void;
  reject: (e: Error) => void;
}

/**
 * Compresses (and inflates) grains on worker threads, one per core. Grains are copied into the
 * message, so the caller's buffer is free again as soon as a call returns its promise.
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
      w.on('message', (m: { id: number; out: Uint8Array; sizes: Int32Array }) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m);
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`a compression thread stopped (exit code ${code})`));
      });
    }
  }

  static create(level?: number, threads = Math.max(1, availableParallelism())): ZlibPool {
    const workers = Array.from({ length: threads }, () => new Worker(THREAD_SOURCE, { eval: true }));
    return new ZlibPool(workers, level);
  }

  private fail(err: Error): void {
    this.failure ??= new FerryError('E_INTERNAL', `Compression failed: ${err.message}`);
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  private run(worker: Worker, op: 'deflate' | 'inflate', data: Uint8Array, lengths: number[], max = 0): Promise<{ out: Uint8Array; sizes: Int32Array }> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, data, lengths, level: this.level, max }, [data.buffer as ArrayBuffer]);
    });
  }

  /** Runs `op` over `pieces` in contiguous shares, one per thread; results in the same order. */
  private async spread(op: 'deflate' | 'inflate', pieces: Buffer[], max = 0): Promise<Buffer[]> {
    const share = Math.ceil(pieces.length / this.workers.length);
    const jobs: Array<Promise<Buffer[]>> = [];
    for (let w = 0; w * share < pieces.length; w++) {
      const mine = pieces.slice(w * share, (w + 1) * share);
      const lengths = mine.map((p) => p.length);
      const data = new Uint8Array(lengths.reduce((n, l) => n + l, 0));
      let at = 0;
      for (const p of mine) {
        data.set(p, at);
        at += p.length;
      }
      jobs.push(
        this.run(this.workers[w]!, op, data, lengths, max).then(({ out, sizes }) => {
          const buf = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
          let p = 0;
          return Array.from(sizes, (size) => buf.subarray(p, (p += size)));
        }),
      );
    }
    return (await Promise.all(jobs)).flat();
  }

  /** Inflates zlib streams of at most `max` bytes each; one that does not inflate comes back empty. */
  inflate(streams: Buffer[], max: number): Promise<Buffer[]> {
    return streams.length === 0 ? Promise.resolve([]) : this.spread('inflate', streams, max);
  }

  /** The chunk's non-zero grains, compressed, in disk order. */
  async compress(chunk: Chunk): Promise<CompressedGrain[]> {
    const first = chunk.offset / GRAIN_SIZE;
    const grains: number[] = [];
    const count = Math.ceil(chunk.data.length / GRAIN_SIZE);
    for (let g = 0; g < count; g++) if (!chunk.zero[g]) grains.push(g);
    if (grains.length === 0) return [];
    const pieces = grains.map((g) => chunk.data.subarray(g * GRAIN_SIZE, Math.min((g + 1) * GRAIN_SIZE, chunk.data.length)));
    // Copied now, before the first await, so the caller's buffer is free when this returns.
    const work = this.spread('deflate', pieces);
    const out = await work;
    return out.map((data, i) => ({ index: first + grains[i]!, data }));
  }

  async destroy(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
