// Reads the guest's own files to name its OS exactly: the Windows registry on an NTFS partition,
// os-release, kernels and initramfs on ext partitions. Anything unreadable (a damaged file system,
// XFS, LVM, BitLocker) becomes evidence or a warning; this never fails the caller.
import type { PartitionEntry, PartitionTable } from '../../../shared/disk-info';
import type { DiskSource } from '../sources/source';
import type { GuestFs } from './fs/guest-fs';
import { NOT_READ, openGuestFs } from './fs/open';
import { readLinuxGuest, readOsRelease, type BootDriver, type DriverState, type LinuxGuest } from './linux/linux';
import { readWindowsGuest, type WindowsGuest } from './windows/windows';
import { english, notice, type Notice } from '../notices';

export interface GuestReading {
  kind: 'windows' | 'linux';
  guestOS: string;
  os: { name: string; version?: string; build?: number };
  evidence: Notice[];
  /** Linux: the boot drivers of the newest kernel. */
  drivers?: Record<BootDriver, DriverState>;
}

export interface ReadResult {
  reading?: GuestReading;
  /** Clauses for the guess's evidence when nothing was read (why not). */
  notes: Notice[];
  warnings: Notice[];
}

interface Part {
  label: Notice;
  span: { startBytes: number; sizeBytes: number };
  type: string;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const READABLE = /^(NTFS|FAT(12|16|32)?|ext[234])$/;
const HAS_KERNEL = /^(vmlinuz|initramfs|initrd|bzImage)/;

/** Reads the guest from the partitions whose file systems inspect recognised (by partition index; -1 for a whole disk). */
export async function readGuest(source: DiskSource, table: PartitionTable | null, types: ReadonlyMap<number, string>): Promise<ReadResult> {
  const parts: Part[] = [];
  const label = (p: PartitionEntry) => notice('where-partition', { index: p.index });
  if (table) {
    for (const p of table.partitions) {
      const t = types.get(p.index);
      if (t) parts.push({ label: label(p), span: p, type: t });
    }
  } else if (types.has(-1)) parts.push({ label: notice('where-whole-disk'), span: { startBytes: 0, sizeBytes: source.size }, type: types.get(-1)! });
  const out: ReadResult = { notes: [], warnings: [] };
  const opened: Array<{ part: Part; fs: GuestFs }> = [];
  for (const part of parts) {
    if (!READABLE.test(part.type)) continue;
    try {
      opened.push({ part, fs: await openGuestFs(source, part.span, part.type) });
    } catch (err) {
      out.warnings.push(notice('guest-fs-unreadable', { type: part.type, where: part.label, error: message(err) }));
    }
  }
  for (const { part, fs } of opened.filter((o) => o.part.type === 'NTFS')) {
    try {
      const win: WindowsGuest | undefined = await readWindowsGuest(fs);
      if (win) {
        out.reading = { kind: 'windows', guestOS: win.guestOS, os: osOf(win), evidence: [notice('ntfs-holds-windows', { where: part.label }), ...win.evidence] };
        return out;
      }
    } catch (err) {
      out.warnings.push(notice('guest-registry-unreadable', { where: part.label, error: message(err) }));
    }
  }
  for (const { part, fs } of opened.filter((o) => /^ext/.test(o.part.type))) {
    try {
      const osRelease = await readOsRelease(fs);
      if (!osRelease) continue;
      const linux = await readLinuxGuest(fs, osRelease, await findBoot(fs, opened, parts, part));
      out.reading = {
        kind: 'linux',
        guestOS: linux.guestOS,
        os: osOf(linux),
        evidence: [notice('linux-root-fs', { type: part.type, where: part.label }), ...linux.evidence],
        ...(linux.boot ? { drivers: linux.boot.drivers } : {}),
      };
      return out;
    } catch (err) {
      out.warnings.push(notice('guest-linux-root-unreadable', { where: part.label, error: message(err) }));
    }
  }
  for (const part of parts) {
    if (NOT_READ.has(part.type)) out.notes.push(notice('fs-not-read', { type: part.type, where: part.label }));
  }
  return out;
}

function osOf(g: LinuxGuest | WindowsGuest): GuestReading['os'] {
  const build = 'build' in g ? g.build : undefined;
  return { name: g.name, ...(g.version ? { version: g.version } : {}), ...(build !== undefined ? { build } : {}) };
}

/** Where the kernels' initramfs images are: the root's /boot, another partition's root, or why not known. */
async function findBoot(root: GuestFs, opened: Array<{ part: Part; fs: GuestFs }>, parts: Part[], rootPart: Part): Promise<{ fs: GuestFs; dir: string } | Notice> {
  const hasKernels = (names: string[] | undefined) => (names ?? []).some((n) => HAS_KERNEL.test(n));
  if (hasKernels(await root.list('/boot').catch(() => undefined))) return { fs: root, dir: '/boot' };
  for (const o of opened) {
    if (o.part === rootPart) continue;
    if (hasKernels(await o.fs.list('/').catch(() => undefined))) return { fs: o.fs, dir: '' };
  }
  const unread = parts.filter((p) => p !== rootPart && NOT_READ.has(p.type));
  if (unread.length) return notice('boot-elsewhere', { parts: unread.map((p) => `${p.type} on ${english(p.label)}`).join(', ') });
  return notice('boot-none');
}
