import { rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ConvertRequest, JobResult } from '../../../shared/jobs';
import type { Adapter, Subformat } from '../../../shared/options';
import { Staging, checkFreeSpace, checkOutputName, checkTargets } from '../output/staging';
import { DataMap } from '../copy/grains';
import type { Chunk } from '../io/chunk';
import { forEachChunk } from '../copy/pipeline';
import { verifyAgainst } from '../copy/verify';
import { ProgressMeter, type ProgressListener } from '../progress';
import { openSource } from '../sources/open';
import type { DiskSource } from '../sources/source';
import { openVmdk } from '../sources/vmdk/vmdk';
import { GRAIN_SIZE, GT_COVER_SECTORS, SECTOR } from '../formats/vmdk/constants';
import { VmdkWriter, planFiles, planVmdk, type VmdkPlan } from '../writers/vmdk/vmdk-writer';

export interface RunContext {
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
}

/** The descriptor's `ddb.virtualHWVersion` for a bare disk: obsolete, 4 is what every product reads. */
export const BARE_DISK_HW_VERSION = 4;

export interface WrittenDisk {
  plan: VmdkPlan;
  /** Absolute paths inside the folder written to, descriptor first. */
  files: string[];
  dataBytes: number;
  /** Where the source held data as this run read it. */
  dataMap: DataMap;
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

/** Bytes of the chunk's non-zero grains. */
function dataBytesOf(chunk: Chunk): number {
  let bytes = 0;
  const grains = chunk.zero.length;
  for (let g = 0; g < grains && g * GRAIN_SIZE < chunk.data.length; g++) {
    if (!chunk.zero[g]) bytes += Math.min(GRAIN_SIZE, chunk.data.length - g * GRAIN_SIZE);
  }
  return bytes;
}

/** Converts `source` into a VMDK named `fileName` inside `dir`. */
export async function writeVmdk(
  source: DiskSource,
  dir: string,
  fileName: string,
  subformat: Subformat,
  opts: { adapter: Adapter; hwVersion: number; compressionLevel?: number },
  ctx: RunContext,
): Promise<WrittenDisk> {
  const plan = planVmdk(fileName, subformat, source.size);
  const writer = await VmdkWriter.create(dir, plan, source.size, opts);
  const meter = new ProgressMeter('converting', source.size, ctx.onProgress);
  const dataMap = new DataMap(source.size);
  let dataBytes = 0;
  try {
    await forEachChunk(source, { signal: ctx.signal, onCovered: (n) => meter.update(n), dataMap }, async (chunk) => {
      dataBytes += dataBytesOf(chunk);
      await writer.write(chunk);
    });
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const files = await writer.finish();
  meter.finish();
  return { plan, files, dataBytes, dataMap };
}

function isFlatPlan(plan: VmdkPlan): boolean {
  return plan.extents.every((e) => e.kind === 'flat');
}

/** Reads a finished VMDK back through our own reader and proves it holds the bytes of `source`. */
export async function verifyWritten(written: WrittenDisk, source: DiskSource, ctx: RunContext): Promise<void> {
  const { source: output } = await openVmdk(written.files[0]!);
  try {
    // Flat extents made in this run were created empty and written only at the source's data.
    await verifyAgainst(output, source, {
      signal: ctx.signal,
      onProgress: ctx.onProgress,
      writtenOnlyAtSourceData: isFlatPlan(written.plan),
      sourceData: written.dataMap,
    });
  } finally {
    await output.close();
  }
}

export function sourceFiles(source: DiskSource): string[] {
  return [source.path, ...(source.extentFiles ?? []), ...source.info.parents.map((p) => p.path)];
}

/**
 * Extent files of the VMDK that `--overwrite` replaces which the new one will not overwrite (an
 * earlier split disk had more pieces, or was flat). Only files beside it named as Ferry and VMware
 * name extents of that disk are candidates: an old descriptor may point anywhere (even at a .vhd
 * used in place), and those files are not ours to remove.
 */
async function staleExtents(output: string, keep: string[], protectedFiles: string[]): Promise<string[]> {
  let old: readonly string[];
  try {
    const { source } = await openVmdk(output);
    old = source.extentFiles ?? [];
    await source.close();
  } catch {
    return [];
  }
  const dir = dirname(output);
  const stem = basename(output).replace(/\.vmdk$/i, '');
  const ours = (p: string): boolean => {
    if (dirname(p) !== dir || !basename(p).startsWith(`${stem}-`)) return false;
    return /^-(flat|[sf]\d{3,})\.vmdk$/i.test(basename(p).slice(stem.length));
  };
  return old.filter((p) => ours(p) && !keep.includes(p) && !protectedFiles.includes(p));
}

/** `ferry convert`: one VMDK from one source, staged, verified, then moved into place. */
export async function convert(req: ConvertRequest, ctx: RunContext = {}): Promise<JobResult> {
  const started = performance.now();
  const output = resolve(req.output);
  const dir = dirname(output);
  const name = basename(output);
  checkOutputName(name);
  const sourcePath = resolve(req.source);
  const source = await openSource(sourcePath, {
    ...(req.vhdSizeRule ? { vhdSizeRule: req.vhdSizeRule } : {}),
    // A compressed source is unpacked beside the output; refuse a taken output name before that work.
    unpack: { dir, signal: ctx.signal, onProgress: ctx.onProgress, beforeUnpack: () => checkTargets([output], req.overwrite, [sourcePath]) },
  });
  try {
    const plan = planVmdk(name, req.subformat, source.size);
    const finals = planFiles(plan).map((n) => join(dir, n));
    await checkTargets(finals, req.overwrite, sourceFiles(source));
    const stale = req.overwrite ? await staleExtents(output, finals, sourceFiles(source)) : [];
    await checkFreeSpace(dir, estimateOutputBytes(req.subformat, source));
    const staging = await Staging.create(dir, name);
    try {
      const written = await writeVmdk(source, staging.dir, name, req.subformat, { adapter: req.adapter, hwVersion: BARE_DISK_HW_VERSION }, ctx);
      if (req.verify) await verifyWritten(written, source, ctx);
      const files = await staging.commitFiles(planFiles(written.plan), req.overwrite);
      await Promise.all(stale.map((p) => rm(p, { force: true })));
      return {
        output,
        files,
        subformat: req.subformat,
        virtualSize: source.size,
        dataBytes: written.dataBytes,
        verified: req.verify,
        warnings: source.info.warnings,
        seconds: (performance.now() - started) / 1000,
      };
    } catch (err) {
      await staging.discard();
      throw err;
    }
  } finally {
    await source.close();
  }
}

