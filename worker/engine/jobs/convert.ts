// `ferry convert`: a source into one bare VMDK (the disk alone, no machine around it).
import { rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ConvertRequest } from '../../../shared/jobs';
import { BARE_DISK_HW_VERSION, estimateOutputBytes, verifyWritten, writeVmdk } from '../copy/write-disk';
import { checkFreeSpace, checkOutputName, checkTargets } from '../output/staging';
import type { RunContext } from '../progress';
import { sourceFiles } from '../sources/source';
import { openVmdk } from '../sources/vmdk/vmdk';
import { planFiles, planVmdk } from '../writers/vmdk/vmdk-writer';
import { runStaged } from './staged-job';
import type { EngineJobResult } from '../notices';

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
export async function convert(req: ConvertRequest, ctx: RunContext = {}): Promise<EngineJobResult> {
  const started = performance.now();
  const output = resolve(req.output);
  const dir = dirname(output);
  const name = basename(output);
  checkOutputName(name);
  const sourcePath = resolve(req.source);
  return runStaged(
    {
      source: sourcePath,
      vhdSizeRule: req.vhdSizeRule,
      dir,
      // A compressed source is unpacked beside the output; refuse a taken output name before that work.
      beforeUnpack: () => checkTargets([output], req.overwrite, [sourcePath]),
      async plan(source) {
        const plan = planVmdk(name, req.subformat, source.size);
        const finals = planFiles(plan).map((n) => join(dir, n));
        await checkTargets(finals, req.overwrite, sourceFiles(source));
        const stale = req.overwrite ? await staleExtents(output, finals, sourceFiles(source)) : [];
        await checkFreeSpace(dir, estimateOutputBytes(req.subformat, source));
        return { plan, stale };
      },
      stagingName: () => name,
      async build(source, staging, { plan, stale }) {
        const written = await writeVmdk(source, staging.dir, plan, { adapter: req.adapter, hwVersion: BARE_DISK_HW_VERSION }, ctx);
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
      },
    },
    ctx,
  );
}
