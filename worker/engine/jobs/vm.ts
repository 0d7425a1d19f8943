import { randomUUID } from 'node:crypto';
import { chmod, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { VmRequest } from '../../../shared/jobs';
import { adapterForController } from '../../../shared/options';
import { estimateOutputBytes, verifyWritten, writeVmdk } from '../copy/write-disk';
import { FerryError, throwIfAborted } from '../errors';
import { filesystemTypes, repairGuest, withRepairNotes } from '../guest/repair/repair';
import { detectGuest } from '../inspect/guest';
import { readPartitionTable } from '../inspect/partitions';
import { checkFreeSpace } from '../output/staging';
import { DiskSetProgress, type RunContext } from '../progress';
import { sourceFiles, type DiskSource } from '../sources/source';
import { planFiles, planVmdk } from '../writers/vmdk/vmdk-writer';
import { checkVmFolderTarget, commitVmFolder } from '../vm/commit-folder';
import { planHardware, type VmHardware } from '../machine/hardware';
import { checkFirstBoot, firstBootFor, firstBootSummary } from '../machine/first-boot';
import { defaultVmName, displayNameOf, safeFileStem } from '../../../shared/vm-names';
import { selfCheckVmFolder } from '../vm/self-check';
import { diskSlots, vmxEntries } from '../vm/vmx-config';
import { jobSources, machineSource, withDefaults } from '../machines/machine-source';
import { renderVmx } from '../vm/vmx';
import { checkZeroCopySource, extentPathFrom, refuseCompressedForZeroCopy, verifyZeroCopy, writeZeroCopyDescriptor } from '../vm/zero-copy';
import { runStaged } from './staged-job';
import { notice, type EngineJobResult, type Notice } from '../notices';

async function checkDestination(destDir: string): Promise<void> {
  const st = await stat(destDir).catch(() => undefined);
  if (!st) throw new FerryError('E_IO', `${destDir}: the destination folder does not exist.`, 'Create it first or choose another folder.');
  if (!st.isDirectory()) throw new FerryError('E_USAGE', `${destDir}: is a file; the destination must be a folder in which the VM folder is made.`);
}

interface WrittenVmDisk {
  /** File names inside the VM folder, descriptor first. */
  names: string[];
  dataBytes: number;
  verified: boolean;
}

/**
 * Copies the machine's disks into new VMDKs inside the staging folder (the `convert` pipeline),
 * all of them before any is verified, so that progress goes once through converting and once
 * through verifying across every disk (each disk's digest and data map wait for their turn).
 */
async function copyDisks(sources: readonly DiskSource[], dir: string, diskFiles: readonly string[], req: VmRequest, hw: VmHardware, ctx: RunContext): Promise<WrittenVmDisk[]> {
  const progress = new DiskSetProgress(sources.map((s) => s.size), ctx.onProgress);
  const written = [];
  for (const [i, s] of sources.entries()) {
    written.push(await writeVmdk(s, dir, planVmdk(diskFiles[i]!, req.subformat, s.size), { adapter: adapterForController(hw.controller), hwVersion: hw.hwVersion }, progress.forDisk(i, ctx)));
  }
  if (req.verify) for (const [i, w] of written.entries()) await verifyWritten(w, sources[i]!, progress.forDisk(i, ctx));
  return written.map((w) => ({ names: planFiles(w.plan), dataBytes: w.dataBytes, verified: req.verify }));
}

/** Writes only a descriptor over the fixed VHD; `extentPath` is relative to the final folder. */
async function pointAtSource(source: DiskSource, dir: string, diskFile: string, extentPath: string, req: VmRequest, hw: VmHardware): Promise<WrittenVmDisk> {
  const descriptor = await writeZeroCopyDescriptor(source, dir, diskFile, extentPath, { adapter: adapterForController(hw.controller), hwVersion: hw.hwVersion });
  if (req.verify) await verifyZeroCopy(descriptor, source);
  return { names: [diskFile], dataBytes: 0, verified: req.verify };
}

function zeroCopyWarning(sourcePath: string): Notice {
  return notice('zero-copy', { path: sourcePath });
}

/** `ferry vm`: a ready-to-open VMware VM folder, `<destDir>/<Name>/` with `<Name>.vmx` and the disk. */
export async function createVm(request: VmRequest, ctx: RunContext): Promise<EngineJobResult> {
  const started = performance.now();
  // A machine configuration (or its folder) gives the disk and the hardware defaults.
  const machine = await machineSource(request.source, request.allowOutsideDisks === true);
  const req = machine ? withDefaults(request, machine.defaults) : request;
  const destDir = resolve(req.destDir);
  const sourcePaths = jobSources(req, machine);
  const sourcePath = sourcePaths[0]!;
  if (req.zeroCopy && sourcePaths.length > 1) throw new FerryError('E_USAGE', '--zero-copy uses one fixed VHD in place; it cannot be combined with several disks.');
  checkFirstBoot(req.firstBoot);
  await checkDestination(destDir);
  const name = req.name ?? defaultVmName(sourcePath);
  const stem = safeFileStem(name);
  const folder = join(destDir, stem);
  // Refusals knowable from the request alone come before a compressed source is unpacked,
  // which can take minutes; both are checked again once the source is open.
  await checkVmFolderTarget(folder, req.overwrite, sourcePaths);
  if (req.zeroCopy) await refuseCompressedForZeroCopy(sourcePath);
  const vmxFile = `${stem}.vmx`;
  const diskFile = `${stem}.vmdk`;
  return runStaged(
    {
      source: sourcePath,
      extraSources: sourcePaths.slice(1),
      vhdSizeRule: req.vhdSizeRule,
      // A compressed source is unpacked beside the VM, with its own progress phase.
      dir: destDir,
      async plan(source, extras) {
        if (req.zeroCopy) checkZeroCopySource(source);
        const table = await readPartitionTable(source);
        const detected = await detectGuest(source, table);
        const { hardware: hw, warnings: plannedWarnings } = planHardware(req, detected.guest, 'hosted', machine?.namedController, machine?.machine.secureBoot === true);
        // The boot disk is read through the patch that makes the controller's driver a boot driver.
        const repair = await repairGuest(source, table, filesystemTypes(detected), { kind: hw.kind, controller: hw.controller, enabled: req.guestRepair !== false, zeroCopy: req.zeroCopy });
        const hwWarnings = withRepairNotes(plannedWarnings, repair);
        if (sourcePaths.length > diskSlots(hw.controller).length) {
          throw new FerryError('E_UNSUPPORTED', `${sourcePaths.length} disks do not fit on one ${hw.controller} controller (it has ${diskSlots(hw.controller).length} slots).`, 'Choose another --controller (SATA has 30 slots, SCSI 15).');
        }
        const firstBoot = firstBootFor(req.firstBoot, detected.guest, table, basename(sourcePath), `ferry-${randomUUID()}`);
        await checkVmFolderTarget(folder, req.overwrite, [source, ...extras].flatMap(sourceFiles));
        const extentPath = req.zeroCopy ? await extentPathFrom(folder, sourcePath) : undefined;
        if (!req.zeroCopy) await checkFreeSpace(destDir, [source, ...extras].reduce((n, s) => n + estimateOutputBytes(req.subformat, s), 0));
        return { detected, hw, hwWarnings, extentPath, repair, firstBoot };
      },
      stagingName: () => stem,
      async build(source, staging, { detected, hw, hwWarnings, extentPath, repair, firstBoot }, extras) {
        const extraDiskFiles = extras.map((_, i) => `${stem}-${i + 2}.vmdk`);
        const written =
          extentPath !== undefined
            ? [await pointAtSource(source, staging.dir, diskFile, extentPath, req, hw)]
            : await copyDisks([repair.source, ...extras], staging.dir, [diskFile, ...extraDiskFiles], req, hw, ctx);
        const disk = written[0]!;
        const extraWritten = written.slice(1);
        const annotation =
          `Made by Ferry from ${basename(sourcePath)} (${source.info.format.toUpperCase()} ${source.info.variant}); guest detected: ${detected.guest.family}.` +
          (req.zeroCopy ? ` Zero-copy: uses ${sourcePath} in place.` : '');
        const vmx = renderVmx(vmxEntries({ hardware: hw, displayName: displayNameOf(name), diskFile, extraDiskFiles, annotation, guestinfo: firstBoot?.guestinfo }));
        // First-boot data may hold secrets (user-data can carry passwords or keys): owner-only
        // where the OS has such modes (on Windows chmod sets only the read-only flag).
        const secret = firstBoot !== undefined;
        if (secret) await chmod(staging.dir, 0o700);
        await writeFile(join(staging.dir, vmxFile), vmx, { flag: 'wx', ...(secret ? { mode: 0o600 } : {}) });
        await selfCheckVmFolder(staging.dir, { hardware: hw, vmxFile, diskFile, sizeBytes: source.size, extraDisks: extras.map((s, i) => ({ diskFile: extraDiskFiles[i]!, sizeBytes: s.size })) });
        throwIfAborted(ctx.signal);
        await commitVmFolder(staging, folder, req.overwrite);
        if (secret) await chmod(folder, 0o700);
        return {
          output: join(folder, vmxFile),
          vmx: join(folder, vmxFile),
          folder,
          vm: {
            guestOS: hw.guestOS,
            firmware: hw.firmware,
            controller: hw.controller,
            memoryMB: hw.memoryMB,
            cpus: hw.cpus,
            hwVersion: hw.hwVersion,
            zeroCopy: req.zeroCopy,
            ...(repair.changes.length ? { guestChanges: repair.changes } : {}),
          },
          files: [vmxFile, ...disk.names, ...extraWritten.flatMap((d) => d.names)].map((n) => join(folder, n)),
          subformat: req.zeroCopy ? 'monolithicFlat' : req.subformat,
          virtualSize: [source, ...extras].reduce((n, s) => n + s.size, 0),
          dataBytes: [disk, ...extraWritten].reduce((n, d) => n + d.dataBytes, 0),
          verified: disk.verified,
          ...(firstBoot ? { firstBoot: firstBootSummary(firstBoot) } : {}),
          warnings: [
            ...(machine?.warnings ?? []),
            ...(req.zeroCopy ? [zeroCopyWarning(sourcePath)] : []),
            ...source.info.warnings,
            ...extras.flatMap((s) => s.info.warnings.map((w) => notice('disk-says', { name: basename(s.path), notice: w }))),
            ...detected.warnings,
            ...hwWarnings,
            ...(firstBoot?.warnings ?? []),
          ],
          seconds: (performance.now() - started) / 1000,
        };
      },
    },
    ctx,
  );
}
