// `ferry ova`: one file an ESXi host or vCenter deploys (docs/vmdk.md#which-products-run-which-subformat: ESXi
// refuses hosted VMDKs; streamOptimized belongs inside an OVA). The disk is written as a
// streamOptimized VMDK in a staging folder and verified like `convert` does, then packed with
// the OVF envelope and its manifest into a tar archive under a staged name, which is
// renamed into place last.
import { createHash } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { hasOutputExtension, type JobResult, type OvaRequest } from '../../../shared/jobs';
import { adapterForController } from '../../../shared/options';
import { estimateOutputBytes, sourceFiles, verifyWritten, writeVmdk, type RunContext } from './convert';
import { FerryError, throwIfAborted } from '../errors';
import { filesystemTypes, repairGuest, withRepairNotes } from '../guest/repair/repair';
import { detectGuest } from '../inspect/guest';
import { readPartitionTable } from '../inspect/partitions';
import { Staging, checkFreeSpace, checkTargets } from '../output/staging';
import { openSource } from '../sources/open';
import { planHardware } from '../machine/hardware';
import { defaultVmName, displayNameOf, safeFileStem } from '../machine/names';
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
  const stem = safeFileStem(name)
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+|[._]+$/g, '');
  return stem === '' ? 'vm' : stem.slice(0, 60);
}

export async function createOva(req: OvaRequest, ctx: RunContext): Promise<JobResult> {
  const started = performance.now();
  const output = resolve(req.output);
  const dir = dirname(output);
  const ovaName = basename(output);
  if (!hasOutputExtension('ova', ovaName)) {
    throw new FerryError('E_USAGE', `${output}: the output must be a file whose name ends in .ova.`, 'ESXi and vSphere recognise the package by that extension, e.g. `ferry ova disk.vhd vm.ova`.');
  }
  const sourcePath = resolve(req.source);
  const source = await openSource(sourcePath, {
    ...(req.vhdSizeRule ? { vhdSizeRule: req.vhdSizeRule } : {}),
    unpack: { dir, signal: ctx.signal, onProgress: ctx.onProgress, beforeUnpack: () => checkTargets([output], req.overwrite, [sourcePath]) },
  });
  try {
    await checkTargets([output], req.overwrite, sourceFiles(source));
    const table = await readPartitionTable(source);
    const detected = await detectGuest(source, table);
    const choices = {
      hwVersion: req.hwVersion ?? OVA_DEFAULT_HW_VERSION,
      ...(req.guest !== undefined ? { guest: req.guest } : {}),
      ...(req.memoryMB !== undefined ? { memoryMB: req.memoryMB } : {}),
      ...(req.cpus !== undefined ? { cpus: req.cpus } : {}),
      ...(req.firmware !== undefined ? { firmware: req.firmware } : {}),
      ...(req.controller !== undefined ? { controller: req.controller } : {}),
    };
    const { hardware: hw, warnings: plannedWarnings } = planHardware(choices, detected.guest, 'esxi');
    const repair = await repairGuest(source, table, filesystemTypes(detected), { kind: hw.kind, controller: hw.controller, enabled: req.guestRepair !== false, zeroCopy: false });
    const hwWarnings = withRepairNotes(plannedWarnings, repair);
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

    const staging = await Staging.create(dir, ovaName);
    try {
      const written = await writeVmdk(repair.source, staging.dir, diskName, 'streamOptimized', { adapter: adapterForController(hw.controller), hwVersion: hw.hwVersion }, ctx);
      if (req.verify) await verifyWritten(written, repair.source, ctx);
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
      const files = await staging.commitFiles([ovaName]);
      return {
        output,
        files,
        vm: { guestOS: hw.guestOS, firmware: hw.firmware, controller: hw.controller, memoryMB: hw.memoryMB, cpus: hw.cpus, hwVersion: hw.hwVersion, zeroCopy: false, ...(repair.changes.length ? { guestChanges: repair.changes } : {}) },
        subformat: 'streamOptimized',
        virtualSize: source.size,
        dataBytes: written.dataBytes,
        verified: req.verify,
        warnings: [...source.info.warnings, ...detected.warnings, ...hwWarnings, ...guestWarnings],
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
