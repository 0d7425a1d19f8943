// A Windows-like GPT disk for the guest suites: an ESP (mkfs.fat, mtools) and an NTFS partition
// (mkntfs, ntfs-3g) holding SOFTWARE and SYSTEM hives written by hivexregedit.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Controller } from '../../shared/options';
import { planBootRepair, type RepairPlan } from '../../worker/engine/guest/repair/plan';
import { readFilesystem } from '../../worker/engine/inspect/filesystems';
import { readPartitionTable } from '../../worker/engine/inspect/partitions';
import { fileSource, makeGptDisk, makeNtfs, run } from './helpers';
import { makeHive } from './regf-writer';

export const SW = 'HKEY_LOCAL_MACHINE\\SOFTWARE';
export const SYS = 'HKEY_LOCAL_MACHINE\\SYSTEM';
/** Where the NTFS partition starts: after the 1 MiB gap and the 40 MiB ESP. */
export const NTFS_START = 41 * 1024 * 1024;

export interface WindowsDiskSpec {
  productName: string;
  installationType: string;
  build: number;
  displayVersion?: string;
  /** .reg text for the SYSTEM hive below HKLM\SYSTEM (Select\Current = 1 is added). */
  system?: string;
  /** Extra files on the NTFS volume, written before the hives (e.g. to fragment free space). */
  fill?: (root: string) => void;
  ntfsMiB?: number;
  /** Changes the SYSTEM hive's bytes before it is put on the disk (a dirty hive, say). */
  mutateSystem?: (hive: Buffer) => void;
  /** Lay the disk out as Windows Setup does on some OEM images: a Recovery NTFS first, the ESP, an MSR, then Windows. */
  recoveryFirst?: boolean;
}

export function windowsDisk(dir: string, name: string, spec: WindowsDiskSpec): string {
  const software = join(dir, `${name}-SOFTWARE`);
  makeHive(
    software,
    SW,
    `[${SW}\\Microsoft\\Windows NT\\CurrentVersion]
"ProductName"="${spec.productName}"
"EditionID"="Professional"
"InstallationType"="${spec.installationType}"
"CurrentBuild"="${spec.build}"
"CurrentBuildNumber"="${spec.build}"
${spec.displayVersion ? `"DisplayVersion"="${spec.displayVersion}"` : ''}`,
  );
  const system = join(dir, `${name}-SYSTEM`);
  makeHive(system, SYS, `[${SYS}\\Select]\n"Current"=dword:00000001\n\n${spec.system ?? `[${SYS}\\ControlSet001\\Services\\storahci]\n"Start"=dword:00000003`}`);
  if (spec.mutateSystem) {
    const bytes = readFileSync(system);
    spec.mutateSystem(bytes);
    writeFileSync(system, bytes);
  }
  const esp = join(dir, `${name}-esp.img`);
  run('truncate', ['-s', '40M', esp]);
  run('mkfs.fat', ['-F', '32', esp]);
  run('mmd', ['-i', esp, '::/EFI', '::/EFI/Microsoft', '::/EFI/Microsoft/Boot']);
  writeFileSync(join(dir, 'bootmgfw.efi'), 'MZ');
  run('mcopy', ['-i', esp, join(dir, 'bootmgfw.efi'), '::/EFI/Microsoft/Boot/bootmgfw.efi']);
  const ntfs = join(dir, `${name}-ntfs.img`);
  makeNtfs(ntfs, spec.ntfsMiB ?? 48, (root) => {
    mkdirSync(join(root, 'Windows/System32/config'), { recursive: true });
    spec.fill?.(root);
    copyFileSync(software, join(root, 'Windows/System32/config/SOFTWARE'));
    copyFileSync(system, join(root, 'Windows/System32/config/SYSTEM'));
  });
  const disk = join(dir, `${name}.img`);
  if (spec.recoveryFirst) {
    const recovery = join(dir, `${name}-recovery.img`);
    makeNtfs(recovery, 16, (root) => mkdirSync(join(root, 'Recovery/WindowsRE'), { recursive: true }));
    const msr = join(dir, `${name}-msr.img`);
    run('truncate', ['-s', '16M', msr]);
    makeGptDisk(disk, [
      { image: recovery, code: '2700' },
      { image: esp, code: 'ef00' },
      { image: msr, code: '0c01' },
      { image: ntfs, code: '0700' },
    ]);
    return disk;
  }
  makeGptDisk(disk, [
    { image: esp, code: 'ef00' },
    { image: ntfs, code: '0700' },
  ]);
  return disk;
}

/** The boot repair Ferry would make on `disk` for `controller`, from the disk's own partitions and file systems. */
export async function planRepairOf(disk: string, controller: Controller): Promise<RepairPlan> {
  const source = fileSource(disk);
  try {
    const table = await readPartitionTable(source);
    const fs = new Map<number, string>();
    for (const p of table?.partitions ?? []) {
      const sig = await readFilesystem(source, p.startBytes, p.sizeBytes);
      if (sig) fs.set(p.index, sig.type);
    }
    return await planBootRepair(source, table, fs, controller);
  } finally {
    await source.close();
  }
}
