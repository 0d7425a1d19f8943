// Where each disk of a machine is on this computer. A configuration names disks by the old host's
// paths; the disk beside the configuration (by its file name) wins, then the stated path if it
// exists here. A disk outside the configuration's tree is used only when the user confirms it:
// a crafted configuration must not pull in any file it likes.
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { MachineDisk } from '../../../shared/disk-info';
import type { EngineMachineInfo } from '../notices';
import { FerryError } from '../errors';
import { EXPORT_DISKS } from './load';
import { isWithin, isWrittenAbsolute, resolveWritten, statedPath, writtenFileName } from '../sources/written-path';

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}

/** Every place a disk may be, in the order they are tried, and the rule that names each. */
export function candidates(machine: EngineMachineInfo, disk: MachineDisk): Array<{ path: string; how: 'beside' | 'stated' }> {
  const dir = dirname(machine.config);
  const name = writtenFileName(disk.path);
  const out: Array<{ path: string; how: 'beside' | 'stated' }> = [];
  const add = (path: string | undefined, how: 'beside' | 'stated') => {
    if (path && !out.some((c) => c.path === path)) out.push({ path, how });
  };
  if (disk.relativePath) add(resolveWritten(dir, disk.relativePath), 'beside');
  if (!isWrittenAbsolute(disk.path)) add(resolveWritten(dir, disk.path), 'beside');
  if (machine.kind === 'hyperv-xml' || machine.kind === 'hyperv-vmcx') add(join(machine.tree, EXPORT_DISKS, name), 'beside');
  if (name) add(join(dir, name), 'beside');
  if (name) add(join(machine.tree, name), 'beside');
  add(statedPath(disk.path), 'stated');
  return out;
}

/** Fills in where each disk was found; disks not found keep no `found`. */
export async function locateDisks(machine: EngineMachineInfo): Promise<EngineMachineInfo> {
  for (const disk of machine.disks) {
    for (const c of candidates(machine, disk)) {
      if (!(await isFile(c.path))) continue;
      disk.found = { path: c.path, how: c.how, outside: !(await isWithin(machine.tree, c.path)) };
      break;
    }
  }
  return machine;
}

/** Checks every disk was found, and that those outside the tree are confirmed; returns their paths in order. */
export function requireDisks(machine: EngineMachineInfo, allowOutside: boolean): string[] {
  if (machine.disks.length === 0) {
    throw new FerryError('E_UNSUPPORTED', `${machine.config}: the machine has no hard disks attached.`, 'Attach its disk in the configuration, or convert the disk file directly.');
  }
  const missing = machine.disks.find((d) => !d.found);
  if (missing) {
    const looked = candidates(machine, missing).map((c) => c.path);
    throw new FerryError(
      'E_NOT_FOUND',
      `${machine.config}: its disk "${missing.path}" (${missing.bus} ${missing.controller}:${missing.unit}) was not found (looked for ${looked.join(', ')}).`,
      'Put the disk beside the configuration under its file name, or convert the disk directly.',
    );
  }
  const outside = machine.disks.find((d) => d.found!.outside);
  if (outside && !allowOutside) {
    throw new FerryError(
      'E_UNSUPPORTED',
      `${machine.config}: its disk "${outside.path}" is ${outside.found!.path}, outside the machine's folder ${machine.tree}; it is used only when you confirm it.`,
      'Check that this is the disk you mean, then run again with --allow-outside-disks (or copy the disk beside the configuration).',
    );
  }
  return machine.disks.map((d) => d.found!.path);
}
