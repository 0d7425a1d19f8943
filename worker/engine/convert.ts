import { rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ConvertRequest, JobResult } from '../../shared/jobs';
import type { Adapter, Subformat } from '../../shared/options';
import { FerryError } from './errors';
import { GrainDigest } from './grains';
import { Staging, checkFreeSpace, checkOutputName, checkTargets } from './output/staging';
import { forEachChunk } from './pipeline';
import { ProgressMeter, type ProgressListener } from './progress';
import { openSource } from './sources/open';
import type { DiskSource } from './sources/source';
import { openVmdk } from './sources/vmdk/vmdk';
import { GT_COVER_SECTORS, SECTOR } from './writers/vmdk/constants';
import { VmdkWriter, planFiles, planVmdk, type VmdkPlan } from './writers/vmdk/vmdk-writer';

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
  /** Absent when the conversion was not to be verified. */
  digest?: string;
  dataBytes: number;
}

/** Bytes the output will take, for the free-space check: flat is the whole disk, sparse the data. */
export function estimateOutputBytes(subformat: Subformat, source: DiskSource): number {
  const metadata = Math.ceil(source.size / SECTOR / GT_COVER_SECTORS) * 4096 + 1024 * 1024;
  if (subformat === 'monolithicFlat' || subformat === 'twoGbMaxExtentFlat') return source.size + metadata;
  return Math.min(source.size, source.info.allocatedBytes) + metadata;
}

/** Converts `source` into a VMDK named `fileName` inside `dir`. */
export async function writeVmdk(
  source: DiskSource,
  dir: string,
  fileName: string,
  subformat: Subformat,
  opts: { adapter: Adapter; hwVersion: number; compressionLevel?: number; verify: boolean },
  ctx: RunContext,
): Promise<WrittenDisk> {
  const plan = planVmdk(fileName, subformat, source.size);
  const writer = await VmdkWriter.create(dir, plan, source.size, opts);
  // The digest is what verification compares; a conversion that will not be verified skips it.
  const digest = await GrainDigest.create(opts.verify);
  const meter = new ProgressMeter('converting', source.size, ctx.onProgress);
  try {
    await forEachChunk(source, { signal: ctx.signal, onCovered: (n) => meter.update(n) }, async (chunk) => {
      await digest.add(chunk.offset, chunk.data, chunk.zero);
      await writer.write(chunk);
    });
  } catch (err) {
    await Promise.all([writer.abort(), digest.dispose()]);
    throw err;
  }
  const files = await writer.finish();
  meter.finish();
  const hex = await digest.hex();
  return { plan, files, ...(hex !== undefined ? { digest: hex } : {}), dataBytes: digest.dataBytes };
}

/**
 * A view of `output` that looks for data where `input` has it. Used for flat extents made in this
 * run: they were created empty and written only at the input's data spans, so every other byte
 * reads zero by construction, and reading the same spans as the conversion proves the same bytes
 * without reading the whole virtual size.
 */
function withDataMapOf(output: DiskSource, input: DiskSource): DiskSource {
  return {
    path: output.path,
    size: output.size,
    info: output.info,
    extents: () => input.extents(),
    read: (offset, length, into) => output.read(offset, length, into),
    close: () => output.close(),
  };
}

function isFlatPlan(plan: VmdkPlan): boolean {
  return plan.extents.every((e) => e.kind === 'flat');
}

export interface VerifyExpectation {
  size: number;
  digest: string;
  /** For a flat output written in this run: the source, whose data map bounds what is read. */
  dataMapOf?: DiskSource | undefined;
}

/** Reads a finished VMDK back through our own reader and proves it holds the expected bytes. */
export async function verifyVmdk(descriptorPath: string, expected: VerifyExpectation, ctx: RunContext): Promise<void> {
  const opened = (await openVmdk(descriptorPath)).source;
  const source = expected.dataMapOf ? withDataMapOf(opened, expected.dataMapOf) : opened;
  try {
    if (source.size !== expected.size) {
      throw new FerryError('E_VERIFY', `Verification failed: ${descriptorPath} is ${source.size} bytes, not ${expected.size}.`, 'This is a bug in Ferry; please report it.');
    }
    const digest = await GrainDigest.create();
    const meter = new ProgressMeter('verifying', source.size, ctx.onProgress);
    try {
      await forEachChunk(source, { signal: ctx.signal, onCovered: (n) => meter.update(n) }, (chunk) => digest.add(chunk.offset, chunk.data, chunk.zero));
    } catch (err) {
      await digest.dispose();
      throw err;
    }
    meter.finish();
    const got = (await digest.hex())!;
    if (got !== expected.digest) {
      throw new FerryError(
        'E_VERIFY',
        `Verification failed: the output does not hold the source's bytes (digest ${got.slice(0, 12)}…, expected ${expected.digest.slice(0, 12)}…).`,
        'The destination may be failing; try another drive. If it persists, please report it.',
      );
    }
  } finally {
    await source.close();
  }
}

/** Verifies what `writeVmdk` wrote from `source`. */
export function verifyWritten(written: WrittenDisk, source: DiskSource, ctx: RunContext): Promise<void> {
  const dataMapOf = isFlatPlan(written.plan) ? source : undefined;
  if (written.digest === undefined) throw new FerryError('E_INTERNAL', 'Internal error: asked to verify a disk written without its digest.');
  return verifyVmdk(written.files[0]!, { size: source.size, digest: written.digest, dataMapOf }, ctx);
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
      const written = await writeVmdk(source, staging.dir, name, req.subformat, { adapter: req.adapter, hwVersion: BARE_DISK_HW_VERSION, verify: req.verify }, ctx);
      if (req.verify) await verifyWritten(written, source, ctx);
      const files = await staging.commitFiles(planFiles(written.plan));
      await Promise.all(stale.map((p) => rm(p, { force: true })));
      return {
        output,
        files,
        subformat: req.subformat,
        virtualSize: source.size,
        dataBytes: written.dataBytes,
        verified: req.verify,
        ...(written.digest !== undefined ? { digest: written.digest } : {}),
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

