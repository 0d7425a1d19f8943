// `ferry ova`: one file an ESXi host or vCenter deploys (docs/vmdk.md#which-products-run-which-subformat: ESXi
// refuses hosted VMDKs; streamOptimized belongs inside an OVA). The disk is written as a
// streamOptimized VMDK in a staging folder and verified like `convert` does, then packed with
// the OVF envelope and its manifest into a tar archive under a staged name, which is
// renamed into place last.
import { createHash, randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { safeFileName } from '../../../shared/file-names';
import { hasOutputExtension, type JobResult, type OvaRequest } from '../../../shared/jobs';
import { adapterForController } from '../../../shared/options';
import { estimateOutputBytes, verifyWritten, writeVmdk } from '../copy/write-disk';
import { FerryError, throwIfAborted } from '../errors';
import { detectGuest } from '../inspect/guest';
import { readPartitionTable } from '../inspect/partitions';
import { checkFreeSpace, checkTargets } from '../output/staging';
import type { RunContext } from '../progress';
import { sourceFiles } from '../sources/source';
import { planVmdk } from '../writers/vmdk/vmdk-writer';
import { runStaged } from './staged-job';
import { planHardware } from '../machine/hardware';
import { checkFirstBoot, firstBootFor, firstBootSummary } from '../machine/first-boot';
import { defaultVmName, displayNameOf } from '../../../shared/vm-names';
import { ovfGuestFor } from '../ova/guest-os';
import { manifestAlgorithm, renderManifest, renderOvf } from '../ova/ovf';
import { digestFile, writeOva } from '../ova/package-ova';

/**
 * Hardware version 14: ESXi 6.7 and later deploy it (an importer refuses a newer version than it
 * knows, docs/vmx.md#hardware-version), and it has every controller we offer. `--hw-version` raises it.
 */
export const OVA_DEFAULT_HW_VERSION = 14;

/** File names inside an OVA: plain ASCII (ustar names are at most 100 bytes; some importers mishandle others). */
export function memberStem(name: string): string {
  return safeFileName(name, { maxChars: 60, fallback: 'vm', ascii: true });
}

export async function createOva(req: OvaRequest, ctx: RunContext): Promise<JobResult> {
  const started = performance.now();
  const output = resolve(req.output);
  const dir = dirname(output);
  const ovaName = basename(output);
  if (!hasOutputExtension('ova', ovaName)) {
    throw new FerryError('E_USAGE', `${output}: the output must be a file whose name ends in .ova.`, 'ESXi and vSphere recognise the package by that extension, e.g. `ferry ova disk.vhd vm.ova`.');
  }
  checkFirstBoot(req.firstBoot);
  const sourcePath = resolve(req.source);
  return runStaged(
    {
      source: sourcePath,
      vhdSizeRule: req.vhdSizeRule,
      dir,
      beforeUnpack: () => checkTargets([output], req.overwrite, [sourcePath]),
      async plan(source) {
        await checkTargets([output], req.overwrite, sourceFiles(source));
        const table = await readPartitionTable(source);
        const detected = await detectGuest(source, table);
        const firstBoot = firstBootFor(req.firstBoot, detected.guest, table, basename(sourcePath), `ferry-${randomUUID()}`);
        const choices = {
          hwVersion: req.hwVersion ?? OVA_DEFAULT_HW_VERSION,
          ...(req.guest !== undefined ? { guest: req.guest } : {}),
          ...(req.memoryMB !== undefined ? { memoryMB: req.memoryMB } : {}),
          ...(req.cpus !== undefined ? { cpus: req.cpus } : {}),
          ...(req.firmware !== undefined ? { firmware: req.firmware } : {}),
          ...(req.controller !== undefined ? { controller: req.controller } : {}),
        };
        const { hardware: hw, warnings: hwWarnings } = planHardware(choices, detected.guest, 'esxi');
        const guest = ovfGuestFor(hw.guestOS, hw.hwVersion);
        const guestWarnings: string[] = [];
        if (guest.derived) guestWarnings.push(`Guest "${hw.guestOS}" is not in Ferry's table; the OVF names it "${guest.osType}" by VMware's spelling rule. If vSphere refuses it, pass a --guest it knows.`);
        if (guest.downgradedFrom) guestWarnings.push(`Hardware version ${hw.hwVersion} predates the guest id "${guest.downgradedFrom}", so the OVF names "${guest.osType}"; pass a higher --hw-version for hosts that know the newer id.`);

        const name = req.name ?? defaultVmName(sourcePath);
        const stem = memberStem(name);
        const ovfName = `${stem}.ovf`;
        const mfName = `${stem}.mf`;
        const diskName = `${stem}-disk1.vmdk`;
        await checkFreeSpace(dir, estimateOutputBytes('streamOptimized', source));
        return { detected, hw, hwWarnings, guest, guestWarnings, name, stem, ovfName, mfName, diskName, firstBoot };
      },
      stagingName: () => ovaName,
      async build(source, staging, { detected, hw, hwWarnings, guest, guestWarnings, name, stem, ovfName, mfName, diskName, firstBoot }) {
        const written = await writeVmdk(source, staging.dir, planVmdk(diskName, 'streamOptimized', source.size), { adapter: adapterForController(hw.controller), hwVersion: hw.hwVersion }, ctx);
        if (req.verify) await verifyWritten(written, source, ctx);
        const diskPath = join(staging.dir, diskName);
        const diskBytes = (await stat(diskPath)).size;
        const algorithm = manifestAlgorithm(hw.hwVersion);
        const diskDigest = await digestFile(diskPath, algorithm, ctx.signal);
        const ovf = renderOvf({
          id: stem,
          displayName: displayNameOf(name),
          annotation: `Made by Ferry from ${basename(sourcePath)} (${source.info.format.toUpperCase()} ${source.info.variant}); guest detected: ${detected.guest.family}.`,
          hardware: hw,
          guest,
          disk: { href: diskName, fileBytes: diskBytes, capacityBytes: source.size, populatedBytes: written.dataBytes },
          properties: firstBoot?.guestinfo,
        });
        // The staged disk is copied once into the archive beside it: now its size is known exactly.
        await checkFreeSpace(dir, diskBytes + 1024 * 1024);
        const ovfBytes = Buffer.from(ovf, 'utf8');
        const manifest = renderManifest(algorithm, [
          { name: ovfName, digest: createHash(algorithm).update(ovfBytes).digest('hex') },
          { name: diskName, digest: diskDigest },
        ]);
        await writeOva(join(staging.dir, ovaName), [{ name: ovfName, data: ovfBytes }, { name: mfName, data: Buffer.from(manifest, 'utf8') }], { name: diskName, path: diskPath, size: diskBytes, algorithm, digest: diskDigest }, ctx.signal);
        await rm(diskPath);
        throwIfAborted(ctx.signal);
        const files = await staging.commitFiles([ovaName], req.overwrite);
        return {
          output,
          files,
          vm: { guestOS: hw.guestOS, firmware: hw.firmware, controller: hw.controller, memoryMB: hw.memoryMB, cpus: hw.cpus, hwVersion: hw.hwVersion, zeroCopy: false },
          subformat: 'streamOptimized',
          virtualSize: source.size,
          dataBytes: written.dataBytes,
          verified: req.verify,
          ...(firstBoot ? { firstBoot: firstBootSummary(firstBoot) } : {}),
          warnings: [...source.info.warnings, ...detected.warnings, ...hwWarnings, ...guestWarnings, ...(firstBoot?.warnings ?? [])],
          seconds: (performance.now() - started) / 1000,
        };
      },
    },
    ctx,
  );
}
