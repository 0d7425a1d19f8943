// The entries of a generated .vmx. Only what describes the machine: identity VMware fills in
// itself on first power-on (uuid.bios, uuid.location, generated MAC addresses, PCI slot
// numbers, nvram) is left out so every copy of the folder gets its own.
import type { Controller } from '../../../shared/options';
import type { GuestInfo } from '../machine/first-boot';
import type { VmHardware } from '../machine/hardware';
import type { VmxEntry } from './vmx';

/** The .vmx device the disk hangs on: `scsi0:0`, `ide0:0`, `sata0:0` or `nvme0:0`. */
export function diskSlot(controller: Controller): { bus: string; slot: string } {
  switch (controller) {
    case 'ide':
      return { bus: 'ide0', slot: 'ide0:0' };
    case 'sata':
      return { bus: 'sata0', slot: 'sata0:0' };
    case 'nvme':
      return { bus: 'nvme0', slot: 'nvme0:0' };
    case 'lsilogic':
    case 'lsisas1068':
    case 'pvscsi':
      return { bus: 'scsi0', slot: 'scsi0:0' };
  }
}

/**
 * The slots of disks 1..n on one controller: IDE has two channels of two (master, slave); SCSI
 * skips unit 7, the controller's own; SATA has 30 ports, NVMe 15 namespaces (docs/vmx.md#controllers).
 */
export function diskSlots(controller: Controller): string[] {
  const { bus } = diskSlot(controller);
  switch (controller) {
    case 'ide':
      return ['ide0:0', 'ide0:1', 'ide1:0', 'ide1:1'];
    case 'sata':
      return Array.from({ length: 30 }, (_, u) => `${bus}:${u}`);
    case 'nvme':
      return Array.from({ length: 15 }, (_, u) => `${bus}:${u}`);
    default:
      return Array.from({ length: 16 }, (_, u) => `${bus}:${u}`).filter((s) => s !== `${bus}:7`);
  }
}

function controllerEntries(controller: Controller, diskFiles: readonly string[]): VmxEntry[] {
  const { bus } = diskSlot(controller);
  const slots = diskSlots(controller);
  const out: VmxEntry[] = [];
  // The IDE channels always exist; SCSI, SATA and NVMe controllers must be declared.
  if (controller !== 'ide') out.push([`${bus}.present`, 'TRUE']);
  if (bus === 'scsi0') out.push(['scsi0.virtualDev', controller]);
  // No deviceType: a .vmdk file name already means a hard disk on every bus.
  diskFiles.forEach((file, i) => out.push([`${slots[i]!}.present`, 'TRUE'], [`${slots[i]!}.fileName`, file]));
  return out;
}

/**
 * Where the empty CD/DVD drive goes: beside the disks on SATA for a machine whose disks are on
 * SATA or NVMe (UEFI machines, as Workstation's own wizard sets them up), otherwise the IDE
 * secondary master, which every hosted VM has (the first IDE slot the disks leave; on SATA when
 * four IDE disks take them all). VMware Tools installs from it.
 */
export function cdromSlot(controller: Controller, diskCount = 1, hwVersion = 10): { bus: string; slot: string } | undefined {
  if (controller === 'nvme') return { bus: 'sata0', slot: 'sata0:1' };
  if (controller === 'sata') return { bus: 'sata0', slot: `sata0:${Math.max(1, diskCount)}` };
  if (controller !== 'ide') return { bus: 'ide1', slot: 'ide1:0' };
  // IDE disks take ide0:0, ide0:1, ide1:0, ide1:1 in order; the drive takes the first slot left.
  const taken = new Set(diskSlots('ide').slice(0, diskCount));
  const free = ['ide1:0', 'ide1:1', 'ide0:1'].find((s) => !taken.has(s));
  if (free) return { bus: free.slice(0, 4), slot: free };
  return hwVersion >= SATA_MIN_HW ? { bus: 'sata0', slot: 'sata0:0' } : undefined;
}

function cdromEntries(controller: Controller, diskCount: number, hwVersion: number): VmxEntry[] {
  const where = cdromSlot(controller, diskCount, hwVersion);
  if (!where) return [];
  const { bus, slot } = where;
  const out: VmxEntry[] = [];
  if (bus === 'sata0' && controller !== 'sata') out.push(['sata0.present', 'TRUE']);
  out.push([`${slot}.present`, 'TRUE'], [`${slot}.deviceType`, 'cdrom-raw'], [`${slot}.fileName`, 'auto detect'], [`${slot}.startConnected`, 'FALSE']);
  return out;
}

/** SATA came with hardware version 10. */
const SATA_MIN_HW = 10;

/** VMCI and HPET (hardware 7+) and the USB 3 controller (hardware 8+), as Workstation writes them. */
const VMCI_HPET_MIN_HW = 7;
const XHCI_MIN_HW = 8;

export interface VmxInput {
  hardware: VmHardware;
  displayName: string;
  /** The descriptor's name, relative to the .vmx. */
  diskFile: string;
  /** Further disks, on the same controller after the boot disk. */
  extraDiskFiles?: readonly string[];
  annotation: string;
  /** First-boot data for the guest (`guestinfo.*` keys), last in the file. */
  guestinfo?: GuestInfo | undefined;
}

export function vmxEntries({ hardware: hw, displayName, diskFile, extraDiskFiles = [], annotation, guestinfo = [] }: VmxInput): VmxEntry[] {
  const entries: VmxEntry[] = [
    ['.encoding', 'UTF-8'],
    ['config.version', '8'],
    ['virtualHW.version', String(hw.hwVersion)],
    ['virtualHW.productCompatibility', 'hosted'],
    ['displayName', displayName],
    ['annotation', annotation],
    ['guestOS', hw.guestOS],
    ['firmware', hw.firmware],
    ...(hw.secureBoot ? ([['uefi.secureBoot.enabled', 'TRUE']] as VmxEntry[]) : []),
    ['memsize', String(hw.memoryMB)],
    ['numvcpus', String(hw.cpus)],
    // One socket with every core: client editions of Windows use at most one or two sockets.
    ['cpuid.coresPerSocket', String(hw.cpus)],
  ];
  if (hw.modernChipset) {
    // The PCI bridge and PCIe root ports VMware's own wizard writes; PCIe devices (PVSCSI,
    // NVMe, vmxnet3, e1000e) sit behind them.
    entries.push(['pciBridge0.present', 'TRUE']);
    for (const n of [4, 5, 6, 7]) {
      entries.push([`pciBridge${n}.present`, 'TRUE'], [`pciBridge${n}.virtualDev`, 'pcieRootPort'], [`pciBridge${n}.functions`, '8']);
    }
  }
  entries.push(...controllerEntries(hw.controller, [diskFile, ...extraDiskFiles]));
  entries.push(...cdromEntries(hw.controller, 1 + extraDiskFiles.length, hw.hwVersion));
  entries.push(
    ['ethernet0.present', 'TRUE'],
    ['ethernet0.connectionType', 'nat'],
    ['ethernet0.virtualDev', hw.nic],
    ['ethernet0.addressType', 'generated'],
  );
  // USB 2 so host devices (keys, drives) can be passed through; no sound: servers and cloud
  // images do not need it, and it is one click to add.
  if (hw.modernChipset) entries.push(['usb.present', 'TRUE'], ['ehci.present', 'TRUE']);
  if (hw.hwVersion >= XHCI_MIN_HW) entries.push(['usb_xhci.present', 'TRUE']);
  if (hw.hwVersion >= VMCI_HPET_MIN_HW) entries.push(['vmci0.present', 'TRUE'], ['hpet0.present', 'TRUE']);
  entries.push(['floppy0.present', 'FALSE']);
  entries.push(...guestinfo);
  return entries;
}
