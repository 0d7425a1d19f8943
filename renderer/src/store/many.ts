// Several files opened at once: the list the source step shows, the two ways to use it (one
// machine with these disks, or one conversion each), and the queue's items. Plain TypeScript.
import type { DiskInfo, MachineInfo } from '../../../shared/disk-info';
export { MANY_MODES, type Many, type ManyItem, type ManyMode } from './many-types';
import type { ErrorInfo } from '../../../shared/errors';
import type { Many, ManyItem } from './many-types';
import type { JobRequest, JobResult, Progress } from '../../../shared/jobs';
import { MACHINE_EXTENSIONS } from '../../../shared/source-names';
import { safeFileName } from '../../../shared/file-names';
import { MAX_NAME, buildRequest, defaultChoices, nameFromPath, type Choices, type Setup } from './choices';

/** Whether a name is one of the machine configurations (opened on their own, with their own disks). */
export function isMachineName(path: string): boolean {
  const lower = path.toLowerCase();
  return MACHINE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** The items that inspected as disks, in the list's order. */
export const usableItems = (many: Many): Array<ManyItem & { disk: DiskInfo }> => many.items.filter((i): i is ManyItem & { disk: DiskInfo } => i.disk !== null);

/** Why "one machine with these disks" cannot go on (a file that is not a readable disk), or null. */
export function machineBlocked(many: Many): ManyItem | null {
  return many.mode === 'machine' ? (many.items.find((i) => i.disk === null) ?? null) : null;
}

/** The choices that follow the boot disk (its name and what was found on it); the others stay. */
export function bootDiskChoices(disk: DiskInfo, destination: string): Partial<Choices> {
  const { name, guestOS, memoryMB, firmware } = defaultChoices(disk, destination);
  return { name, guestOS, memoryMB, firmware };
}

/** The list with item `from` moved to `to` (both in range), as the boot-disk order changes. */
export function moved<T>(list: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= list.length || to < 0 || to >= list.length) return [...list];
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item!);
  return out;
}

/** The setup after the list changed: the boot disk is the first usable item. */
export function withMany(setup: Setup, many: Many): Setup {
  const first = usableItems(many)[0];
  if (!first) return { ...setup, many };
  if (first.disk.path === setup.disk.path) return { ...setup, many };
  return { ...setup, many, disk: first.disk, choices: { ...setup.choices, ...bootDiskChoices(first.disk, setup.choices.destination) } };
}

/** A machine's name as a file name (the engine's rule shortens it the same way). */
export function machineName(machine: MachineInfo): string {
  return safeFileName(machine.name, { maxChars: MAX_NAME, fallback: 'Machine' });
}

// ── the queue ───────────────────────────────────────────────────────────────────────────────

export type QueueState = 'waiting' | 'running' | 'done' | 'failed' | 'cancelled';

export interface QueueItem {
  path: string;
  /** The output's name, unique in the queue. */
  name: string;
  /** Absent for a file that did not inspect as a disk (it fails at once with that error). */
  request: JobRequest | null;
  jobId: string | null;
  state: QueueState;
  progress: Progress | null;
  /** Whether its job began by unpacking (for the phases its bar weighs). */
  unpacks: boolean;
  result: JobResult | null;
  error: ErrorInfo | null;
}

export const isFinished = (item: QueueItem): boolean => item.state === 'done' || item.state === 'failed' || item.state === 'cancelled';

/** `base`, or `base-2`, `base-3`… so that no two outputs of one queue share a name. */
function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base.slice(0, MAX_NAME - String(n).length - 1)}-${n}`;
  taken.add(name.toLowerCase());
  return name;
}

/**
 * One item per file: the shared choices (disk type, target, folder, checks) with each disk's own
 * name, guest, memory and firmware from what was found on it.
 */
export function queueItems(setup: Setup, many: Many): QueueItem[] {
  const taken = new Set<string>();
  const shared = setup.choices;
  return many.items.map((item) => {
    const name = uniqueName(nameFromPath(item.path), taken);
    const base = { path: item.path, name, jobId: null, progress: null, unpacks: false, result: null };
    if (!item.disk) return { ...base, request: null, state: 'failed' as const, error: item.error };
    const own = defaultChoices(item.disk, shared.destination);
    const choices: Choices = {
      ...shared,
      name,
      guestOS: own.guestOS,
      memoryMB: own.memoryMB,
      firmware: own.firmware,
      cpus: own.cpus,
      sshKeys: '',
      hostname: '',
    };
    const request = buildRequest({ disk: item.disk, suggestedDestination: setup.suggestedDestination, choices });
    return { ...base, request, state: 'waiting' as const, error: null };
  });
}

/** The item that runs now: JobService runs the queue's jobs one at a time, in the order they were started. */
export function currentItem(items: readonly QueueItem[]): number {
  const running = items.findIndex((i) => i.state === 'running');
  return running >= 0 ? running : items.findIndex((i) => i.state === 'waiting');
}
