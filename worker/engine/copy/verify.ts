import { FerryError } from '../errors';
import { DiskDigest, loadHasher } from './digest';
import { markZeroGrains } from './grains';
import { DEFAULT_CHUNK, chunkBuffers, dataSpans, prefetch, unionDataSpans, type Span } from './pipeline';
import { GRAIN_SIZE } from '../formats/vmdk/constants';
import { ProgressMeter, type ProgressListener } from '../progress';
import type { DiskSource } from '../sources/source';

export interface VerifyOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
  /**
   * The output is flat and was created empty in this run, then written only where `expected`
   * has data: every other byte reads zero by construction, so only the source's data needs
   * reading back, not the whole virtual size.
   */
  writtenOnlyAtSourceData?: boolean;
  /**
   * Where the conversion found data in the source (a superset is fine). Elsewhere the source was
   * read and found zero, so it is not read again: the output must read zero there, which holds
   * outside the output's own data, and inside it the two are compared as everywhere else.
   */
  sourceData?: Pick<DiskSource, 'runs' | 'size'> | undefined;
  /** Bytes read back at a time (grain-aligned; the default 4 MiB). */
  chunkSize?: number | undefined;
}

/** Chunks read ahead of the hash: 3 measured no faster in the CLI (interleaved runs) and held 8 MiB more. */
const READ_AHEAD = 1;

/** The offset of the first byte where `a` and `b` (same length) differ, or -1. */
function firstDifference(a: Buffer, b: Buffer): number {
  if (a.equals(b)) return -1;
  let lo = 0;
  let hi = a.length;
  // Halve the range holding the first difference until it is small, then scan it.
  while (hi - lo > 4096) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (a.subarray(lo, mid).equals(b.subarray(lo, mid))) lo = mid;
    else hi = mid;
  }
  for (let i = lo; i < hi; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/**
 * Reads every data-bearing byte of `output` back through our own reader and proves it holds the
 * bytes the conversion read, by their digest (`expected`): the source is not read again. Spans are
 * where the output or the conversion's map (`opts.sourceData`) holds data, or for a flat output
 * written in this run only the latter; everywhere else both read zero. On a mismatch both sides
 * are read again and compared byte for byte to name the first byte that differs.
 */
export async function verifyDigest(output: DiskSource, expected: DiskDigest, source: DiskSource, opts: VerifyOptions = {}): Promise<void> {
  if (output.size !== source.size) return verifyAgainst(output, source, opts);
  const sourceData = opts.sourceData ?? source;
  const chunk = opts.chunkSize ?? DEFAULT_CHUNK;
  const spans = opts.writtenOnlyAtSourceData ? dataSpans(sourceData, chunk) : unionDataSpans(output, sourceData, chunk);
  const got = new DiskDigest(await loadHasher(), expected.maxRegions);
  const slots = Array.from({ length: READ_AHEAD + 1 }, () => chunkBuffers.take(chunk));
  // Chunks are consumed one at a time, so one zero map serves them all.
  const zero = new Uint8Array(chunk / GRAIN_SIZE);
  const meter = new ProgressMeter('verifying', source.size, opts.onProgress);
  try {
    await prefetch<Buffer>(
      spans,
      READ_AHEAD,
      async (span: Span, slot) => {
        const data = slots[slot]!.subarray(0, span.length);
        await output.read(span.offset, span.length, data);
        return data;
      },
      async (data, span) => {
        markZeroGrains(data, zero);
        got.add({ offset: span.offset, data, zero });
        meter.update(span.offset + span.length);
      },
      opts.signal,
    );
  } finally {
    chunkBuffers.give(slots);
  }
  got.finish();
  const difference = got.compare(expected);
  if (difference) {
    // Names the first byte that differs, reading both sides again.
    await verifyAgainst(output, source, opts);
    throw new FerryError(
      'E_VERIFY',
      `Verification failed: the output's digest differs from the conversion's in the 4 MiB at byte ${difference.offset} of the virtual disk, yet it now matches the source byte for byte.`,
      'The source may have changed while it was converted; make sure nothing writes to it and try again.',
    );
  }
  meter.finish();
}

/**
 * Proves that `output` (read back through our own reader) holds exactly the bytes of `expected`
 * (the source, read again): both are read where either holds data and compared byte for byte;
 * everywhere else both read zero. A direct comparison costs less than hashing both passes and
 * leaves nothing to chance.
 */
export async function verifyAgainst(output: DiskSource, expected: DiskSource, opts: VerifyOptions = {}): Promise<void> {
  if (output.size !== expected.size) {
    throw new FerryError('E_VERIFY', `Verification failed: ${output.path} is ${output.size} bytes, not ${expected.size}.`, 'This is a bug in Ferry; please report it.');
  }
  const sourceData = opts.sourceData ?? expected;
  const spans = opts.writtenOnlyAtSourceData ? dataSpans(sourceData) : unionDataSpans(output, sourceData);
  const chunk = DEFAULT_CHUNK;
  const slots = Array.from({ length: READ_AHEAD + 1 }, () => ({ got: chunkBuffers.take(chunk), want: chunkBuffers.take(chunk) }));
  const meter = new ProgressMeter('verifying', expected.size, opts.onProgress);
  try {
    await prefetch<{ got: Buffer; want: Buffer }>(
      spans,
      READ_AHEAD,
      async (span: Span, slot) => {
        const got = slots[slot]!.got.subarray(0, span.length);
        const want = slots[slot]!.want.subarray(0, span.length);
        await Promise.all([output.read(span.offset, span.length, got), expected.read(span.offset, span.length, want)]);
        return { got, want };
      },
      async ({ got, want }, span) => {
        const at = firstDifference(got, want);
        if (at >= 0) {
          throw new FerryError(
            'E_VERIFY',
            `Verification failed: the output differs from the source at byte ${span.offset + at} of the virtual disk.`,
            'The destination may be failing, or the source changed while it was read; try again, or another drive. If it persists, please report it.',
          );
        }
        meter.update(span.offset + span.length);
      },
      opts.signal,
    );
  } finally {
    chunkBuffers.give(slots.flatMap((s) => [s.got, s.want]));
  }
  meter.finish();
}
