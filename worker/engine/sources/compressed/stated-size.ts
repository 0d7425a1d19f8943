// What a compressed file says about its uncompressed size, read from its end without decoding.
// Used only for the free-space check, so every answer is a lower bound ("at least this much").
import { FileHandle, open } from 'node:fs/promises';
import type { CompressionFormat } from '../../../../shared/disk-info';

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer | undefined> {
  if (position < 0 || length <= 0) return undefined;
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return bytesRead === length ? buf : undefined;
}

/** Reads an xz multibyte integer (7 bits per byte, little-endian, at most 9 bytes). */
function varint(buf: Buffer, at: { pos: number }): number | undefined {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    const b = buf[at.pos++];
    if (b === undefined) return undefined;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return Number.isSafeInteger(value) ? value : undefined;
  }
  return undefined;
}

/** The uncompressed bytes listed in the index of an xz file's last stream (xz file format §4). */
async function xzIndexSize(fh: FileHandle, fileSize: number): Promise<number | undefined> {
  let end = fileSize;
  // Stream padding: zero bytes, a multiple of four, after the last stream.
  for (;;) {
    const tail = await readAt(fh, end - 4, 4);
    if (!tail || tail.readUInt32LE(0) !== 0) break;
    end -= 4;
  }
  const footer = await readAt(fh, end - 12, 12);
  if (!footer || footer.toString('latin1', 10, 12) !== 'YZ') return undefined;
  const indexSize = (footer.readUInt32LE(4) + 1) * 4;
  if (indexSize > 16 * 1024 * 1024) return undefined;
  const index = await readAt(fh, end - 12 - indexSize, indexSize);
  if (!index || index[0] !== 0x00) return undefined;
  const at = { pos: 1 };
  const records = varint(index, at);
  if (records === undefined) return undefined;
  let total = 0;
  for (let i = 0; i < records; i++) {
    if (varint(index, at) === undefined) return undefined; // unpadded size
    const size = varint(index, at);
    if (size === undefined) return undefined;
    total += size;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * At least how many bytes `path` unpacks to, as the format states it: gzip's ISIZE (the size
 * modulo 2^32, so a lower bound), the xz index; undefined for bzip2 and anything unreadable.
 */
export async function statedMinimumSize(path: string, format: CompressionFormat): Promise<number | undefined> {
  if (format !== 'gzip' && format !== 'xz') return undefined;
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (format === 'xz') return await xzIndexSize(fh, size);
    const isize = await readAt(fh, size - 4, 4);
    return isize?.readUInt32LE(0);
  } finally {
    await fh.close();
  }
}
