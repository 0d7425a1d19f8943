// The shape every job has: open the source (unpacking a compressed one beside the output), check
// what can be checked before anything is written, build the output in a hidden staging folder
// beside it, and leave nothing behind when anything fails. Jobs say only what differs.
import { stat } from 'node:fs/promises';
import type { VhdSizeRule } from '../../../shared/options';
import { Staging } from '../output/staging';
import type { ProgressListener, RunContext } from '../progress';
import { openSource } from '../sources/open';
import type { DiskSource } from '../sources/source';

export interface StagedJob<Plan, Result> {
  source: string;
  vhdSizeRule?: VhdSizeRule | undefined;
  /** The folder the output goes into: a compressed source is unpacked and the staging folder made there. */
  dir: string;
  /** Further disks of the same machine (vm and ova), opened after the first the same way. */
  extraSources?: readonly string[];
  /** Refusals knowable before a compressed source is unpacked, which can take minutes. */
  beforeUnpack?: () => Promise<void>;
  /** Checks and plans once the sources are open, before anything is written. */
  plan(source: DiskSource, extras: readonly DiskSource[]): Promise<Plan>;
  /** The name the staging folder is made from. */
  stagingName(plan: Plan): string;
  /** Writes into the staging folder and moves the result into place. */
  build(source: DiskSource, staging: Staging, plan: Plan, extras: readonly DiskSource[]): Promise<Result>;
}

export async function runStaged<Plan, Result>(job: StagedJob<Plan, Result>, ctx: RunContext): Promise<Result> {
  const paths = [job.source, ...(job.extraSources ?? [])];
  const unpacking = await unpackProgress(paths, ctx.onProgress);
  const open = (path: string, i: number) =>
    openSource(path, {
      ...(job.vhdSizeRule ? { vhdSizeRule: job.vhdSizeRule } : {}),
      unpack: { dir: job.dir, signal: ctx.signal, onProgress: unpacking(i), ...(i === 0 && job.beforeUnpack ? { beforeUnpack: job.beforeUnpack } : {}) },
    });
  const source = await open(job.source, 0);
  const extras: DiskSource[] = [];
  try {
    for (const [i, path] of (job.extraSources ?? []).entries()) extras.push(await open(path, i + 1));
    const plan = await job.plan(source, extras);
    const staging = await Staging.create(job.dir, job.stagingName(plan));
    try {
      return await job.build(source, staging, plan, extras);
    } catch (err) {
      await staging.discard();
      throw err;
    }
  } finally {
    await Promise.all([source, ...extras].map((s) => s.close()));
  }
}

/**
 * The "decompressing" listener of source `i` when a machine has several: what earlier sources
 * unpacked counts first, and the sources still to come count by their file size, so the phase
 * never starts again at 0 for the next compressed disk (it may end short when some are not
 * compressed). One source reports as it always has.
 */
async function unpackProgress(paths: readonly string[], listener: ProgressListener | undefined): Promise<(i: number) => ProgressListener | undefined> {
  if (!listener || paths.length < 2) return () => listener;
  const sizes = await Promise.all(paths.map(async (p) => (await stat(p).catch(() => undefined))?.size ?? 0));
  let unpackedBefore = 0;
  let current = { index: -1, total: 0 };
  return (i) => (p) => {
    if (current.index !== i) {
      if (current.index >= 0) unpackedBefore += current.total;
      current = { index: i, total: 0 };
    }
    current.total = p.total;
    const later = sizes.slice(i + 1).reduce((n, s) => n + s, 0);
    listener({ ...p, done: unpackedBefore + p.done, total: unpackedBefore + p.total + later });
  };
}
