
import { inspectSource } from '../inspect/inspect';
import type { OpenOptions } from '../sources/open';
import { locateDisks, requireDisks } from './disk-lookup';
import { loadMachine } from './load';
import type { DiskInfo } from '../../../shared/disk-info';
import { wireDiskInfo } from '../notices';

export interface MachineOptions extends OpenOptions {
  /** The user confirmed disks outside the configuration's folder may be read. */
  allowOutsideDisks?: boolean;
}

/** `ferry inspect` of a configuration or machine folder: its boot disk, with the machine beside it. */
export async function inspectMachine(path: string, opts: MachineOptions = {}): Promise<DiskInfo> {
  const machine = await locateDisks(await loadMachine(path));
  const [boot] = requireDisks(machine, opts.allowOutsideDisks === true);
  const { allowOutsideDisks: _, ...open } = opts;
  const info = await inspectSource(boot!, open);
  return wireDiskInfo({ ...info, machine });
}
