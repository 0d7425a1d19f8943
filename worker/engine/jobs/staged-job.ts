// The shape every job has: open the source (unpacking a compressed one beside the output), check
// what can be checked before anything is written, build the output in a hidden staging folder
// beside it, and leave nothing behind when anything fails. Jobs say only what differs.
import type { VhdSizeRule } from '../../../shared/options';
import { Staging } from '../output/staging';
import type { RunContext } from '../progress';
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
  const open = (path: string, first: boolean) =>
    openSource(path, {
      ...(job.vhdSizeRule ? { vhdSizeRule: job.vhdSizeRule } : {}),
      unpack: { dir: job.dir, signal: ctx.signal, onProgress: ctx.onProgress, ...(first && job.beforeUnpack ? { beforeUnpack: job.beforeUnpack } : {}) },
    });
  const source = await open(job.source, true);
  const extras: DiskSource[] = [];
  try {
    for (const path of job.extraSources ?? []) extras.push(await open(path, false));
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
