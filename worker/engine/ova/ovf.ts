// The OVF 1.0 envelope of a VM with one disk or several (DMTF DSP0243): what ESXi, vSphere and ovftool read to
// build the VM. rasd elements are in the CIM schema's (alphabetical) order, as ovftool validates.
import type { Controller } from '../../../shared/options';
import type { NicDevice, VmHardware } from '../machine/hardware';
import type { OvfGuest } from './guest-os';

export const STREAM_OPTIMIZED_FORMAT = 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized';
/** The port group every ESXi host has out of the box. */
export const NETWORK_NAME = 'VM Network';

export interface OvfInput {
  /** `ovf:id` of the VirtualSystem (an identifier: the file stem). */
  id: string;
  /** What vSphere shows as the VM's name. */
  displayName: string;
  annotation: string;
  hardware: VmHardware;
  guest: OvfGuest;
  disk: OvfDisk;
  /** Further disks, on the same controller after the boot disk (IDE: on a second channel from the third). */
  extraDisks?: readonly OvfDisk[];
  /** guestinfo keys for the guest's first boot, as vApp properties. */
  properties?: Array<[key: string, value: string]> | undefined;
}

export interface OvfDisk {
  href: string;
  fileBytes: number;
  capacityBytes: number;
  populatedBytes: number;
}

/**
 * The first-boot keys as a ProductSection of vApp properties. With the `com.vmware.guestInfo`
 * transport vCenter (and ovftool with --X:injectOvfEnv) hands them to the guest in the OVF
 * environment (`guestinfo.ovfEnv`), which Ignition's VMware provider reads; they can be edited
 * in the deploy wizard.
 */
function productSection(properties: Array<[string, string]>): string[] {
  if (properties.length === 0) return [];
  return [
    '    <ProductSection>',
    '      <Info>First-boot configuration for the guest</Info>',
    ...properties.map(([key, value]) => `      <Property ovf:key="${xmlEscape(key)}" ovf:type="string" ovf:userConfigurable="true" ovf:value="${xmlEscape(value)}"/>`),
    '    </ProductSection>',
  ];
}

export function xmlEscape(s: string): string {
  // Tab, line feed and carriage return as character references: in an attribute a parser would
  // read them as spaces (XML 1.0 §3.3.3, attribute-value normalization).
  return s.replace(/[&<>"'\t\n\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' })[c]!);
}

type Rasd = Array<[string, string | number]>;

/** `vmw` lines follow the rasd elements, as in VMware's own OVF templates; `optional` items may be dropped by an importer. */
function item(fields: Rasd, opts: { optional?: boolean; vmw?: string[] } = {}): string {
  // CIM_ResourceAllocationSettingData is a sequence in alphabetical order.
  const sorted = [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    opts.optional ? '      <Item ovf:required="false">' : '      <Item>',
    ...sorted.map(([k, v]) => `        <rasd:${k}>${xmlEscape(String(v))}</rasd:${k}>`),
    ...(opts.vmw ?? []).map((line) => `        ${line}`),
    '      </Item>',
  ].join('\n');
}

/**
 * The empty CD/DVD drive VMware's templates carry (for installing VMware Tools), where the .vmx
 * puts it: beside SATA disks on their controller, otherwise on the second IDE controller (every
 * ESXi VM has two) in the first slot the disks leave. Four IDE disks leave none: no drive then.
 * `secondIde`: the id of the second IDE controller when the disks already use it.
 */
function cdromItems(controller: Controller, diskCount: number, nextId: number, secondIde: number | undefined): string[] {
  const drive = (parent: number, address: number, id: number): string =>
    item(
      [['AddressOnParent', address], ['AutomaticAllocation', 'false'], ['ElementName', 'CD/DVD drive 1'], ['InstanceID', id], ['Parent', parent], ['ResourceSubType', 'vmware.cdrom.remotepassthrough'], ['ResourceType', 15]],
      { optional: true },
    );
  if (controller === 'sata') return [drive(3, diskCount, nextId)];
  if (secondIde !== undefined) return diskCount === 3 ? [drive(secondIde, 1, nextId)] : [];
  return [controllerItem('ide', nextId, 1), drive(nextId, 0, nextId + 1)];
}

/** The controller's Item: type 5 IDE, 6 SCSI (with the VMware subtype), 20 other storage (SATA, NVMe). */
function controllerItem(controller: Controller, instanceId: number, address = 0): string {
  switch (controller) {
    case 'ide':
      return item([['Address', address], ['ElementName', `IDE Controller ${address}`], ['InstanceID', instanceId], ['ResourceType', 5]]);
    case 'lsilogic':
    case 'lsisas1068':
    case 'pvscsi': {
      const sub = controller === 'lsilogic' ? 'lsilogic' : controller === 'lsisas1068' ? 'lsilogicsas' : 'VirtualSCSI';
      return item([['Address', 0], ['ElementName', 'SCSI Controller 0'], ['InstanceID', instanceId], ['ResourceSubType', sub], ['ResourceType', 6]]);
    }
    case 'sata':
      return item([['Address', 0], ['ElementName', 'SATA Controller 0'], ['InstanceID', instanceId], ['ResourceSubType', 'vmware.sata.ahci'], ['ResourceType', 20]]);
    case 'nvme':
      return item([['Address', 0], ['ElementName', 'NVMe Controller 0'], ['InstanceID', instanceId], ['ResourceSubType', 'vmware.nvme.controller'], ['ResourceType', 20]]);
  }
}

const NIC_SUBTYPE: Record<NicDevice, string> = { e1000: 'E1000', e1000e: 'E1000e', vmxnet3: 'VmxNet3' };

/**
 * Items of disks 2..n (instance ids from 6, after the one-disk layout's five): on the first
 * controller at the next free address (SCSI skips 7, the controller's own), except that IDE has
 * two per channel, so disks 3 and 4 go on a second IDE controller.
 */
function extraDiskItems(controller: Controller, count: number): string[] {
  const out: string[] = [];
  let id = 6;
  const secondIde = controller === 'ide' && count >= 2 ? id++ : undefined;
  if (secondIde !== undefined) out.push(controllerItem('ide', secondIde, 1));
  for (let n = 2; n <= count + 1; n++) {
    let parent = 3;
    let address = n - 1;
    if (controller === 'ide') {
      parent = n <= 2 ? 3 : secondIde!;
      address = (n - 1) % 2;
    } else if (controller !== 'sata' && controller !== 'nvme' && address >= 7) address += 1;
    out.push(item([['AddressOnParent', address], ['ElementName', `Hard Disk ${n}`], ['HostResource', `ovf:/disk/vmdisk${n}`], ['InstanceID', id++], ['Parent', parent], ['ResourceType', 17]]));
  }
  return out;
}

export function renderOvf(input: OvfInput): string {
  const hw = input.hardware;
  const { disk } = input;
  const extra = input.extraDisks ?? [];
  const all = [disk, ...extra];
  const extraItems = extraDiskItems(hw.controller, extra.length);
  const items = [
    item([['AllocationUnits', 'hertz * 10^6'], ['Description', 'Number of Virtual CPUs'], ['ElementName', `${hw.cpus} virtual CPU(s)`], ['InstanceID', 1], ['ResourceType', 3], ['VirtualQuantity', hw.cpus]], {
      vmw: [`<vmw:CoresPerSocket ovf:required="false">${hw.cpus}</vmw:CoresPerSocket>`],
    }),
    item([['AllocationUnits', 'byte * 2^20'], ['Description', 'Memory Size'], ['ElementName', `${hw.memoryMB}MB of memory`], ['InstanceID', 2], ['ResourceType', 4], ['VirtualQuantity', hw.memoryMB]]),
    controllerItem(hw.controller, 3),
    item([['AddressOnParent', 0], ['ElementName', 'Hard Disk 1'], ['HostResource', 'ovf:/disk/vmdisk1'], ['InstanceID', 4], ['Parent', 3], ['ResourceType', 17]]),
    item([['AutomaticAllocation', 'true'], ['Connection', NETWORK_NAME], ['ElementName', 'Network adapter 1'], ['InstanceID', 5], ['ResourceSubType', NIC_SUBTYPE[hw.nic]], ['ResourceType', 10]]),
    ...extraItems,
    ...cdromItems(hw.controller, all.length, 6 + extraItems.length, hw.controller === 'ide' && extra.length >= 2 ? 6 : undefined),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"',
    '    xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"',
    '    xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"',
    '    xmlns:vmw="http://www.vmware.com/schema/ovf" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    '  <References>',
    ...all.map((d, i) => `    <File ovf:href="${xmlEscape(d.href)}" ovf:id="file${i + 1}" ovf:size="${d.fileBytes}"/>`),
    '  </References>',
    '  <DiskSection>',
    '    <Info>Virtual disk information</Info>',
    ...all.map((d, i) => `    <Disk ovf:capacity="${d.capacityBytes}" ovf:capacityAllocationUnits="byte" ovf:diskId="vmdisk${i + 1}" ovf:fileRef="file${i + 1}" ovf:format="${STREAM_OPTIMIZED_FORMAT}" ovf:populatedSize="${d.populatedBytes}"/>`),
    '  </DiskSection>',
    '  <NetworkSection>',
    '    <Info>The list of logical networks</Info>',
    `    <Network ovf:name="${NETWORK_NAME}">`,
    `      <Description>The ${NETWORK_NAME} network</Description>`,
    '    </Network>',
    '  </NetworkSection>',
    `  <VirtualSystem ovf:id="${xmlEscape(input.id)}">`,
    '    <Info>A virtual machine</Info>',
    `    <Name>${xmlEscape(input.displayName)}</Name>`,
    `    <OperatingSystemSection ovf:id="${input.guest.cimId}" vmw:osType="${xmlEscape(input.guest.osType)}">`,
    '      <Info>The kind of installed guest operating system</Info>',
    '    </OperatingSystemSection>',
    input.properties?.length ? '    <VirtualHardwareSection ovf:transport="com.vmware.guestInfo">' : '    <VirtualHardwareSection>',
    '      <Info>Virtual hardware requirements</Info>',
    '      <System>',
    '        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>',
    '        <vssd:InstanceID>0</vssd:InstanceID>',
    `        <vssd:VirtualSystemIdentifier>${xmlEscape(input.id)}</vssd:VirtualSystemIdentifier>`,
    `        <vssd:VirtualSystemType>vmx-${String(hw.hwVersion).padStart(2, '0')}</vssd:VirtualSystemType>`,
    '      </System>',
    ...items,
    `      <vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="${hw.firmware}"/>`,
    ...(hw.secureBoot ? ['      <vmw:Config ovf:required="false" vmw:key="uefi.secureBoot.enabled" vmw:value="true"/>'] : []),
    '    </VirtualHardwareSection>',
    ...productSection(input.properties ?? []),
    '    <AnnotationSection>',
    '      <Info>A human-readable annotation</Info>',
    `      <Annotation>${xmlEscape(input.annotation)}</Annotation>`,
    '    </AnnotationSection>',
    '  </VirtualSystem>',
    '</Envelope>',
    '',
  ].join('\n');
}

/** The digest a manifest uses. */
export type ManifestAlgorithm = 'sha1' | 'sha256' | 'sha512';

/**
 * VMware's rule (open-vmdk's mkova.sh): SHA-1 up to vmx-12, SHA-256 for vmx-13 and vmx-14,
 * SHA-512 from vmx-15, so each vSphere release imports the OVAs of the hardware it runs
 * (vSphere before 6.5, hardware 13, does not read SHA-256 manifests).
 */
export function manifestAlgorithm(hwVersion: number): ManifestAlgorithm {
  if (hwVersion <= 12) return 'sha1';
  if (hwVersion <= 14) return 'sha256';
  return 'sha512';
}

/** The manifest: `SHA256(name)= hex` (or SHA1, SHA512) per file, LF line ends. */
export function renderManifest(algorithm: ManifestAlgorithm, files: Array<{ name: string; digest: string }>): string {
  const tag = algorithm.toUpperCase();
  return files.map((f) => `${tag}(${f.name})= ${f.digest}\n`).join('');
}
