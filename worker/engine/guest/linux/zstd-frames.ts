// The zstd frames of an initramfs (RFC 8878, "Zstandard Compression and the
// 'application/zstd' Media Type"): Ferry walks the frame and block headers itself and hands
// fzstd one block at a time, so memory is one window plus one block whatever the data says,
// skippable frames are passed over, each frame's content checksum (XXH64) is checked, and the
// stream ends where the frames end, leaving what follows (padding, another archive) to the caller.
import { Script, createContext, type Context } from 'node:vm';
import type { Decompress as ZstdDecompress } from 'fzstd';
import type { XXHashAPI } from 'xxhash-wasm';
import { loadXxhashWasm } from '../../io/xxhash-wasm';
import type { Pull } from './pull';

export const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames: magic 0x184D2A50–0x184D2A5F, a 32-bit size, then that many bytes (RFC 8878 §3.1.2). */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** The largest window decoded: zstd's own default limit (windowLog 27), far above what dracut or mkinitramfs write. */
export const MAX_ZSTD_WINDOW = 128 * 1024 * 1024;
/** Block_Maximum_Size is min(Window_Size, 128 KiB) (RFC 8878 §3.1.1.2.4). */
const MAX_BLOCK = 128 * 1024;
const BLOCK_RLE = 1;
const BLOCK_RESERVED = 3;

/**
 * fzstd can loop for ever on some damaged Huffman tables (found by fuzzing), so each block is
 * decoded under a V8 watchdog; a healthy block takes milliseconds even with the largest window.
 */
const BLOCK_TIME_LIMIT_MS = 5000;

export class ZstdError extends Error {}

/** Made on first use: a V8 context costs every run that never opens a zstd initramfs. */
let guard: { context: Context; script: Script } | undefined;

/** Runs `step` synchronously, interrupted if it runs past the time limit. */
function guarded(step: () => void): void {
  const g = (guard ??= { context: createContext({ step: (): void => undefined }), script: new Script('step()') });
  (g.context as { step: () => void }).step = step;
  try {
    g.script.runInContext(g.context, { timeout: BLOCK_TIME_LIMIT_MS });
  } finally {
    (g.context as { step: () => void }).step = () => undefined;
  }
}

let hasher: Promise<XXHashAPI> | undefined;

/** Whether the 4 bytes at the start of `h` open a zstd or skippable frame. */
export function isZstdFrame(h: Buffer): boolean {
  if (h.length < 4) return false;
  const magic = h.readUInt32LE(0);
  return magic === ZSTD_MAGIC || (magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC;
}

interface FrameHeader {
  bytes: Buffer;
  windowSize: number;
  checksum: boolean;
}

async function frameHeader(p: Pull, at: number): Promise<FrameHeader> {
  const start = await p.peek(6);
  if (start.length < 6) throw new ZstdError(`the zstd frame at byte ${at} is cut short`);
  const fhd = start[4]!;
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  if (fhd & 0x08) throw new ZstdError(`the zstd frame at byte ${at} has its reserved header bit set (damaged)`);
  const dictBytes = [0, 1, 2, 4][fhd & 3]!;
  const fcsBytes = [singleSegment, 2, 4, 8][fcsFlag]!;
  const size = 5 + (singleSegment ? 0 : 1) + dictBytes + fcsBytes;
  const bytes = await p.take(size);
  if (!bytes) throw new ZstdError(`the zstd frame at byte ${at} is cut short`);
  let field = 5 + (singleSegment ? 0 : 1);
  const dictId = dictBytes ? bytes.readUIntLE(field, dictBytes) : 0;
  if (dictId !== 0) throw new ZstdError(`the zstd frame at byte ${at} needs dictionary ${dictId}, which an initramfs never uses`);
  field += dictBytes;
  let windowSize: number;
  if (singleSegment) {
    // The content size is the window; 8-byte sizes past 2^53 are far past the limit anyway.
    const fcs = fcsBytes === 8 ? bytes.readUInt32LE(field) + bytes.readUInt32LE(field + 4) * 2 ** 32 : bytes.readUIntLE(field, fcsBytes) + (fcsBytes === 2 ? 256 : 0);
    windowSize = fcs;
  } else {
    const wd = bytes[5]!;
    const base = 2 ** (10 + (wd >> 3));
    windowSize = base + (base / 8) * (wd & 7);
  }
  if (windowSize > MAX_ZSTD_WINDOW) {
    throw new ZstdError(`the zstd frame at byte ${at} needs a ${Math.round(windowSize / 2 ** 20)} MiB window, more than the ${MAX_ZSTD_WINDOW / 2 ** 20} MiB Ferry decodes`);
  }
  return { bytes, windowSize, checksum: ((fhd >> 2) & 1) === 1 };
}

/** One frame's blocks, decoded one by one. */
async function* frame(p: Pull, at: number, xxh: XXHashAPI): AsyncGenerator<Buffer> {
  const header = await frameHeader(p, at);
  const blockMax = Math.min(header.windowSize, MAX_BLOCK);
  const out: Uint8Array[] = [];
  const { Decompress } = require('fzstd') as { Decompress: typeof ZstdDecompress };
  const decoder = new Decompress((data) => {
    if (data.length) out.push(data);
  });
  const digest = xxh.create64(0n);
  let pending: Buffer | undefined = header.bytes;
  for (let last = false; !last; ) {
    const blockAt = p.position;
    const bh = await p.take(3);
    if (!bh) throw new ZstdError(`the zstd frame at byte ${at} is cut short`);
    const word = bh.readUIntLE(0, 3);
    last = (word & 1) === 1;
    const type = (word >> 1) & 3;
    const size = word >>> 3;
    if (type === BLOCK_RESERVED) throw new ZstdError(`the zstd block at byte ${blockAt} has the reserved type (damaged)`);
    if (size > blockMax) throw new ZstdError(`the zstd block at byte ${blockAt} is ${size} bytes, more than the ${blockMax} a block may hold (damaged)`);
    const body = await p.take(type === BLOCK_RLE ? 1 : size);
    if (!body) throw new ZstdError(`the zstd frame at byte ${at} is cut short`);
    const check = last && header.checksum ? await p.take(4) : undefined;
    if (last && header.checksum && !check) throw new ZstdError(`the zstd frame at byte ${at} is cut short before its checksum`);
    const parts = [...(pending ? [pending] : []), bh, body, ...(check ? [check] : [])];
    pending = undefined;
    try {
      const input = Buffer.concat(parts);
      guarded(() => decoder.push(input, last));
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new ZstdError(`the zstd block at byte ${blockAt} did not decode within ${BLOCK_TIME_LIMIT_MS / 1000} s (damaged)`);
      throw new ZstdError(`the zstd block at byte ${blockAt} cannot be decoded (${err instanceof Error ? err.message : String(err)}; damaged)`);
    }
    while (out.length) {
      const data = out.shift()!;
      digest.update(data);
      yield Buffer.from(data.buffer, data.byteOffset, data.length);
    }
    if (check) {
      const want = check.readUInt32LE(0);
      const got = Number(digest.digest() & 0xffffffffn);
      if (got !== want) throw new ZstdError(`the zstd frame at byte ${at} fails its checksum (damaged)`);
    }
  }
}

/**
 * The decoded bytes of the zstd (and skippable) frames at the start of `p`; stops, leaving `p` on
 * the first byte after them, at anything that is not a frame. Damage throws a ZstdError.
 */
export async function* zstdFrames(p: Pull): AsyncGenerator<Buffer> {
  const xxh = await (hasher ??= loadXxhashWasm());
  while (true) {
    const head = await p.peek(8);
    if (!isZstdFrame(head)) return;
    const at = p.position;
    if (head.readUInt32LE(0) === ZSTD_MAGIC) {
      yield* frame(p, at, xxh);
      continue;
    }
    if (head.length < 8) throw new ZstdError(`the skippable frame at byte ${at} is cut short`);
    if (!(await p.skip(8 + head.readUInt32LE(4)))) throw new ZstdError(`the skippable frame at byte ${at} runs past the end of the file`);
  }
}
