import { Worker } from 'node:worker_threads';
import { FerryError } from './errors';
import { GRAIN_SIZE } from './writers/vmdk/constants';

const ZERO_GRAIN = Buffer.alloc(GRAIN_SIZE);

/** Marks each grain of `data` (the last may be short) that is entirely zero. */
export function markZeroGrains(data: Buffer, zero: Uint8Array): number {
  const grains = Math.ceil(data.length / GRAIN_SIZE);
  for (let g = 0; g < grains; g++) {
    const start = g * GRAIN_SIZE;
    const end = Math.min(start + GRAIN_SIZE, data.length);
    const grain = data.subarray(start, end);
    zero[g] = (end - start === GRAIN_SIZE ? grain.equals(ZERO_GRAIN) : grain.equals(ZERO_GRAIN.subarray(0, end - start))) ? 1 : 0;
  }
  return grains;
}

/**
 * What the digest thread runs: SHA-256 over (grain index, grain bytes) as messages arrive, an
 * acknowledgement after each so the sender can bound what is in flight. Plain JavaScript in a
 * string so the thread needs no file of its own.
 */
const DIGEST_THREAD = String.raw`
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hash = createHash('sha256');
const index = Buffer.alloc(8);
parentPort.on('message', (m) => {
  if (m === 'end') {
    parentPort.postMessage({ digest: hash.digest('hex') });
    return;
  }
  const data = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  let at = 0;
  for (let i = 0; i < m.grains.length; i++) {
    index.writeBigUInt64LE(BigInt(m.grains[i]));
    hash.update(index);
    hash.update(data.subarray(at, at + m.lengths[i]));
    at += m.lengths[i];
  }
  parentPort.postMessage({ ack: m.data.byteLength });
});
`;

/** Bytes handed to the digest thread and not yet hashed, at most. */
const MAX_IN_FLIGHT = 16 * 1024 * 1024;

/**
 * The digest the verification pass compares: SHA-256 over (grain index, grain bytes) of every
 * non-zero 64 KiB grain in disk order. Its cost follows the data, not the virtual size, and two
 * disks have the same digest exactly when they hold the same bytes. Both the conversion and the
 * verification pay for it, so it runs on a thread of its own, beside the reads and writes.
 */
export class GrainDigest {
  dataBytes = 0;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private finished: { resolve: (digest: string) => void; reject: (err: Error) => void } | undefined;
  private failure: Error | undefined;

  private constructor(private readonly thread: Worker | undefined) {
    thread?.on('message', (m: { ack: number } | { digest: string }) => {
      if ('ack' in m) {
        this.inFlight -= m.ack;
        this.wake?.();
      } else this.finished?.resolve(m.digest);
    });
    thread?.on('error', (err) => {
      this.failure = new FerryError('E_INTERNAL', `Internal error: the digest thread failed (${err.message}).`);
      this.wake?.();
      this.finished?.reject(this.failure);
    });
  }

  /** Without `hashing`, only counts the data bytes (a conversion that will not be verified). */
  static async create(hashing = true): Promise<GrainDigest> {
    return new GrainDigest(hashing ? new Worker(DIGEST_THREAD, { eval: true }) : undefined);
  }

  /** Takes the chunk's non-zero grains; they are copied before this returns its promise. */
  async add(offset: number, data: Buffer, zero: Uint8Array): Promise<void> {
    const first = offset / GRAIN_SIZE;
    const count = Math.ceil(data.length / GRAIN_SIZE);
    const grains: number[] = [];
    const lengths: number[] = [];
    for (let g = 0; g < count; g++) {
      if (zero[g]) continue;
      grains.push(first + g);
      lengths.push(Math.min(GRAIN_SIZE, data.length - g * GRAIN_SIZE));
    }
    const bytes = lengths.reduce((n, l) => n + l, 0);
    this.dataBytes += bytes;
    if (!this.thread || bytes === 0) return;
    const copy = new Uint8Array(bytes);
    let at = 0;
    grains.forEach((grain, i) => {
      const start = (grain - first) * GRAIN_SIZE;
      copy.set(data.subarray(start, start + lengths[i]!), at);
      at += lengths[i]!;
    });
    this.thread.postMessage({ grains, lengths, data: copy }, [copy.buffer]);
    this.inFlight += bytes;
    while (this.inFlight > MAX_IN_FLIGHT && !this.failure) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure) throw this.failure;
  }

  /** The digest, or undefined when created without hashing. Ends the thread. */
  async hex(): Promise<string | undefined> {
    if (!this.thread) return undefined;
    if (this.failure) throw this.failure;
    const digest = new Promise<string>((resolve, reject) => (this.finished = { resolve, reject }));
    this.thread.postMessage('end');
    const result = await digest;
    await this.thread.terminate();
    return result;
  }

  /** Ends the thread without a digest (a failed or cancelled pass). */
  async dispose(): Promise<void> {
    await this.thread?.terminate();
  }
}
