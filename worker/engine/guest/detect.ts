// Reads the guest's own files to name its OS exactly: the Windows registry on an NTFS partition,
// os-release, kernels and initramfs on ext partitions. Anything unreadable (a damaged file system,
// XFS, LVM, BitLocker) becomes evidence or a warning; this never fails the caller.
import type { PartitionEntry, PartitionTable } from '../../../shared/disk-info';
import type { DiskSource } from '../sources/source';
import type { GuestFs } from './fs/guest-fs';
import { NOT_READ, openGuestFs } from './fs/open';
import { readLinuxGuest, readOsRelease, type BootDriver, type DriverState, type LinuxGuest } from './linux/linux';
import { readWindowsGuest, type WindowsGuest } from './windows/windows';

export interface GuestReading {
  kind: 'windows' | 'linux';
  guestOS: string;
  os: { name: string; version?: string; build?: number };
  evidence: string[];
  /** Linux: the boot drivers of the newest kernel. */
  drivers?: Record<BootDriver, DriverState>;
}

export interface ReadResult {
  reading?: GuestReading;
  /** Clauses for the guess's evidence when nothing was read (why not). */
  notes: string[];
  warnings: string[];
}

interface Part {
  label: string;
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
  const label = (p: PartitionEntry) => `partition ${p.index}`;
  if (table) {
    for (const p of table.partitions) {
      const t = types.get(p.index);
      if (t) parts.push({ label: label(p), span: p, type: t });
    }
  } else if (types.has(-1)) parts.push({ label: 'the whole disk', span: { startBytes: 0, sizeBytes: source.size }, type: types.get(-1)! });
  const out: ReadResult = { notes: [], warnings: [] };
  const opened: Array<{ part: Part; fs: GuestFs }> = [];
  for (const part of parts) {
    if (!READABLE.test(part.type)) continue;
    try {
      opened.push({ part, fs: await openGuestFs(source, part.span, part.type) });
    } catch (err) {
      out.warnings.push(`The ${part.type} file system on ${part.label} could not be read (${message(err)}); the guest is guessed from the partitions instead. The guest may need a file-system check (chkdsk or fsck).`);
    }
  }
  for (const { part, fs } of opened.filter((o) => o.part.type === 'NTFS')) {
    try {
      const win: WindowsGuest | undefined = await readWindowsGuest(fs);
      if (win) {
        out.reading = { kind: 'windows', guestOS: win.guestOS, os: osOf(win), evidence: [`NTFS on ${part.label} holds \\Windows`, ...win.evidence] };
        return out;
      }
    } catch (err) {
      out.warnings.push(`The Windows registry on ${part.label} could not be read (${message(err)}); the Windows version is not known.`);
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
        evidence: [`${part.type} on ${part.label} is the root file system`, ...linux.evidence],
        ...(linux.boot ? { drivers: linux.boot.drivers } : {}),
      };
      return out;
    } catch (err) {
      out.warnings.push(`The Linux root file system on ${part.label} could not be read (${message(err)}); the distribution is not known.`);
    }
  }
  for (const part of parts) {
    if (NOT_READ.has(part.type)) out.notes.push(`${part.type} on ${part.label} is recognised, but Ferry does not read its files`);
  }
  return out;
}

function osOf(g: LinuxGuest | WindowsGuest): GuestReading['os'] {
  const build = 'build' in g ? g.build : undefined;
  return { name: g.name, ...(g.version ? { version: g.version } : {}), ...(build !== undefined ? { build } : {}) };
}

/** Where the kernels' initramfs images are: the root's /boot, another partition's root, or why not known. */
async function findBoot(root: GuestFs, opened: Array<{ part: Part; fs: GuestFs }>, parts: Part[], rootPart: Part): Promise<{ fs: GuestFs; dir: string } | string> {
  const hasKernels = (names: string[] | undefined) => (names ?? []).some((n) => HAS_KERNEL.test(n));
  if (hasKernels(await root.list('/boot').catch(() => undefined))) return { fs: root, dir: '/boot' };
  for (const o of opened) {
    if (o.part === rootPart) continue;
    if (hasKernels(await o.fs.list('/').catch(() => undefined))) return { fs: o.fs, dir: '' };
  }
  const unread = parts.filter((p) => p !== rootPart && NOT_READ.has(p.type));
  if (unread.length) return `/boot is not on the root file system; ${unread.map((p) => `${p.type} on ${p.label}`).join(', ')} may hold it, and Ferry does not read those`;
  return 'no /boot with kernels was found';
}
