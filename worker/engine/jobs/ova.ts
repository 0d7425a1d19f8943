// `ferry ova`: one file an ESXi host or vCenter deploys (docs/vmdk.md#which-products-run-which-subformat: ESXi
// refuses hosted VMDKs; streamOptimized belongs inside an OVA). The disk is written as a
// streamOptimized VMDK in a staging folder and verified like `convert` does, then packed with
// the OVF envelope and its manifest into a tar archive under a staged name, which is
// renamed into place last.
import { createHash, randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { safeFileName } from '../../../shared/file-names';
import { hasOutputExtension, type OvaRequest } from '../../../shared/jobs';
import { adapterForController } from '../../../shared/options';
import { estimateOutputBytes, verifyWritten, writeVmdk } from '../copy/write-disk';
import { FerryError, throwIfAborted } from '../errors';
import { filesystemTypes, repairGuest, withRepairNotes } from '../guest/repair/repair';
import { detectGuest } from '../inspect/guest';
import { readPartitionTable } from '../inspect/partitions';
import { checkFreeSpace, checkTargets } from '../output/staging';
import { DiskSetProgress, type RunContext } from '../progress';
import { sourceFiles } from '../sources/source';
import { planVmdk } from '../writers/vmdk/vmdk-writer';
import { runStaged } from './staged-job';
import { planHardware } from '../machine/hardware';
import { checkFirstBoot, firstBootFor, firstBootSummary } from '../machine/first-boot';
import { defaultVmName, displayNameOf } from '../../../shared/vm-names';
import { ovfGuestFor } from '../ova/guest-os';
import { manifestAlgorithm, renderManifest, renderOvf } from '../ova/ovf';
import { digestFile, writeOva } from '../ova/package-ova';
import { jobSources, machineSource, withDefaults } from '../machines/machine-source';
import { diskSlots } from '../vm/vmx-config';
import { notice, type EngineJobResult, type Notice } from '../notices';

/**
 * Hardware version 14: ESXi 6.7 and later deploy it (an importer refuses a newer version than it
 * knows, docs/vmx.md#hardware-version), and it has every controller we offer. `--hw-version` raises it.
 */
export const OVA_DEFAULT_HW_VERSION = 14;

/** File names inside an OVA: plain ASCII (ustar names are at most 100 bytes; some importers mishandle others). */
export function memberStem(name: string): string {
  return safeFileName(name, { maxChars: 60, fallback: 'vm', ascii: true });
}

export async function createOva(request: OvaRequest, ctx: RunContext): Promise<EngineJobResult> {
  const started = performance.now();
  // A machine configuration (or its folder) gives the disk and the hardware defaults.
  const machine = await machineSource(request.source, request.allowOutsideDisks === true);
  const req = machine ? withDefaults(request, machine.defaults) : request;
  const output = resolve(req.output);
  const dir = dirname(output);
  const ovaName = basename(output);
  if (!hasOutputExtension('ova', ovaName)) {
    throw new FerryError('E_USAGE', `${output}: the output must be a file whose name ends in .ova.`, 'ESXi and vSphere recognise the package by that extension, e.g. `ferry ova disk.vhd vm.ova`.');
  }
  checkFirstBoot(req.firstBoot);
  const sourcePaths = jobSources(req, machine);
  const sourcePath = sourcePaths[0]!;
  return runStaged(
    {
      source: sourcePath,
      extraSources: sourcePaths.slice(1),
      vhdSizeRule: req.vhdSizeRule,
      dir,
      beforeUnpack: () => checkTargets([output], req.overwrite, sourcePaths),
      async plan(source, extras) {
        const sources = [source, ...extras];
        await checkTargets([output], req.overwrite, sources.flatMap(sourceFiles));
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
        const { hardware: hw, warnings: plannedWarnings } = planHardware(choices, detected.guest, 'esxi', machine?.namedController, machine?.machine.secureBoot === true);
        const repair = await repairGuest(source, table, filesystemTypes(detected), { kind: hw.kind, controller: hw.controller, enabled: req.guestRepair !== false, zeroCopy: false });
        const hwWarnings = withRepairNotes(plannedWarnings, repair);
        if (sources.length > diskSlots(hw.controller).length) {
          throw new FerryError('E_UNSUPPORTED', `${sources.length} disks do not fit on one ${hw.controller} controller (it has ${diskSlots(hw.controller).length} slots).`, 'Choose another --controller (SATA has 30 slots, SCSI 15).');
        }
        const guest = ovfGuestFor(hw.guestOS, hw.hwVersion);
        const guestWarnings: Notice[] = [];
        if (guest.derived) guestWarnings.push(notice('ovf-guest-derived', { guestOS: hw.guestOS, osType: guest.osType }));
        if (guest.downgradedFrom) guestWarnings.push(notice('ovf-guest-downgraded', { hwVersion: hw.hwVersion, newer: guest.downgradedFrom, osType: guest.osType }));

        const name = req.name ?? defaultVmName(sourcePath);
        const stem = memberStem(name);
        const diskNames = sources.map((_, i) => `${stem}-disk${i + 1}.vmdk`);
        await checkFreeSpace(dir, sources.reduce((n, s) => n + estimateOutputBytes('streamOptimized', s), 0));
        return { detected, hw, hwWarnings, guest, guestWarnings, name, stem, diskNames, repair, firstBoot };
      },
      stagingName: () => ovaName,
      async build(source, staging, { detected, hw, hwWarnings, guest, guestWarnings, name, stem, diskNames, repair, firstBoot }, extras) {
        // The boot disk is read through its repair patch (when one applies).
        const sources = [repair.source, ...extras];
        const ovfName = `${stem}.ovf`;
        const mfName = `${stem}.mf`;
        const algorithm = manifestAlgorithm(hw.hwVersion);
        const disks: Array<{ name: string; path: string; size: number; digest: string; capacity: number; dataBytes: number }> = [];
        // Every disk is written before any is verified: progress goes once through each phase across all of them.
        const progress = new DiskSetProgress(sources.map((s) => s.size), ctx.onProgress);
        const written = [];
        for (const [i, s] of sources.entries()) {
          written.push(await writeVmdk(s, staging.dir, planVmdk(diskNames[i]!, 'streamOptimized', s.size), { adapter: adapterForController(hw.controller), hwVersion: hw.hwVersion }, progress.forDisk(i, ctx)));
        }
        if (req.verify) for (const [i, w] of written.entries()) await verifyWritten(w, sources[i]!, progress.forDisk(i, ctx));
        for (const [i, s] of sources.entries()) {
          const path = join(staging.dir, diskNames[i]!);
          disks.push({ name: diskNames[i]!, path, size: (await stat(path)).size, digest: await digestFile(path, algorithm, ctx.signal), capacity: s.size, dataBytes: written[i]!.dataBytes });
        }
        const ovfDisks = disks.map((d) => ({ href: d.name, fileBytes: d.size, capacityBytes: d.capacity, populatedBytes: d.dataBytes }));
        const ovf = renderOvf({
          id: stem,
          displayName: displayNameOf(name),
          annotation: `Made by Ferry from ${basename(sourcePath)} (${source.info.format.toUpperCase()} ${source.info.variant}); guest detected: ${detected.guest.family}.`,
          hardware: hw,
          guest,
          disk: ovfDisks[0]!,
          ...(ovfDisks.length > 1 ? { extraDisks: ovfDisks.slice(1) } : {}),
          properties: firstBoot ? [...firstBoot.guestinfo, ...firstBoot.ovfEnvironment] : undefined,
        });
        // The staged disks are copied once into the archive beside them: now their sizes are known exactly.
        await checkFreeSpace(dir, disks.reduce((n, d) => n + d.size, 0) + 1024 * 1024);
        const ovfBytes = Buffer.from(ovf, 'utf8');
        const manifest = renderManifest(algorithm, [
          { name: ovfName, digest: createHash(algorithm).update(ovfBytes).digest('hex') },
          ...disks.map((d) => ({ name: d.name, digest: d.digest })),
        ]);
        const members = disks.map((d) => ({ name: d.name, path: d.path, size: d.size, algorithm, digest: d.digest }));
        await writeOva(join(staging.dir, ovaName), [{ name: ovfName, data: ovfBytes }, { name: mfName, data: Buffer.from(manifest, 'utf8') }], members, ctx.signal);
        for (const d of disks) await rm(d.path);
        throwIfAborted(ctx.signal);
        const files = await staging.commitFiles([ovaName], req.overwrite);
        return {
          output,
          files,
          vm: { guestOS: hw.guestOS, firmware: hw.firmware, controller: hw.controller, memoryMB: hw.memoryMB, cpus: hw.cpus, hwVersion: hw.hwVersion, zeroCopy: false, ...(repair.changes.length ? { guestChanges: repair.changes } : {}) },
          subformat: 'streamOptimized',
          virtualSize: sources.reduce((n, s) => n + s.size, 0),
          dataBytes: disks.reduce((n, d) => n + d.dataBytes, 0),
          verified: req.verify,
          ...(firstBoot ? { firstBoot: firstBootSummary(firstBoot) } : {}),
          warnings: [
            ...(machine?.warnings ?? []),
            ...source.info.warnings,
            ...extras.flatMap((s) => s.info.warnings.map((w) => notice('disk-says', { name: basename(s.path), notice: w }))),
            ...detected.warnings,
            ...hwWarnings,
            ...guestWarnings,
            ...(firstBoot?.warnings ?? []),
          ],
          seconds: (performance.now() - started) / 1000,
        };
      },
    },
    ctx,
  );
}
