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

function controllerEntries(controller: Controller, diskFile: string): VmxEntry[] {
  const { bus, slot } = diskSlot(controller);
  const out: VmxEntry[] = [];
  // The primary IDE channel always exists; SCSI, SATA and NVMe controllers must be declared.
  if (controller !== 'ide') out.push([`${bus}.present`, 'TRUE']);
  if (bus === 'scsi0') out.push(['scsi0.virtualDev', controller]);
  // No deviceType: a .vmdk file name already means a hard disk on every bus.
  out.push([`${slot}.present`, 'TRUE'], [`${slot}.fileName`, diskFile]);
  return out;
}

/**
 * Where the empty CD/DVD drive goes: beside the disk on SATA for a machine whose disk is on SATA
 * or NVMe (UEFI machines, as Workstation's own wizard sets them up), otherwise the IDE secondary
 * master, which every hosted VM has. VMware Tools installs from it.
 */
export function cdromSlot(controller: Controller): { bus: string; slot: string } {
  return controller === 'sata' || controller === 'nvme' ? { bus: 'sata0', slot: 'sata0:1' } : { bus: 'ide1', slot: 'ide1:0' };
}

function cdromEntries(controller: Controller): VmxEntry[] {
  const { bus, slot } = cdromSlot(controller);
  const out: VmxEntry[] = [];
  if (bus === 'sata0' && controller !== 'sata') out.push(['sata0.present', 'TRUE']);
  out.push([`${slot}.present`, 'TRUE'], [`${slot}.deviceType`, 'cdrom-raw'], [`${slot}.fileName`, 'auto detect'], [`${slot}.startConnected`, 'FALSE']);
  return out;
}

/** VMCI and HPET (hardware 7+) and the USB 3 controller (hardware 8+), as Workstation writes them. */
const VMCI_HPET_MIN_HW = 7;
const XHCI_MIN_HW = 8;

export interface VmxInput {
  hardware: VmHardware;
  displayName: string;
  /** The descriptor's name, relative to the .vmx. */
  diskFile: string;
  annotation: string;
  /** First-boot data for the guest (`guestinfo.*` keys), last in the file. */
  guestinfo?: GuestInfo | undefined;
}

export function vmxEntries({ hardware: hw, displayName, diskFile, annotation, guestinfo = [] }: VmxInput): VmxEntry[] {
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
  entries.push(...controllerEntries(hw.controller, diskFile));
  entries.push(...cdromEntries(hw.controller));
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
