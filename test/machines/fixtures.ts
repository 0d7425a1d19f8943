// Generated machine configurations, shaped as Virtual PC, Hyper-V and VMware write them (see
// README.md in this folder: no real configuration file is committed).

export interface VmcDisk {
  controller: number;
  location: number;
  absolute: string;
  relative?: string;
  /** 1 hard disk (default), 2 CD/DVD. */
  driveType?: number;
}

/** A Virtual PC 2007 .vmc: UTF-16LE with a BOM, as Virtual PC saves it. */
export function vmcFile(opts: { ramMB: number; ide?: VmcDisk[]; scsi?: VmcDisk[]; nics?: number; undo?: boolean; encoding?: 'utf16le' | 'utf8' }): Buffer {
  const loc = (d: VmcDisk) => `
                    <location id="${d.location}">
                        <drive_type type="integer">${d.driveType ?? 1}</drive_type>
                        <pathname>
                            <absolute type="string">${d.absolute}</absolute>
                            <relative type="string">${d.relative ?? ''}</relative>
                        </pathname>
                    </location>`;
  const group = (tag: string, disks: VmcDisk[] = []) =>
    [...new Set(disks.map((d) => d.controller))].map((c) => `
                <${tag} id="${c}">${disks.filter((d) => d.controller === c).map(loc).join('')}
                </${tag}>`).join('');
  const nics = opts.nics ?? 1;
  const text = `<?xml version="1.0" encoding="UTF-16"?>
<preferences>
    <version type="string">2.0</version>
    <hardware>
        <bios>
            <cmos type="bytes">0000000000000000</cmos>
            <time_bytes type="bytes">00000000</time_bytes>
        </bios>
        <memory>
            <ram_size type="integer">${opts.ramMB}</ram_size>
        </memory>
        <pci_bus>
            <ethernet_adapter>
                <controller_count type="integer">${nics}</controller_count>${Array.from({ length: nics }, (_, i) => `
                <ethernet_controller id="${i}">
                    <ethernet_card_address type="bytes">0003FF1A2B${(10 + i).toString(16)}</ethernet_card_address>
                    <virtual_network>
                        <id type="string">00000000-0000-0000-0000-000000000000</id>
                        <name type="string">Shared Networking (NAT) &amp; more</name>
                    </virtual_network>
                </ethernet_controller>`).join('')}
            </ethernet_adapter>
            <ide_adapter>${group('ide_controller', opts.ide)}
            </ide_adapter>${opts.scsi ? `
            <scsi_adapter>${group('scsi_controller', opts.scsi)}
            </scsi_adapter>` : ''}
        </pci_bus>
    </hardware>
    <undo_drives>
        <enabled type="boolean">${opts.undo ? 'true' : 'false'}</enabled>
    </undo_drives>
</preferences>
`;
  if (opts.encoding === 'utf8') return Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

export interface HyperVDisk {
  bus: 'ide' | 'scsi';
  controller: number;
  drive: number;
  path: string;
  type?: string;
}

const IDE = '_83f8638b-8dca-4152-9eda-2ca8b33039b4_';
const SCSI = '_d422512d-2bf2-4752-809d-7b82b5fcb1b4_';

/** A Hyper-V 2012 R2 configuration (`Virtual Machines/<GUID>.xml` of an export). */
export function hyperVXml(opts: { name: string; memoryMB: number; cpus: number; generation: 1 | 2; secureBoot?: boolean; disks: HyperVDisk[]; nics?: number; dynamic?: boolean }): string {
  const device = (key: string, bus: 'ide' | 'scsi') => {
    const disks = opts.disks.filter((d) => d.bus === bus);
    const ctrls = [...new Set(disks.map((d) => d.controller))];
    return `  <${key}>
${ctrls.map((c) => `    <controller${c}>
${disks.filter((d) => d.controller === c).map((d) => `      <drive${d.drive}>
        <iops_limit type="integer">0</iops_limit>
        <pathname type="string">${d.path}</pathname>
        <type type="string">${d.type ?? 'VHD'}</type>
      </drive${d.drive}>`).join('\n')}
    </controller${c}>`).join('\n')}
  </${key}>`;
  };
  const nics = Array.from({ length: opts.nics ?? 1 }, (_, i) => `  <_${(0x1a2b3c40 + i).toString(16)}-0000-4000-8000-00155d000${i}0a_>
    <channel_instance_guid type="string">{00000000-0000-0000-0000-00000000000${i}}</channel_instance_guid>
    <friendly_name type="string">Network Adapter</friendly_name>
    <port_name type="string">PORT-${i}</port_name>
    <switch_id type="string">{11111111-2222-3333-4444-55555555555${i}}</switch_id>
  </_${(0x1a2b3c40 + i).toString(16)}-0000-4000-8000-00155d000${i}0a_>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <properties>
    <creation_time type="bytes">AAAAAAAAAAA=</creation_time>
    <global_id type="string">6C2F0D6B-8D6F-4C2B-9E64-2F1C0D9A1B2C</global_id>
    <name type="string">${opts.name}</name>
    <notes type="string"></notes>
    <subtype type="integer">${opts.generation === 2 ? 1 : 0}</subtype>
    <type_id type="string">Virtual Machines</type_id>
    <version type="integer">1280</version>
  </properties>
  <settings>
    <boot>
      <device0 type="string">Optical</device0>
    </boot>
    <memory>
      <bank>
        <dynamic_memory_enabled type="bool">${opts.dynamic ? 'True' : 'False'}</dynamic_memory_enabled>
        <limit type="integer">1048576</limit>
        <reservation type="integer">512</reservation>
        <size type="integer">${opts.memoryMB}</size>
      </bank>
    </memory>
    <processors>
      <count type="integer">${opts.cpus}</count>
    </processors>${opts.secureBoot !== undefined ? `
    <secure_boot_enabled type="bool">${opts.secureBoot ? 'True' : 'False'}</secure_boot_enabled>` : ''}
  </settings>
${device(IDE, 'ide')}
${device(SCSI, 'scsi')}
${nics.join('\n')}
</configuration>
`;
}

/** A VMware Workstation .vmx; `extra` lines go at the end. */
export function vmxFile(opts: { displayName: string; memsize: number; numvcpus: number; guestOS: string; firmware?: 'efi'; extra?: string[] }): string {
  return [
    '.encoding = "UTF-8"',
    'config.version = "8"',
    'virtualHW.version = "19"',
    `displayName = "${opts.displayName}"`,
    `guestOS = "${opts.guestOS}"`,
    `memsize = "${opts.memsize}"`,
    `numvcpus = "${opts.numvcpus}"`,
    ...(opts.firmware ? [`firmware = "${opts.firmware}"`] : []),
    'ethernet0.present = "TRUE"',
    'ethernet0.connectionType = "nat"',
    'ethernet0.virtualDev = "e1000e"',
    ...(opts.extra ?? []),
    '',
  ].join('\n');
}
