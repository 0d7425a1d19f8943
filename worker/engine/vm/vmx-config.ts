// The entries of a generated .vmx. Only what describes the machine: identity VMware fills in
// itself on first power-on (uuid.bios, uuid.location, generated MAC addresses, PCI slot
// numbers, nvram) is left out so every copy of the folder gets its own.
import type { Controller } from '../../../shared/options';
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

export interface VmxInput {
  hardware: VmHardware;
  displayName: string;
  /** The descriptor's name, relative to the .vmx. */
  diskFile: string;
  /** Further disks, on the same controller after the boot disk. */
  extraDiskFiles?: readonly string[];
  annotation: string;
}

export function vmxEntries({ hardware: hw, displayName, diskFile, extraDiskFiles = [], annotation }: VmxInput): VmxEntry[] {
  const entries: VmxEntry[] = [
    ['.encoding', 'UTF-8'],
    ['config.version', '8'],
    ['virtualHW.version', String(hw.hwVersion)],
    ['virtualHW.productCompatibility', 'hosted'],
    ['displayName', displayName],
    ['annotation', annotation],
    ['guestOS', hw.guestOS],
    ['firmware', hw.firmware],
    ['memsize', String(hw.memoryMB)],
    ['numvcpus', String(hw.cpus)],
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
  entries.push(
    ['ethernet0.present', 'TRUE'],
    ['ethernet0.connectionType', 'nat'],
    ['ethernet0.virtualDev', hw.nic],
    ['ethernet0.addressType', 'generated'],
  );
  // USB 2 so host devices (keys, drives) can be passed through; no sound: servers and cloud
  // images do not need it, and it is one click to add.
  if (hw.modernChipset) entries.push(['usb.present', 'TRUE'], ['ehci.present', 'TRUE']);
  entries.push(['floppy0.present', 'FALSE']);
  return entries;
}
