// Windows boot repair, planned: the registry bytes to change so the chosen controller's driver
// starts at boot (Services\<driver>\Start = 0, every StartOverride value = 0) in the current
// control set, as disk byte ranges of the SYSTEM hive's existing value cells — no cell, hive or
// file-system metadata changes. Refuses, with the reason and what to do, whenever patching would
// not be safe. Reads only; the caller writes the patch into the output disk.
import type { PartitionTable } from '../../../../shared/disk-info';
import type { Controller } from '../../../../shared/options';
import type { DiskSource } from '../../sources/source';
import type { GuestFs } from '../fs/guest-fs';
import type { NtfsDriver } from '../fs/ntfs/ntfs';
import { openNtfs } from '../fs/open';
import { Hive, REG, type RegValue } from '../registry/regf';
import { readServices, type ServiceStart } from '../registry/windows-keys';
import { SYSTEM_HIVE } from '../windows/windows';
import { INBOX_CONTROLLERS, WINDOWS_DRIVERS } from './drivers';
import { notice, type Notice } from '../../notices';

export interface DiskPatch {
  /** Byte offset on the virtual disk. */
  offset: number;
  bytes: Buffer;
  /** What the bytes are, e.g. `ControlSet001\Services\storahci\Start: 3 → 0`. */
  what: string;
}

export type RepairPlan =
  | { kind: 'patch'; patches: DiskPatch[]; changes: string[] }
  | { kind: 'none-needed'; reason: string }
  | { kind: 'refused'; reason: Notice; hint: Notice };

const HIBERNATED = new Set(['hibr', 'HIBR', 'wake', 'WAKE', 'RSTR', 'rstr']);
const NTFS_DIRTY = 0x0001;
const MAX_HIVE = 512 * 1024 * 1024;

function refuse(reason: Notice, hint: Notice = KEEP_0X7B): RepairPlan {
  return { kind: 'refused', reason, hint };
}

const KEEP_0X7B = notice('repair-hint-keep-0x7b');

/** Plans the patch for `controller` on the Windows partition of `source`. */
export async function planBootRepair(source: DiskSource, table: PartitionTable | null, filesystems: ReadonlyMap<number, string>, controller: Controller): Promise<RepairPlan> {
  if ([...filesystems.values()].includes('BitLocker')) {
    return refuse(notice('repair-bitlocker'), notice('repair-hint-bitlocker', { then: KEEP_0X7B }));
  }
  const windows = await findWindows(source, table, filesystems);
  if (!windows) return refuse(notice('repair-no-windows'));
  const { fs, ntfs, label: where } = windows;
  if (((await ntfs.volumeFlags()) & NTFS_DIRTY) !== 0) {
    return refuse(notice('repair-ntfs-dirty', { where }), notice('repair-hint-shut-down', { then: KEEP_0X7B }));
  }
  const hiber = await fs.openFile('hiberfil.sys', MAX_HIVE);
  if (hiber && hiber.size >= 4) {
    const sig = (await hiber.read(0, 4)).toString('latin1');
    if (HIBERNATED.has(sig)) {
      return refuse(notice('repair-hibernated', { where, signature: sig }), notice('repair-hint-fast-startup', { then: KEEP_0X7B }));
    }
  }
  const hiveFile = await fs.openFile(SYSTEM_HIVE, MAX_HIVE);
  if (!hiveFile) return refuse(notice('repair-no-hive', { where }));
  let ranges;
  try {
    ranges = (await fs.diskRanges(SYSTEM_HIVE))!;
  } catch (err) {
    return refuse(notice('repair-hive-not-plain', { where, error: err instanceof Error ? err.message : String(err) }));
  }
  const hive = await Hive.open(hiveFile);
  if (hive.base.dirty) {
    return refuse(notice('repair-hive-dirty', { where, primary: hive.base.primarySequence, secondary: hive.base.secondarySequence }), notice('repair-hint-write-registry', { then: KEEP_0X7B }));
  }
  const pendingLog = await pendingLogEntries(fs, hive);
  if (pendingLog) {
    return refuse(notice('repair-hive-log-pending', { where, log: pendingLog }), notice('repair-hint-write-registry', { then: KEEP_0X7B }));
  }
  if (!hive.base.checksumOk) return refuse(notice('repair-hive-checksum', { where }));
  let cs;
  try {
    cs = await readServices(hive, WINDOWS_DRIVERS[controller]);
  } catch (err) {
    return refuse(notice('repair-control-set-unknown', { error: err instanceof Error ? err.message : String(err) }));
  }
  // A service key without a Start value is no installed driver: uninstalled VMware Tools leaves
  // Services\pvscsi holding only "vwdk.installers" (a real Windows 10 SYSTEM hive shows it).
  const present = [...cs.services].filter((e): e is [string, ServiceStart] => e[1]?.startValue !== undefined);
  if (present.length === 0) {
    const others = (await controllersWithDrivers(hive, INBOX_CONTROLLERS.filter((c) => c !== controller))).join(', ');
    return refuse(notice('repair-no-driver', { drivers: WINDOWS_DRIVERS[controller].join(', '), controlSet: cs.name }), notice('repair-hint-other-controller', { others }));
  }
  const hivePatches: Array<{ fileOffset: number; value: RegValue; old: number; what: string }> = [];
  for (const [driver, s] of present) {
    if (!s.startValue || s.start === undefined) return refuse(notice('repair-no-start-value', { value: `${cs.name}\\Services\\${driver}` }));
    if (s.start !== 0) hivePatches.push(dwordPatch(s.startValue, s.start, `${cs.name}\\Services\\${driver}\\Start`));
    for (const v of s.overrideValues) {
      const old = s.startOverride[v.name]!;
      if (old !== 0) hivePatches.push(dwordPatch(v, old, `${cs.name}\\Services\\${driver}\\StartOverride\\${v.name}`));
    }
  }
  const bad = hivePatches.find((p) => p.fileOffset < 0);
  if (bad) return refuse(notice('repair-not-dword', { value: bad.what }));
  if (hivePatches.length === 0) return { kind: 'none-needed', reason: `${present.map(([d]) => d).join(', ')} already start at boot in ${cs.name}` };
  const patches: DiskPatch[] = [];
  for (const p of hivePatches) {
    const bytes = Buffer.alloc(4);
    for (const piece of toDisk(ranges, p.fileOffset, 4)) {
      if (!piece) return refuse(notice('repair-value-off-disk', { value: p.what }));
      patches.push({ offset: piece.diskOffset, bytes: bytes.subarray(piece.from, piece.from + piece.length), what: `${p.what}: ${p.old} → 0` });
    }
  }
  return { kind: 'patch', patches, changes: hivePatches.map((p) => `${p.what}: ${p.old} → 0`) };
}

/** Of `candidates`, those whose driver the guest has (all of them when the hive cannot tell). */
async function controllersWithDrivers(hive: Hive, candidates: readonly Controller[]): Promise<Controller[]> {
  const out: Controller[] = [];
  for (const c of candidates) {
    const cs = await readServices(hive, WINDOWS_DRIVERS[c]).catch(() => undefined);
    if (!cs || [...cs.services.values()].some((s) => s?.startValue !== undefined)) out.push(c);
  }
  return out.length > 0 ? out : [...candidates];
}

/**
 * A transaction log (SYSTEM.LOG1/LOG2) whose first entry ("HvLE", Windows 8.1 and later) is not
 * older than the hive: Windows replays it at boot. Older logs ("DIRT" format) count when their
 * base block is newer than the hive's.
 */
async function pendingLogEntries(fs: GuestFs, hive: Hive): Promise<string | undefined> {
  for (const name of ['SYSTEM.LOG1', 'SYSTEM.LOG2', 'SYSTEM.LOG']) {
    const path = `Windows/System32/config/${name}`;
    const log = await fs.openFile(path, MAX_HIVE).catch(() => undefined);
    if (!log || log.size < 1024) continue;
    const head = await log.read(0, 1024);
    if (head.toString('latin1', 0, 4) !== 'regf') continue;
    if (head.toString('latin1', 512, 516) === 'HvLE') {
      if (head.readUInt32LE(512 + 12) >= hive.base.secondarySequence) return name;
    } else if (head.readUInt32LE(4) > hive.base.primarySequence) return name;
  }
  return undefined;
}

/** Where an inline DWORD value's data sits in the hive file; -1 when it is not one. */
function dwordPatch(v: RegValue, old: number, what: string): { fileOffset: number; value: RegValue; old: number; what: string } {
  const inline = v.dataFileOffset === undefined && v.dataSize === 4 && v.type === REG.dword;
  return { fileOffset: inline ? v.vkFileOffset + 8 : -1, value: v, old, what };
}

/** The disk pieces of file bytes [at, at + length); undefined for a piece not on the disk. */
function toDisk(ranges: Array<{ fileOffset: number; diskOffset: number; length: number }>, at: number, length: number): Array<{ diskOffset: number; from: number; length: number } | undefined> {
  const out: Array<{ diskOffset: number; from: number; length: number } | undefined> = [];
  let done = 0;
  while (done < length) {
    const pos = at + done;
    const r = ranges.find((x) => pos >= x.fileOffset && pos < x.fileOffset + x.length);
    if (!r) return [undefined];
    const n = Math.min(length - done, r.fileOffset + r.length - pos);
    out.push({ diskOffset: r.diskOffset + (pos - r.fileOffset), from: done, length: n });
    done += n;
  }
  return out;
}

async function findWindows(source: DiskSource, table: PartitionTable | null, filesystems: ReadonlyMap<number, string>): Promise<{ fs: GuestFs; ntfs: NtfsDriver; label: Notice } | undefined> {
  const spans = table ? table.partitions.filter((p) => filesystems.get(p.index) === 'NTFS').map((p) => ({ span: p, label: notice('where-partition', { index: p.index }) })) : filesystems.get(-1) === 'NTFS' ? [{ span: { startBytes: 0, sizeBytes: source.size }, label: notice('where-whole-disk') }] : [];
  for (const { span, label } of spans) {
    // An NTFS that cannot be read is reported by detection already; look on.
    const opened = await openNtfs(source, span).catch(() => undefined);
    if (opened && (await opened.fs.stat(SYSTEM_HIVE).catch(() => undefined))?.kind === 'file') return { ...opened, label };
  }
  return undefined;
}
