// One streaming decoder per compression format: bytes in, decompressed bytes out.
import { Readable, pipeline, type Transform } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import type { XzReadableStream as XzStream } from 'xz-decompress';
import { createBunzip2 } from './bzip2';
import { DecodeError } from './decode-error';

export type StreamFormat = 'gzip' | 'bzip2' | 'xz';

/** xz-embedded's error numbers (xz.h), as xz-decompress reports them. */
const XZ_ERRORS: Record<number, string> = {
  3: 'the decoder ran out of memory',
  4: 'the xz dictionary is larger than the decoder allows',
  5: 'the xz data is damaged (bad header)',
  6: 'the xz file uses options this decoder does not support (a SHA-256 check, or a filter other than LZMA2/BCJ); recompress it with plain `xz`',
  7: 'the xz data is damaged (its checksum or compressed data is wrong)',
  8: 'the compressed data ends early; the file may be truncated or incomplete',
};

/** xz-decompress reports failures as "get_next_output failed with error code N": say what N means. */
export function xzDecodeError(err: unknown): DecodeError | undefined {
  const m = /get_next_output failed with error code (\d+)/.exec(err instanceof Error ? err.message : String(err));
  if (!m) return undefined;
  return new DecodeError(XZ_ERRORS[Number(m[1])] ?? `the xz data cannot be decoded (xz error ${m[1]})`);
}

/**
 * xz through xz-decompress's WebAssembly build of xz-embedded: a web ReadableStream over the
 * compressed web stream. Errors travel both ways: a failing input fails the output, and
 * destroying the output cancels the decoder and the input.
 */
function unxz(input: Readable): Readable {
  // Loaded on first use: most runs never meet an xz stream, and loading it costs every run ~5 ms.
  const { XzReadableStream } = require('xz-decompress') as { XzReadableStream: typeof XzStream };
  const xz = new XzReadableStream(Readable.toWeb(input) as unknown as globalThis.ReadableStream<Uint8Array>);
  return Readable.fromWeb(xz as unknown as ReadableStream<Uint8Array>, { highWaterMark: 4 });
}

/** Joins streams so errors anywhere destroy them all; returns the last one to read from. */
export function chain(first: Readable, ...rest: Transform[]): Readable {
  return pipeline(first, ...(rest as [Transform]), () => undefined) as unknown as Readable;
}

/** The decompressed bytes of `input`, a stream in `format`. */
export function decode(format: StreamFormat, input: Readable): Readable {
  switch (format) {
    case 'gzip':
      return chain(input, createGunzip({ chunkSize: 1024 * 1024 }));
    case 'bzip2':
      return chain(input, createBunzip2());
    case 'xz':
      return unxz(input);
  }
}
