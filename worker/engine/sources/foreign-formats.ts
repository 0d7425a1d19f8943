// Disk formats of other tools that Ferry recognises by their signature but does not read. Without
// this a QEMU image named `.img` (as cloud images are) would be copied byte for byte as a raw
// disk, and an ESXi snapshot extent would be "not a disk". Signatures as the public readers
// define them: qemu's docs/interop/qcow2.txt and block/{vdi,vmdk,parallels}.c, libewf's EWF notes,
// dissect.hypervisor for Hyper-V's .vmcx/.vmrs container.

export interface ForeignFormat {
  /** What the file is, as a phrase ("a QEMU qcow2 image"). */
  name: string;
  /** How to turn it into something Ferry reads. */
  hint: string;
}

/** The header signature of Hyper-V's .vmcx/.vmrs container (docs/machines.md#vmcx). */
const HYPERV_STORE_SIGNATURE = 0x01282014;

const QEMU_TO_RAW = (fmt: string) => `qemu-img convert -f ${fmt} -O raw <file> disk.img`;

function at(head: Buffer, offset: number, text: string): boolean {
  return head.length >= offset + text.length && head.toString('latin1', offset, offset + text.length) === text;
}

/** The foreign format the first bytes of a file show, if any. */
export function foreignFormat(head: Buffer): ForeignFormat | undefined {
  if (at(head, 0, 'QFI\xfb')) {
    const version = head.length >= 8 ? head.readUInt32BE(4) : 0;
    return { name: `a QEMU ${version >= 2 ? 'qcow2' : 'qcow'} image`, hint: `Convert it to a raw image first (${QEMU_TO_RAW(version >= 2 ? 'qcow2' : 'qcow')}), then give Ferry disk.img.` };
  }
  if (head.length >= 0x44 && head.readUInt32LE(0x40) === 0xbeda107f) {
    return { name: 'a VirtualBox VDI disk', hint: `Convert it first: VBoxManage clonemedium disk <file> disk.vmdk --format VMDK, or ${QEMU_TO_RAW('vdi')}.` };
  }
  if (head.length >= 8 && head.readBigUInt64LE(0) === 0xcafebaben) {
    return { name: 'a VMware ESXi SEsparse snapshot extent (-sesparse.vmdk)', hint: 'Consolidate or delete the VM’s snapshots in vSphere, then convert its base disk; or clone it on the host with vmkfstools -i into a thin or flat disk.' };
  }
  if (at(head, 0, 'COWD')) {
    return { name: 'a VMware ESX vmfsSparse snapshot extent (-delta.vmdk)', hint: 'Consolidate or delete the VM’s snapshots in vSphere, then convert its base disk; or clone it on the host with vmkfstools -i into a thin or flat disk.' };
  }
  if (at(head, 0, 'WithoutFreeSpace') || at(head, 0, 'WithouFreSpacExt')) {
    return { name: 'a Parallels disk image (.hds)', hint: `Convert it first: ${QEMU_TO_RAW('parallels')}.` };
  }
  if (head.length >= 4 && head.readUInt32LE(0) === HYPERV_STORE_SIGNATURE) {
    return { name: 'a Hyper-V key-value store (the format of a VM’s .vmcx configuration and .vmrs runtime state)', hint: 'Give Ferry the VM’s .vmcx (in its "Virtual Machines" folder), the export folder, or its .vhdx disks.' };
  }
  if (at(head, 0, 'EVF\x09\x0d\x0a\xff\x00') || at(head, 0, 'EVF2\x0d\x0a\x81\x00')) {
    return { name: 'an EnCase (EWF/E01) forensic image', hint: 'Export it to a raw image first (ewfexport -f raw, from libewf), then give Ferry the raw image.' };
  }
  return undefined;
}
