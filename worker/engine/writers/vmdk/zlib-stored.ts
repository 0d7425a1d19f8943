/**
 * A zlib stream (RFC 1950) that stores its data in uncompressed deflate blocks. For grains that
 * cannot be compressed this is what deflate itself would emit, without paying for a zlib
 * instance and a search for matches that do not exist.
 */

const MAX_STORED_BLOCK = 65535;
const ADLER_MOD = 65521;
/** The most bytes Adler-32 can sum before its 32-bit accumulators must be reduced. */
const ADLER_NMAX = 5552;

export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  let i = 0;
  while (i < data.length) {
    const end = Math.min(i + ADLER_NMAX, data.length);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= ADLER_MOD;
    b %= ADLER_MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/** The pieces of a stored zlib stream for `data`, referencing it rather than copying it. */
export function zlibStored(data: Buffer): Buffer[] {
  const parts: Buffer[] = [Buffer.from([0x78, 0x01])]; // deflate, 32 KiB window, no dictionary, fastest
  for (let at = 0; at < data.length || at === 0; at += MAX_STORED_BLOCK) {
    const len = Math.min(MAX_STORED_BLOCK, data.length - at);
    const head = Buffer.alloc(5);
    head[0] = at + len >= data.length ? 1 : 0; // BFINAL, BTYPE 00 (stored)
    head.writeUInt16LE(len, 1);
    head.writeUInt16LE(~len & 0xffff, 3);
    parts.push(head, data.subarray(at, at + len));
    if (len === 0) break;
  }
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(adler32(data), 0);
  parts.push(trailer);
  return parts;
}
