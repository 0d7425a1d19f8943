// A Linux guest read from its own files: the distribution from os-release, the newest kernel
// under /lib/modules, and which storage drivers that kernel can boot with — built in
// (modules.builtin) or packed in its initramfs.
import type { DriverAvailability } from '../../../../shared/disk-info';
import type { GuestFs } from '../fs/guest-fs';
import { GuestFsError } from '../fs/volume';
import { readInitramfs } from './initramfs';
import { linuxGuestId, parseOsRelease, type LinuxGuestId } from './os-release';
import { notice, type Notice } from '../../notices';

/** Storage drivers for VMware's controllers: PVSCSI, SATA (AHCI), IDE (PIIX). */
export const BOOT_DRIVERS = ['vmw_pvscsi', 'ahci', 'ata_piix'] as const;
export type BootDriver = (typeof BOOT_DRIVERS)[number];
/** `builtin`: in the kernel; `initramfs`: a module in the initramfs; `unknown`: the initramfs could not be read. */
export type DriverState = DriverAvailability;

export interface LinuxBoot {
  kernel: string;
  initramfs?: string;
  drivers: Record<BootDriver, DriverState>;
  /** What could not be read, when something could not. */
  note?: Notice;
}

export interface LinuxGuest extends LinuxGuestId {
  evidence: Notice[];
  boot?: LinuxBoot;
}

const MAX_OS_RELEASE = 64 * 1024;
const MAX_BUILTIN = 4 * 1024 * 1024;

function versionKey(v: string): number[] {
  return (v.match(/\d+/g) ?? []).slice(0, 8).map(Number);
}

function newer(a: string, b: string): number {
  const x = versionKey(a);
  const y = versionKey(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return a.localeCompare(b);
}

function why(err: unknown): string {
  return err instanceof GuestFsError ? err.message : err instanceof Error ? err.message : String(err);
}

/** The os-release of a root file system, or undefined when it has none. */
export async function readOsRelease(root: GuestFs): Promise<{ text: string; path: string } | undefined> {
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    const st = await root.stat(path);
    if (st?.kind !== 'file') continue;
    const b = await root.readFile(path, MAX_OS_RELEASE);
    if (b) return { text: b.toString('utf8'), path };
  }
  return undefined;
}

/** By kernel version (dracut, initramfs-tools, SUSE), then the unversioned names Arch (mkinitcpio) and Debian's `initrd.img` link use. */
const INITRAMFS_NAMES = (v: string) => [`initramfs-${v}.img`, `initrd.img-${v}`, `initrd-${v}`, `initramfs-${v}`, `initrd-${v}.img`, 'initramfs-linux.img', 'initrd.img', 'initrd'];

/**
 * Reads a Linux guest: `root` holds /etc and /lib/modules; `boot` is the file system holding
 * the kernels' initramfs images (the root's /boot, or a separate /boot partition at its root).
 */
export async function readLinuxGuest(root: GuestFs, osRelease: { text: string; path: string }, boot: { fs: GuestFs; dir: string } | Notice): Promise<LinuxGuest> {
  const osr = parseOsRelease(osRelease.text);
  const evidence: Notice[] = [notice('os-release-line', { path: osRelease.path, name: osr.PRETTY_NAME ?? osr.NAME ?? notice('os-release-no-name') })];
  const kernels = ((await root.list('/lib/modules')) ?? []).filter((k) => /^\d/.test(k)).sort(newer);
  const kernel = kernels[kernels.length - 1];
  const kernelMajor = kernel ? versionKey(kernel)[0] : undefined;
  const id = linuxGuestId(osr, kernelMajor);
  evidence.push(id.why);
  const guest: LinuxGuest = { ...id, evidence };
  if (!kernel) {
    evidence.push(notice('linux-no-kernel'));
    return guest;
  }
  let builtin = new Set<string>();
  try {
    const list = await root.readFile(`/lib/modules/${kernel}/modules.builtin`, MAX_BUILTIN);
    if (list) builtin = new Set(list.toString('utf8').split('\n').map((l) => /([^/]+)\.ko$/.exec(l.trim())?.[1]?.replace(/-/g, '_')).filter((x): x is string => !!x));
  } catch (err) {
    evidence.push(notice('linux-builtin-unread', { kernel, error: why(err) }));
  }
  const drivers = {} as Record<BootDriver, DriverState>;
  const result: LinuxBoot = { kernel, drivers };
  let inInitramfs: Set<string> | undefined;
  if ('code' in boot) {
    result.note = boot;
  } else {
    let found: string | undefined;
    for (const name of INITRAMFS_NAMES(kernel)) {
      const path = `${boot.dir}/${name}`;
      if ((await boot.fs.stat(path))?.kind === 'file') {
        found = path;
        break;
      }
    }
    if (!found) result.note = notice('initramfs-none', { kernel });
    else {
      result.initramfs = found;
      try {
        const file = await boot.fs.openFile(found, 512 * 1024 * 1024);
        const contents = await readInitramfs(file!);
        inInitramfs = contents.modules;
        for (const b of contents.builtin) builtin.add(b);
        if (contents.incomplete) result.note = notice('initramfs-incomplete', { path: found, layers: contents.layers.join(' + '), why: contents.incomplete });
        else evidence.push(notice('initramfs-read', { path: found, layers: contents.layers.join(' + '), modules: contents.modules.size }));
      } catch (err) {
        result.note = notice('initramfs-unread', { path: found, error: why(err) });
      }
    }
  }
  for (const d of BOOT_DRIVERS) {
    drivers[d] = builtin.has(d) ? 'builtin' : inInitramfs?.has(d) ? 'initramfs' : inInitramfs && !result.note ? 'missing' : 'unknown';
  }
  const state = (d: BootDriver) => notice(`driver-${drivers[d] === 'builtin' ? 'builtin' : drivers[d]}`);
  evidence.push(notice('kernel-drivers', { kernel, vmw_pvscsi: state('vmw_pvscsi'), ahci: state('ahci'), ata_piix: state('ata_piix') }));
  if (result.note) evidence.push(result.note);
  guest.boot = result;
  return guest;
}
