// Windows boot repair for a machine Ferry builds (`ferry vm`, `ferry ova`): plans the patch for
// the chosen controller and returns the source view to copy from, or says why not.
import type { GuestChange, PartitionTable } from '../../../../shared/disk-info';
import type { Controller } from '../../../../shared/options';
import type { DiskSource } from '../../sources/source';
import { patchedSource } from './patched-source';
import { planBootRepair } from './plan';
import { notice, type Notice } from '../../notices';

export interface RepairOutcome {
  /** What to copy from: the source, or its patched view. */
  source: DiskSource;
  /** The registry values changed, with the disk bytes patched (empty when nothing changed). */
  changes: GuestChange[];
  /** Why no repair was made, or what was done (for the result's warnings). */
  notes: Notice[];
  /** True when the chosen controller's driver now starts at boot (patched, or already so). */
  bootable: boolean;
}

export interface RepairRequest {
  kind: 'windows' | 'linux' | 'other';
  controller: Controller;
  /** False with --no-guest-repair. */
  enabled: boolean;
  /** The source is used in place (zero-copy): nothing may be patched. */
  zeroCopy: boolean;
}

export async function repairGuest(source: DiskSource, table: PartitionTable | null, filesystems: ReadonlyMap<number, string>, req: RepairRequest): Promise<RepairOutcome> {
  const none = (notes: Notice[]): RepairOutcome => ({ source, changes: [], notes, bootable: false });
  if (req.kind !== 'windows' || !req.enabled) return none([]);
  if (req.zeroCopy) return none([notice('repair-zero-copy')]);
  let plan;
  try {
    plan = await planBootRepair(source, table, filesystems, req.controller);
  } catch (err) {
    return none([notice('repair-registry-unreadable', { error: err instanceof Error ? err.message : String(err) })]);
  }
  if (plan.kind === 'refused') return none([notice('repair-refused', { reason: plan.reason, hint: plan.hint })]);
  if (plan.kind === 'none-needed') return { source, changes: [], notes: [], bootable: true };
  const changes: GuestChange[] = plan.patches.map((p) => ({ what: p.what, offset: p.offset, length: p.bytes.length }));
  return { source: patchedSource(source, plan.patches), changes, notes: [], bootable: true };
}

/** File-system types by partition index (-1: the whole disk), from what detection recognised. */
export function filesystemTypes(detected: { filesystems: ReadonlyMap<number, { type: string }>; wholeDisk?: { type: string } }): Map<number, string> {
  const out = new Map<number, string>([...detected.filesystems].map(([i, fs]) => [i, fs.type]));
  if (detected.wholeDisk) out.set(-1, detected.wholeDisk.type);
  return out;
}

/**
 * The hardware warnings with the repair's outcome: once the controller's driver starts at boot,
 * the INACCESSIBLE_BOOT_DEVICE advice gives way to what was changed; otherwise it stays, after why.
 */
export function withRepairNotes(warnings: Notice[], outcome: RepairOutcome): Notice[] {
  if (!outcome.bootable) return [...outcome.notes, ...warnings];
  const kept = warnings.filter((w) => w.code !== 'windows-controller');
  if (outcome.changes.length === 0) return kept;
  const what = [...new Set(outcome.changes.map((c) => c.what))].join('; ');
  return [...kept, notice('repair-done', { changes: what })];
}
