// The LZ4 "legacy" frame the Linux kernel unpacks for an lz4 initramfs (`lz4 -l`): a magic
// number, then blocks of a 32-bit compressed size and one independent LZ4 block, each decoding to
// at most 8 MiB (lz4's doc/lz4_Frame_format.md, "Legacy frame"; doc/lz4_Block_format.md).

export const LZ4_LEGACY_MAGIC = 0x184c2102;
const MAX_BLOCK_OUT = 8 * 1024 * 1024;

export class Lz4Error extends Error {}

/** Decodes one LZ4 block into at most `max` bytes. */
export function lz4Block(src: Buffer, max = MAX_BLOCK_OUT): Buffer {
  const out = Buffer.alloc(max);
  let ip = 0;
  let op = 0;
  while (ip < src.length) {
    const token = src[ip++]!;
    let lit = token >> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (ip >= src.length) throw new Lz4Error('lz4: literal length runs past the block');
        b = src[ip++]!;
        lit += b;
      } while (b === 255);
    }
    if (ip + lit > src.length || op + lit > max) throw new Lz4Error('lz4: literals run past the block');
    src.copy(out, op, ip, ip + lit);
    ip += lit;
    op += lit;
    if (ip >= src.length) break; // the last sequence has literals only
    if (ip + 2 > src.length) throw new Lz4Error('lz4: match offset runs past the block');
    const offset = src.readUInt16LE(ip);
    ip += 2;
    if (offset === 0 || offset > op) throw new Lz4Error('lz4: match offset before the start of the output');
    let len = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (ip >= src.length) throw new Lz4Error('lz4: match length runs past the block');
        b = src[ip++]!;
        len += b;
      } while (b === 255);
    }
    if (op + len > max) throw new Lz4Error('lz4: block decodes to more than 8 MiB');
    for (let i = 0; i < len; i++, op++) out[op] = out[op - offset]!;
  }
  return out.subarray(0, op);
}

/** Decodes a legacy-frame stream (the magic already checked by the caller, still in `input`). */
export async function* lz4Legacy(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let buf: Buffer = Buffer.alloc(0);
  let started = false;
  for await (const chunk of input) {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (true) {
      if (!started) {
        if (buf.length < 4) break;
        if (buf.readUInt32LE(0) !== LZ4_LEGACY_MAGIC) throw new Lz4Error('lz4: not a legacy frame');
        buf = buf.subarray(4);
        started = true;
      }
      if (buf.length < 4) break;
      const size = buf.readUInt32LE(0);
      if (size === LZ4_LEGACY_MAGIC) {
        started = false;
        continue;
      }
      if (size === 0) return;
      if (size > MAX_BLOCK_OUT + MAX_BLOCK_OUT / 255 + 16) return; // past the archive: trailing data
      if (buf.length < 4 + size) break;
      yield lz4Block(buf.subarray(4, 4 + size));
      buf = buf.subarray(4 + size);
    }
  }
}
