// A streaming bzip2 decoder over seek-bzip's block decoder (pure JavaScript).
//
// seek-bzip decodes synchronously from a byte source. We feed it from a queue of the chunks
// received so far and let it decode one block at a time: when a block's compressed bytes have
// not all arrived, it runs out of input, we rewind to the block's start and wait for more. So
// memory holds one block's input (≤ ~1 MiB from any real encoder, capped for hostile input) and
// one block's output (≤ ~46 MiB, bzip2's run-length stage), and the event loop (progress,
// cancel) runs between blocks. Concatenated streams (pbzip2, lbzip2) are decoded in turn; the
// block and stream CRCs are checked.
import type BunzipDecoder from 'seek-bzip';
import { Transform, type TransformCallback } from 'node:stream';
import { DecodeError } from './decode-error';

/** Try to decode a block once this much input is waiting (a level-9 block is ~900 KB of output, less input). */
const ATTEMPT_BYTES = 1024 * 1024;
/** More input than this for one block is not something a bzip2 encoder writes. */
const MAX_BLOCK_INPUT = 32 * 1024 * 1024;
const OUT_CHUNK = 1024 * 1024;

class NeedMoreInput extends Error {}

interface Mark {
  ci: number;
  i: number;
  buffered: number;
}

/** The received, not yet consumed input: a cursor over a list of chunks that can rewind. */
class ByteQueue {
  private chunks: Buffer[] = [];
  private ci = 0;
  private i = 0;
  /** Bytes after the cursor. */
  buffered = 0;
  ended = false;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  readByte(): number {
    for (;;) {
      const c = this.chunks[this.ci];
      if (c === undefined) {
        if (this.ended) throw new DecodeError('the compressed data ends early; the file may be truncated or incomplete');
        throw new NeedMoreInput();
      }
      if (this.i < c.length) {
        this.buffered--;
        return c[this.i++]!;
      }
      this.ci++;
      this.i = 0;
    }
  }

  mark(): Mark {
    return { ci: this.ci, i: this.i, buffered: this.buffered };
  }

  reset(m: Mark): void {
    this.ci = m.ci;
    this.i = m.i;
    this.buffered = m.buffered;
  }

  /** Forgets the chunks before the cursor (call only where no rewind before it will be needed). */
  compact(): void {
    if (this.ci > 0) {
      this.chunks.splice(0, this.ci);
      this.ci = 0;
    }
  }

  /** The next `n` bytes without consuming them, or undefined if fewer are buffered. */
  peek(n: number): Buffer | undefined {
    if (this.buffered < n) return undefined;
    const out = Buffer.alloc(n);
    let ci = this.ci;
    let i = this.i;
    for (let k = 0; k < n; ) {
      const c = this.chunks[ci]!;
      const take = Math.min(n - k, c.length - i);
      c.copy(out, k, i, i + take);
      k += take;
      ci++;
      i = 0;
    }
    return out;
  }

  /** True when every byte after the cursor is zero (tape-style padding after the last stream). */
  restIsZero(): boolean {
    for (let ci = this.ci, i = this.i; ci < this.chunks.length; ci++, i = 0) {
      const c = this.chunks[ci]!;
      for (let k = i; k < c.length; k++) if (c[k] !== 0) return false;
    }
    return true;
  }
}

/** Collects output bytes into fixed chunks handed to `emit`. */
class ChunkedOutput {
  private buf = Buffer.allocUnsafe(OUT_CHUNK);
  private pos = 0;
  constructor(private readonly emit: (chunk: Buffer) => void) {}

  writeByte(b: number): void {
    this.buf[this.pos++] = b;
    if (this.pos === OUT_CHUNK) this.flush();
  }

  flush(): void {
    if (this.pos === 0) return;
    this.emit(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(OUT_CHUNK);
    this.pos = 0;
  }
}

function decodeMessage(err: unknown): DecodeError {
  if (err instanceof DecodeError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new DecodeError(`the bzip2 data is damaged (${msg.replace(/\.$/, '')})`);
}

/** A Transform from bzip2 bytes to the decompressed bytes. */
export function createBunzip2(): Transform {
  const input = new ByteQueue();
  let streams = 0;
  let finished = false;
  // Loaded on first use, as few runs meet bzip2.
  const Bunzip = require('seek-bzip') as typeof BunzipDecoder;
  let bz: BunzipDecoder | undefined;
  let attemptAt = ATTEMPT_BYTES;
  let transform: Transform;
  const output = new ChunkedOutput((chunk) => transform.push(chunk));
  const source = Object.assign(new Bunzip.Stream(), {
    readByte: () => input.readByte(),
    writeByte: (b: number) => output.writeByte(b),
  });

  /** One unit of work (a stream header, a block, or a stream's end); false when it needs more input. */
  const step = (): boolean => {
    const mark = input.mark();
    const saved = bz ? { crc: bz.streamCRC, bitOffset: bz.reader.bitOffset, curByte: bz.reader.curByte, hasByte: bz.reader.hasByte } : undefined;
    try {
      if (!bz) {
        const head = input.peek(4);
        if (!head) {
          if (!input.ended) return false;
          if (streams > 0 && input.restIsZero()) return (finished = true);
          throw new DecodeError(streams > 0 ? 'unexpected data after the end of the bzip2 stream' : 'the compressed data ends early; the file may be truncated');
        }
        if (head.toString('latin1', 0, 3) !== 'BZh') {
          if (streams > 0 && input.ended && input.restIsZero()) return (finished = true);
          if (streams > 0 && !input.ended && input.restIsZero()) return false;
          throw new DecodeError(streams > 0 ? 'unexpected data after the end of the bzip2 stream' : 'not bzip2 data');
        }
        bz = new Bunzip(source, source);
        streams++;
        return true;
      }
      if (bz._init_block()) {
        bz._read_bunzip();
        input.compact();
        return true;
      }
      const expected = bz.reader.read(32) >>> 0;
      if (expected !== bz.streamCRC >>> 0) throw new DecodeError('the bzip2 stream checksum does not match; the data is damaged');
      bz = undefined;
      input.compact();
      if (input.ended && input.buffered === 0) finished = true;
      return true;
    } catch (err) {
      if (!(err instanceof NeedMoreInput)) throw decodeMessage(err);
      input.reset(mark);
      if (bz && saved) {
        bz.streamCRC = saved.crc;
        bz.reader.bitOffset = saved.bitOffset;
        bz.reader.curByte = saved.curByte;
        bz.reader.hasByte = saved.hasByte;
      }
      if (mark.buffered > MAX_BLOCK_INPUT) throw new DecodeError(`a bzip2 block needs more than ${MAX_BLOCK_INPUT / 1024 / 1024} MiB of input; the data is damaged`);
      attemptAt = mark.buffered * 2;
      return false;
    }
  };

  const run = (): void => {
    while (!finished && (input.ended || input.buffered >= attemptAt)) {
      if (!step()) break;
      attemptAt = ATTEMPT_BYTES;
    }
    output.flush();
  };

  transform = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      try {
        if (finished) {
          if (chunk.some((b) => b !== 0)) throw new DecodeError('unexpected data after the end of the bzip2 stream');
          cb();
          return;
        }
        input.push(chunk);
        run();
        cb();
      } catch (err) {
        cb(decodeMessage(err));
      }
    },
    flush(cb: TransformCallback) {
      try {
        input.ended = true;
        run();
        if (!finished) throw new DecodeError('the compressed data ends early; the file may be truncated');
        cb();
      } catch (err) {
        cb(decodeMessage(err));
      }
    },
  });
  return transform;
}
