// The configuration parsers on generated files: what each machine says, in controller order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeHyperV } from '../../worker/engine/machines/hyperv-tree';
import { hyperVTreeFromXml } from '../../worker/engine/machines/hyperv-xml';
import { parseVmc } from '../../worker/engine/machines/vmc';
import { readVmcx, VmcxError } from '../../worker/engine/machines/vmcx';
import { parseVmsd, parseVmxMachine } from '../../worker/engine/machines/vmx-machine';
import { decodeXmlBytes, parseXml, type XmlElement } from '../../worker/engine/machines/xml';
import { hyperVXml, vmcFile, vmxFile } from './fixtures';
import { writeVmcx } from './vmcx-writer';
import { words } from '../support/notices';
import { english } from '../../worker/engine/notices';

function xml(text: string): XmlElement {
  const root = parseXml(text);
  assert.equal(typeof root, 'object', String(root));
  return root as XmlElement;
}

describe('XML reader', () => {
  it('decodes UTF-16 with and without a BOM, and UTF-8 with one', () => {
    const doc = '<a x="1">é &amp; &#x263A;</a>';
    for (const bytes of [
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(doc, 'utf16le')]),
      Buffer.from(doc, 'utf16le'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(doc)]),
    ]) {
      const root = xml(decodeXmlBytes(bytes));
      assert.equal(root.text, 'é & ☺');
      assert.equal(root.attrs.x, '1');
    }
  });

  it('refuses a DOCTYPE (no entity can expand), unknown entities and mismatched tags', () => {
    assert.match(String(parseXml('<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>')), /DOCTYPE/);
    assert.match(String(parseXml('<a>&x;</a>')), /unknown entity/);
    assert.match(String(parseXml('<a><b></a>')), /does not close/);
    assert.match(String(parseXml('<a>')), /never closed/);
    assert.match(String(parseXml(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`)), /deeper/);
  });
});

describe('Virtual PC .vmc', () => {
  it('reads memory, IDE disks by absolute and relative path (CD drives skipped), NICs and undo disks', () => {
    const bytes = vmcFile({
      ramMB: 512,
      nics: 2,
      undo: true,
      ide: [
        { controller: 0, location: 0, absolute: 'C:\\Users\\jo\\Documents\\My Virtual Machines\\XP\\XP.vhd', relative: '.\\XP.vhd' },
        { controller: 0, location: 1, absolute: 'D:\\Data\\XP-data.vhd', relative: '..\\..\\..\\..\\..\\Data\\XP-data.vhd' },
        { controller: 1, location: 0, absolute: '', driveType: 2 },
      ],
    });
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe]);
    const m = parseVmc(xml(decodeXmlBytes(bytes)), 'XP.vmc');
    assert.equal(typeof m, 'object', String(m));
    if (typeof m === 'string') return;
    assert.equal(m.name, 'XP');
    assert.equal(m.memoryMB, 512);
    assert.equal(m.nics, 2);
    assert.equal(m.firmware, 'bios');
    assert.deepEqual(m.disks, [
      { bus: 'ide', controller: 0, unit: 0, path: 'C:\\Users\\jo\\Documents\\My Virtual Machines\\XP\\XP.vhd', relativePath: '.\\XP.vhd' },
      { bus: 'ide', controller: 0, unit: 1, path: 'D:\\Data\\XP-data.vhd', relativePath: '..\\..\\..\\..\\..\\Data\\XP-data.vhd' },
    ]);
    assert.match(words(m.warnings).join(' '), /Undo disks/);
  });

  it('reads Virtual Server SCSI disks after the IDE ones', () => {
    const m = parseVmc(
      xml(decodeXmlBytes(vmcFile({ ramMB: 1024, ide: [{ controller: 0, location: 0, absolute: 'C:\\VS\\boot.vhd' }], scsi: [{ controller: 0, location: 3, absolute: 'C:\\VS\\data.vhd' }] }))),
      'srv.vmc',
    );
    if (typeof m === 'string') assert.fail(m);
    assert.deepEqual(m.disks.map((d) => `${d.bus}${d.controller}:${d.unit} ${d.path}`), ['ide0:0 C:\\VS\\boot.vhd', 'scsi0:3 C:\\VS\\data.vhd']);
    assert.deepEqual(m.warnings, []);
  });

  it('names what is wrong with a file that is not one', () => {
    assert.match(String(parseVmc(xml('<configuration/>'), 'x.vmc')), /not <preferences>/);
  });
});

describe('Hyper-V configuration', () => {
  const gen2 = {
    name: 'Web 01',
    memoryMB: 2048,
    cpus: 4,
    generation: 2 as const,
    secureBoot: true,
    nics: 2,
    dynamic: true,
    disks: [
      { bus: 'scsi' as const, controller: 0, drive: 1, path: 'D:\\Hyper-V\\Web 01\\Virtual Hard Disks\\data.vhdx' },
      { bus: 'scsi' as const, controller: 0, drive: 0, path: 'D:\\Hyper-V\\Web 01\\Virtual Hard Disks\\os_6C2F.avhdx' },
      { bus: 'scsi' as const, controller: 0, drive: 2, path: 'D:\\iso\\setup.iso', type: 'ISO' },
    ],
  };

  it('XML (2012 R2 export): name, startup memory, processors, generation 2 → UEFI with secure boot, SCSI disks in order, NICs', () => {
    const m = describeHyperV(hyperVTreeFromXml(xml(hyperVXml(gen2))), 'hyperv-xml', 'GUID');
    if (typeof m === 'string') assert.fail(m);
    assert.equal(m.name, 'Web 01');
    assert.equal(m.memoryMB, 2048);
    assert.equal(m.cpus, 4);
    assert.equal(m.generation, 2);
    assert.equal(m.firmware, 'efi');
    assert.equal(m.secureBoot, true);
    assert.equal(m.nics, 2);
    assert.deepEqual(m.disks.map((d) => `${d.bus}${d.controller}:${d.unit}`), ['scsi0:0', 'scsi0:1']);
    assert.match(m.disks[0]!.path, /os_6C2F\.avhdx$/);
    assert.match(words(m.warnings).join(' '), /Dynamic memory/);
  });

  it('XML generation 1: BIOS, IDE first then SCSI', () => {
    const m = describeHyperV(
      hyperVTreeFromXml(
        xml(hyperVXml({ name: 'Old', memoryMB: 1024, cpus: 1, generation: 1, disks: [{ bus: 'scsi', controller: 0, drive: 0, path: 'C:\\d\\b.vhd' }, { bus: 'ide', controller: 0, drive: 0, path: 'C:\\d\\a.vhd' }] })),
      ),
      'hyperv-xml',
      'GUID',
    );
    if (typeof m === 'string') assert.fail(m);
    assert.equal(m.firmware, 'bios');
    assert.equal(m.secureBoot, undefined);
    assert.deepEqual(m.disks.map((d) => d.path), ['C:\\d\\a.vhd', 'C:\\d\\b.vhd']);
  });

  it('.vmcx: the same machine read from the binary key tree', () => {
    const file = writeVmcx({
      configuration: {
        properties: { name: 'Web 01', subtype: 1, version: 2304 },
        settings: { memory: { bank: { size: 4096, dynamic_memory_enabled: false } }, processors: { count: 2 }, secure_boot_enabled: false },
        _d422512d_placeholder: {},
        '_d422512d-2bf2-4752-809d-7b82b5fcb1b4_': { controller0: { drive0: { pathname: 'C:\\VMs\\Web 01\\Virtual Hard Disks\\os.vhdx', type: 'VHD' } } },
        '_aa11bb22-0000-4000-8000-000000000001_': { nic0: { port_name: 'P', switch_id: 'S' } },
      },
    });
    const { root, warnings } = readVmcx(file);
    assert.deepEqual(warnings, []);
    const m = describeHyperV(root, 'hyperv-vmcx', 'GUID');
    if (typeof m === 'string') assert.fail(m);
    assert.equal(m.name, 'Web 01');
    assert.equal(m.memoryMB, 4096);
    assert.equal(m.cpus, 2);
    assert.equal(m.firmware, 'efi');
    assert.equal(m.secureBoot, false);
    assert.equal(m.nics, 1);
    assert.deepEqual(m.disks, [{ bus: 'scsi', controller: 0, unit: 0, path: 'C:\\VMs\\Web 01\\Virtual Hard Disks\\os.vhdx' }]);
  });

  it('.vmcx: an unknown version, a dirty log, a key table outside the file', () => {
    assert.throws(() => readVmcx(writeVmcx({ configuration: {} }, { version: 0x300 })), (e: unknown) => e instanceof VmcxError && /0x300/.test(e.message));
    assert.match(readVmcx(writeVmcx({ configuration: { properties: {} } }, { dirtyLog: true })).warnings.map(english).join(' '), /log/);
    const cut = writeVmcx({ configuration: { properties: { name: 'x' } } }).subarray(0, 0x3000 + 12);
    assert.throws(() => readVmcx(cut), /outside the file/);
  });
});

describe('VMware .vmx', () => {
  const vmx = vmxFile({
    displayName: 'Dev box',
    memsize: 8192,
    numvcpus: 4,
    guestOS: 'windows11-64',
    firmware: 'efi',
    extra: [
      'uefi.secureBoot.enabled = "TRUE"',
      'nvme0.present = "TRUE"',
      'nvme0:0.present = "TRUE"',
      'nvme0:0.fileName = "Dev box-000002.vmdk"',
      'sata0.present = "TRUE"',
      'sata0:1.present = "TRUE"',
      'sata0:1.deviceType = "cdrom-image"',
      'sata0:1.fileName = "C:\\iso\\win11.iso"',
      'scsi0.present = "TRUE"',
      'scsi0.virtualDev = "lsisas1068"',
      'scsi0:1.present = "TRUE"',
      'scsi0:1.fileName = "data.vmdk"',
      'scsi0:2.present = "FALSE"',
      'scsi0:2.fileName = "old.vmdk"',
      'bios.hddOrder = "nvme0:0"',
      'ethernet1.present = "TRUE"',
    ],
  });

  it('disks per controller (CD images and absent devices skipped), the boot disk first, hardware and guest', () => {
    const m = parseVmxMachine(vmx, 'Dev box.vmx');
    if (typeof m === 'string') assert.fail(m);
    assert.equal(m.name, 'Dev box');
    assert.equal(m.memoryMB, 8192);
    assert.equal(m.cpus, 4);
    assert.equal(m.guestOS, 'windows11-64');
    assert.equal(m.firmware, 'efi');
    assert.equal(m.secureBoot, true);
    assert.equal(m.nics, 2);
    assert.deepEqual(m.disks, [
      { bus: 'nvme', controller: 0, unit: 0, path: 'Dev box-000002.vmdk' },
      { bus: 'scsi', controller: 0, unit: 1, path: 'data.vmdk', model: 'lsisas1068' },
    ]);
  });

  it('refuses text that is no .vmx', () => {
    assert.match(String(parseVmxMachine('foo = "bar"\n', 'x.vmx')), /not a VMware configuration/);
    assert.match(String(parseVmxMachine('garbage\n', 'x.vmx')), /line 1/);
  });

  it('.vmsd: the snapshot tree with display names and the current one', () => {
    const s = parseVmsd(
      [
        '.encoding = "UTF-8"',
        'snapshot.lastUID = "2"',
        'snapshot.current = "2"',
        'snapshot0.uid = "1"',
        'snapshot0.filename = "Dev box-Snapshot1.vmsn"',
        'snapshot0.displayName = "Clean install"',
        'snapshot0.numDisks = "1"',
        'snapshot1.uid = "2"',
        'snapshot1.parent = "1"',
        'snapshot1.filename = "Dev box-Snapshot2.vmsn"',
        'snapshot1.displayName = "Before |22update|22"',
        'snapshot.numSnapshots = "2"',
      ].join('\n'),
    );
    assert.deepEqual(s, [
      { id: '1', name: 'Clean install', file: 'Dev box-Snapshot1.vmsn' },
      { id: '2', name: 'Before "update"', parent: '1', current: true, file: 'Dev box-Snapshot2.vmsn' },
    ]);
  });
});

describe('the machine crosses the app boundary', () => {
  it('parseDiskInfo keeps the machine field (answers drop unknown keys, so it must be listed)', async () => {
    const { parseDiskInfo } = await import('../../shared/validate');
    const machine = {
      kind: 'vmx',
      config: '/vms/a/a.vmx',
      tree: '/vms/a',
      name: 'a',
      memoryMB: 1024,
      cpus: 1,
      firmware: 'efi',
      nics: 1,
      disks: [{ bus: 'scsi', controller: 0, unit: 0, path: 'a.vmdk', model: 'pvscsi', found: { path: '/vms/a/a.vmdk', how: 'beside', outside: false } }],
      snapshots: [{ id: '1', name: 'Clean', current: true }],
      files: [{ name: 'a.vmx', role: 'configuration' }],
      warnings: [],
      warningCodes: [],
    };
    const disk = { path: '/vms/a/a.vmdk', fileSize: 1, format: 'vmdk', variant: 'sparse', virtualSize: 512, allocatedBytes: 0, parents: [], partitions: null, warnings: [], warningCodes: [], machine };
    assert.deepEqual(parseDiskInfo(disk).machine, machine);
    assert.throws(() => parseDiskInfo({ ...disk, machine: { ...machine, kind: 'qcow2' } }));
  });
});
