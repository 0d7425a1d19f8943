// A machine configuration as the wizard shows it before anything is converted: every disk with
// where it was found (or every place it was looked for), its size and what it holds. A disk
// outside the machine's folder is not opened until the user confirms it; only its size is taken.
import { stat } from 'node:fs/promises';
import type { MachineDisk, MachineDiskFile, MachineSurvey } from '../../../shared/disk-info';
import { LIMITS, fitText } from '../../../shared/limits';
import { toErrorInfo } from '../errors';
import { inspectDisk } from '../inspect/inspect';
import { openSource, type OpenOptions } from '../sources/open';
import { candidates, locateDisks, requireDisks } from './disk-lookup';
import { loadMachine } from './load';
import { wireMachine } from '../notices';

export interface SurveyOptions extends OpenOptions {
  /** The user confirmed the disks outside the machine's folder. */
  allowOutsideDisks: boolean;
}

async function describeFile(disk: MachineDisk, mayRead: boolean, opts: OpenOptions): Promise<MachineDiskFile> {
  const path = disk.found!.path;
  const fileSize = (await stat(path)).size;
  if (!mayRead) return { fileSize };
  try {
    const source = await openSource(path, opts);
    try {
      return { fileSize, format: source.info.format, variant: source.info.variant, virtualSize: source.size };
    } finally {
      await source.close();
    }
  } catch (err) {
    return { fileSize, problem: fitText(toErrorInfo(err).message, LIMITS.message) };
  }
}

/** The machine and each disk's state; the inspected boot disk once a job could use every disk. */
export async function surveyMachine(path: string, opts: SurveyOptions): Promise<MachineSurvey> {
  const { allowOutsideDisks, ...open } = opts;
  const machine = await locateDisks(await loadMachine(path));
  for (const disk of machine.disks) {
    if (!disk.found) {
      disk.lookedFor = candidates(machine, disk).map((c) => c.path).slice(0, LIMITS.lookedFor);
      continue;
    }
    disk.file = await describeFile(disk, !disk.found.outside || allowOutsideDisks, open);
  }
  const usable = machine.disks.length > 0 && machine.disks.every((d) => d.found && (!d.found.outside || allowOutsideDisks) && d.file?.problem === undefined);
  if (!usable) {
    // A machine with no disks at all is the CLI's refusal; anything else the wizard shows.
    if (machine.disks.length === 0) requireDisks(machine, allowOutsideDisks);
    return { machine: wireMachine(machine) };
  }
  const [boot] = requireDisks(machine, allowOutsideDisks);
  const disk = await inspectDisk(boot!, open);
  const wired = wireMachine(machine);
  return { machine: wired, disk: { ...disk, machine: wired } };
}
