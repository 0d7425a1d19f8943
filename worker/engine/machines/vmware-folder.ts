// What each file of a VMware VM folder is for, the snapshot tree its .vmsd records, and what the
// folder's state means for a copy (docs/machines.md#vmware-folders).
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { MachineFile } from '../../../shared/disk-info';
import { decodeVmwareText } from '../formats/vmware-text';
import { notice, type EngineMachineInfo } from '../notices';
import { parseVmsd } from './vmx-machine';

const MAX_VMSD_BYTES = 4 * 1024 * 1024;

const ROLES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\.vmx$/i, 'configuration'],
  [/\.vmx~$/i, 'configuration backup (written while VMware saves)'],
  [/\.vmxf$/i, 'supplemental configuration (team and extra settings)'],
  [/\.nvram$/i, 'BIOS/UEFI settings (NVRAM)'],
  [/\.vmsd$/i, 'snapshot metadata'],
  [/\.vmsn$/i, 'snapshot state'],
  [/\.vmss$/i, 'suspended state'],
  [/\.vmem$/i, 'memory of a running or suspended VM'],
  [/\.vmtm$/i, 'team metadata'],
  [/\.scoreboard$/i, 'run-time scoreboard'],
  [/\.log$/i, 'log'],
  [/\.lck$/i, 'lock (the VM is open, or was not closed cleanly)'],
  [/-\d{6}-s\d{3}\.vmdk$/i, 'redo disk (snapshot delta), split extent'],
  [/-\d{6}-delta\.vmdk$/i, 'redo disk (snapshot delta), data'],
  [/-\d{6}\.vmdk$/i, 'redo disk (snapshot delta)'],
  [/-s\d{3}\.vmdk$/i, 'split extent (sparse)'],
  [/-f\d{3}\.vmdk$/i, 'split extent (preallocated)'],
  [/-flat\.vmdk$/i, 'flat extent (preallocated data)'],
  [/\.vmdk$/i, 'virtual disk'],
  [/\.iso$/i, 'CD/DVD image'],
];

export function roleOf(name: string): string {
  return ROLES.find(([re]) => re.test(name))?.[1] ?? 'other';
}

/** Adds the folder's files, snapshot tree and warnings to a machine read from a .vmx. */
export async function describeVmwareFolder(machine: EngineMachineInfo): Promise<void> {
  const dir = machine.tree;
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  const files: MachineFile[] = names.map((name) => ({ name, role: roleOf(name) }));
  machine.files = files;
  const stem = basename(machine.config).replace(/\.vmx$/i, '');
  const vmsd = names.find((n) => n.toLowerCase() === `${stem.toLowerCase()}.vmsd`) ?? names.find((n) => /\.vmsd$/i.test(n));
  if (vmsd) {
    const path = join(dir, vmsd);
    const st = await stat(path).catch(() => undefined);
    if (st?.isFile() && st.size <= MAX_VMSD_BYTES) {
      const snapshots = parseVmsd(decodeVmwareText(await readFile(path)));
      if (typeof snapshots === 'string') machine.warnings.push(notice('vmsd-unreadable', { file: vmsd, error: snapshots }));
      else machine.snapshots = snapshots;
    }
  }
  if (names.some((n) => /\.vmss$/i.test(n))) {
    machine.warnings.push(notice('vmware-suspended'));
  }
  if (names.some((n) => /\.lck$/i.test(n))) {
    machine.warnings.push(notice('vmware-locked'));
  }
  if (machine.snapshots.length > 0) {
    machine.warnings.push(notice('vmware-snapshots', { snapshots: machine.snapshots.length }));
  }
}
