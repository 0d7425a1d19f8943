// A partition of a DiskSource as a bounded byte range, and the one error every guest file-system
// reader throws for damage or a limit. Readers never trust a field: every offset is checked
// against the partition here, so a damaged file system fails with GuestFsError, never a crash.
import type { DiskSource } from '../../sources/source';

/** A damaged, unsupported or over-limit guest file system: reported as a warning by callers. */
export class GuestFsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuestFsError';
  }
}

export function fsError(what: string): GuestFsError {
  return new GuestFsError(what);
}

/** Bytes one read may ask for: a damaged length field cannot make a reader allocate more. */
export const MAX_READ = 64 * 1024 * 1024;

export class Volume {
  readonly size: number;
  constructor(
    readonly source: DiskSource,
    /** Byte offset of the partition on the disk. */
    readonly start: number,
    size: number,
  ) {
    this.size = Math.max(0, Math.min(size, source.size - start));
  }

  /** Reads [offset, offset + length) of the partition; fails when any of it is outside. */
  async read(offset: number, length: number, what: string): Promise<Buffer> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw fsError(`${what} at byte ${offset} (+${length}) is outside the ${this.size}-byte partition`);
    }
    if (length > MAX_READ) throw fsError(`${what} is ${length} bytes, more than the ${MAX_READ}-byte limit`);
    const buf = Buffer.alloc(length);
    if (length > 0) await this.source.read(this.start + offset, length, buf);
    return buf;
  }
}

/** Reads `n` bytes of a little-endian unsigned integer (n ≤ 8) as a safe number, or fails. */
export function readUIntLE(b: Buffer, at: number, n: number, what: string): number {
  if (at < 0 || at + n > b.length) throw fsError(`${what}: field past the end of its structure`);
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]!);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw fsError(`${what}: value ${v} is out of range`);
  return Number(v);
}

/** A bounds-checked view: `sub(b, at, len)` fails instead of returning a short slice. */
export function sub(b: Buffer, at: number, len: number, what: string): Buffer {
  if (!Number.isSafeInteger(at) || !Number.isSafeInteger(len) || at < 0 || len < 0 || at + len > b.length) {
    throw fsError(`${what}: ${len} bytes at ${at} run past the ${b.length}-byte structure`);
  }
  return b.subarray(at, at + len);
}
