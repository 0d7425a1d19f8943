// Writes a disk from a source into a VMDK and proves it: the copy every job shares.
import type { Adapter, Subformat } from '../../../shared/options';
import { DiskDigest, loadHasher } from './digest';
import { DataMap } from './grains';
import type { Chunk } from '../io/chunk';
import { isByteRangeOfSource, kernelCopy, writeOverlay } from './kernel-copy';
import { forEachChunk } from './pipeline';
import { verifyAgainst, verifyDigest } from './verify';
import { ProgressMeter, type RunContext } from '../progress';
import type { DiskSource } from '../sources/source';
import { openVmdk } from '../sources/vmdk/vmdk';
import { GRAIN_SIZE, GT_COVER_SECTORS, SECTOR } from '../formats/vmdk/constants';
import { VmdkWriter, writeDescriptorOnly, type VmdkPlan } from '../writers/vmdk/vmdk-writer';

/** The descriptor's `ddb.virtualHWVersion` for a bare disk: obsolete, 4 is what every product reads. */
export const BARE_DISK_HW_VERSION = 4;

export interface WrittenDisk {
  plan: VmdkPlan;
  /** Absolute paths inside the folder written to, descriptor first. */
  files: string[];
  dataBytes: number;
  /** Where the source held data as this run read it. */
  dataMap: DataMap;
  /** The digest of the bytes this run read, for the verification; none when the OS copied them. */
  digest: DiskDigest | undefined;
}

/**
 * Bytes the output is sure to need, for the free-space check before any work. Flat: the whole
 * disk. Sparse: the source's allocated data (zero grains are dropped, so at most that) plus every
 * grain table, which the layout places up front and which file systems without holes (FAT, exFAT)
 * store in full. streamOptimized: only its tables, since compression decides the rest and a bound
 * from the raw data would refuse disks that fit; a disk that fills mid-run is a clean E_NO_SPACE.
 */
export function estimateOutputBytes(subformat: Subformat, source: DiskSource): number {
  const metadata = Math.ceil(source.size / SECTOR / GT_COVER_SECTORS) * 4096 + 1024 * 1024;
  if (subformat === 'monolithicFlat' || subformat === 'twoGbMaxExtentFlat') return source.size + metadata;
  if (subformat === 'streamOptimized') return metadata;
  return Math.min(source.size, source.info.allocatedBytes) + metadata;
}

/**
 * Compressed output goes through the threads in smaller chunks: the memory a chunk needs in flight
 * (its copy for the threads and room for its result) is held for every chunk queued, and with
 * 1 MiB both threads still get half a megabyte a job. Plain extents keep the larger reads.
 */
const COMPRESSED_CHUNK = 1024 * 1024;

function chunkSizeFor(plan: VmdkPlan): number | undefined {
  return plan.extents.some((e) => e.kind === 'stream') ? COMPRESSED_CHUNK : undefined;
}

/** Bytes of the chunk's non-zero grains. */
function dataBytesOf(chunk: Chunk): number {
  let bytes = 0;
  const grains = chunk.zero.length;
  for (let g = 0; g < grains && g * GRAIN_SIZE < chunk.data.length; g++) {
    if (!chunk.zero[g]) bytes += Math.min(GRAIN_SIZE, chunk.data.length - g * GRAIN_SIZE);
  }
  return bytes;
}

/** Converts `source` into the VMDK `plan` describes (`planVmdk`) inside `dir`. */
export async function writeVmdk(
  source: DiskSource,
  dir: string,
  plan: VmdkPlan,
  opts: { adapter: Adapter; hwVersion: number; compressionLevel?: number },
  ctx: RunContext,
): Promise<WrittenDisk> {
  const meter = new ProgressMeter('converting', source.size, ctx.onProgress);
  if (isByteRangeOfSource(source, plan)) {
    // The descriptor first, so that a destination that cannot be written fails before the copy.
    const files = await writeDescriptorOnly(dir, plan, source.size, opts);
    await kernelCopy(source.path, files.at(-1)!, source.size, (n) => meter.update(n), ctx.signal);
    // The kernel copied the file as it is; what this view shows in its place goes in right after.
    if (source.overlay?.length) await writeOverlay(files.at(-1)!, source.overlay);
    meter.finish();
    const dataMap = new DataMap(source.size);
    dataMap.markAll();
    return { plan, files, dataBytes: Math.min(source.size, source.info.allocatedBytes), dataMap, digest: undefined };
  }
  const writer = await VmdkWriter.create(dir, plan, source.size, opts);
  const dataMap = new DataMap(source.size);
  const digest = new DiskDigest(await loadHasher());
  let dataBytes = 0;
  try {
    await forEachChunk(source, { signal: ctx.signal, onCovered: (n) => meter.update(n), dataMap, chunkSize: chunkSizeFor(plan), held: { chunks: 1, release: () => writer.quiesce() } }, async (chunk) => {
      dataBytes += dataBytesOf(chunk);
      digest.add(chunk);
      await writer.write(chunk);
    });
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const files = await writer.finish();
  digest.finish();
  meter.finish();
  return { plan, files, dataBytes, dataMap, digest };
}

function isFlatPlan(plan: VmdkPlan): boolean {
  return plan.extents.every((e) => e.kind === 'flat');
}

/**
 * Reads a finished VMDK back through our own reader and proves it holds the bytes the conversion
 * read from `source`, by digest; `source` is read again only to name the byte of a mismatch.
 */
export async function verifyWritten(written: WrittenDisk, source: DiskSource, ctx: RunContext): Promise<void> {
  const { source: output } = await openVmdk(written.files[0]!);
  try {
    // Copied by the OS: nothing in this process saw the bytes, so the source is read again.
    if (!written.digest) return await verifyAgainst(output, source, { signal: ctx.signal, onProgress: ctx.onProgress });
    // Flat extents made in this run were created empty and written only at the source's data.
    await verifyDigest(output, written.digest, source, {
      signal: ctx.signal,
      onProgress: ctx.onProgress,
      writtenOnlyAtSourceData: isFlatPlan(written.plan),
      sourceData: written.dataMap,
      chunkSize: chunkSizeFor(written.plan),
    });
  } finally {
    await output.close();
  }
}
