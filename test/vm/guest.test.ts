import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { PartitionEntry, PartitionTable } from '../../shared/disk-info';
import { FS_PROBE_BYTES, identifyFilesystem, type FsSignature } from '../../worker/engine/inspect/filesystems';
import { cloudFlavourWarnings, guessGuest } from '../../worker/engine/inspect/guest';
import { inspectDisk } from '../../worker/engine/inspect/inspect';
import { partitionWarnings } from '../../worker/engine/inspect/partitions';
import { createVm } from '../../worker/engine/jobs/vm';
import { tempDir } from '../support/tmp';
import { GUIDS, coreosDisk, fs, windowsGen1Disk, windowsGen2Disk, writeVhd, type FsWriter } from './disks';
import { readDescriptor, readVmx, vmxDisk } from './vm-folder';
import { words } from '../support/notices';

function probe(...writers: FsWriter[]): FsSignature | undefined {
  const head = Buffer.alloc(FS_PROBE_BYTES);
  for (const w of writers) w(head);
  return identifyFilesystem(head);
}

describe('file-system signatures', () => {
  test('each signature is recognised, with its label', () => {
    assert.deepEqual(probe(fs.ntfs()), { type: 'NTFS' });
    assert.deepEqual(probe(fs.fat32('EFI')), { type: 'FAT32', label: 'EFI' });
    assert.deepEqual(probe(fs.fat32()), { type: 'FAT32' });
    assert.deepEqual(probe(fs.fat16('BOOT')), { type: 'FAT16', label: 'BOOT' });
    assert.deepEqual(probe(fs.ext(2)), { type: 'ext2' });
    assert.deepEqual(probe(fs.ext(3)), { type: 'ext3' });
    assert.deepEqual(probe(fs.ext(4, 'cloudimg-rootfs')), { type: 'ext4', label: 'cloudimg-rootfs' });
    assert.deepEqual(probe(fs.xfs('root')), { type: 'xfs', label: 'root' });
    assert.deepEqual(probe(fs.btrfs('fedora')), { type: 'btrfs', label: 'fedora' });
    assert.deepEqual(probe(fs.swap()), { type: 'swap' });
    assert.deepEqual(probe(fs.lvm()), { type: 'LVM2 PV' });
    assert.deepEqual(probe(fs.text(3, 'EXFAT   ')), { type: 'exFAT' });
    assert.deepEqual(probe(fs.text(0x8001, 'CD001')), { type: 'ISO 9660' });
    assert.equal(probe(), undefined);
  });

  test('a short read (a tiny partition) is not a crash', () => {
    assert.equal(identifyFilesystem(Buffer.alloc(512)), undefined);
    assert.deepEqual(identifyFilesystem(Buffer.from('\0\0\0NTFS    ', 'latin1')), { type: 'NTFS' });
  });
});

function part(index: number, type: string, extra: Partial<PartitionEntry> = {}): PartitionEntry {
  return { index, type, typeName: '', startBytes: index * 2 ** 20, sizeBytes: 2 ** 20, ...extra };
}
function facts(table: PartitionTable | null, fsList: Array<[number, FsSignature]> = [], wholeDisk?: FsSignature) {
  return { table, filesystems: new Map(fsList), wholeDisk };
}

describe('partitions that cannot all be on the disk', () => {
  const entry = (index: number, startBytes: number, sizeBytes: number): PartitionEntry => ({ index, type: '0x07', typeName: 'NTFS', startBytes, sizeBytes });
  test('one past the end of the disk, or ending before it starts, is warned about; a table that fits is not', () => {
    const MiB = 2 ** 20;
    const table = (partitions: PartitionEntry[]): PartitionTable => ({ scheme: 'mbr', partitions });
    assert.deepEqual(partitionWarnings(table([entry(1, MiB, 99 * MiB)]), 100 * MiB), []);
    const past = words(partitionWarnings(table([entry(1, MiB, 99 * MiB), entry(2, 100 * MiB - 512, 1024)]), 100 * MiB));
    assert.equal(past.length, 1);
    assert.match(past[0]!, /Partition 2 \(NTFS\) ends at byte 104858112, past the end of the 104857600-byte disk/);
    assert.match(past[0]!, /--vhd-size/);
    assert.match(words(partitionWarnings(table([entry(1, MiB, 0)]), 100 * MiB))[0]!, /ends before it starts/);
    assert.deepEqual(partitionWarnings(null, 100 * MiB), []);
  });
});

describe('guest and firmware guess (synthetic partition tables)', () => {
  test('GPT + ESP + NTFS + MSR: Windows on UEFI (Hyper-V Generation 2)', () => {
    const g = guessGuest(
      facts({ scheme: 'gpt', partitions: [part(1, GUIDS.esp), part(2, GUIDS.msr), part(3, GUIDS.basicData)] }, [
        [1, { type: 'FAT32' }],
        [3, { type: 'NTFS' }],
      ]),
    );
    assert.equal(g.guestOS, 'windows9-64');
    assert.equal(g.family, 'Windows');
    assert.equal(g.firmware, 'efi');
    assert.ok(words(g.evidence).some((e) => /NTFS on partition 3/.test(e)));
    assert.ok(words(g.evidence).some((e) => /EFI system partition/.test(e) && /Generation 2/.test(e)));
  });

  test('MBR + active NTFS: Windows on BIOS (Generation 1)', () => {
    const g = guessGuest(facts({ scheme: 'mbr', partitions: [part(1, '0x07', { bootable: true }), part(2, '0x07')] }, [[1, { type: 'NTFS' }], [2, { type: 'NTFS' }]]));
    assert.deepEqual([g.guestOS, g.firmware], ['windows9-64', 'bios']);
    assert.ok(words(g.evidence).some((e) => /NTFS on partitions 1, 2/.test(e)));
  });

  test('Linux: ext4 and swap on MBR; Ubuntu recognised by its cloud-image label', () => {
    const plain = guessGuest(facts({ scheme: 'mbr', partitions: [part(1, '0x83'), part(2, '0x82')] }, [[1, { type: 'ext4', label: 'root' }], [2, { type: 'swap' }]]));
    assert.deepEqual([plain.guestOS, plain.family, plain.firmware], ['other5xlinux-64', 'Linux', 'bios']);
    const ubuntu = guessGuest(facts({ scheme: 'gpt', partitions: [part(1, GUIDS.linux), part(15, GUIDS.esp)] }, [[1, { type: 'ext4', label: 'cloudimg-rootfs' }]]));
    assert.deepEqual([ubuntu.guestOS, ubuntu.firmware], ['ubuntu-64', 'efi']);
    const lvm = guessGuest(facts({ scheme: 'mbr', partitions: [part(1, '0x8e')] }));
    assert.equal(lvm.guestOS, 'other5xlinux-64');
  });

  test('GPT without an ESP (BIOS boot partition) stays BIOS; no table is BIOS', () => {
    const g = guessGuest(facts({ scheme: 'gpt', partitions: [part(1, GUIDS.biosBoot), part(2, GUIDS.linux)] }, [[2, { type: 'xfs' }]]));
    assert.equal(g.firmware, 'bios');
    assert.ok(words(g.evidence).some((e) => /without an EFI system partition but with a BIOS boot partition/.test(e)));
    const none = guessGuest(facts(null));
    assert.deepEqual([none.guestOS, none.firmware], ['other-64', 'bios']);
    const whole = guessGuest(facts(null, [], { type: 'ext4' }));
    assert.equal(whole.guestOS, 'other5xlinux-64');
  });

  test('CoreOS / Flatcar layout by GPT names and types', () => {
    const names = ['EFI-SYSTEM', 'BIOS-BOOT', 'USR-A', 'USR-B', 'OEM', 'ROOT'];
    const types = [GUIDS.esp, GUIDS.biosBoot, GUIDS.coreosUsr, GUIDS.coreosUsr, GUIDS.linux, GUIDS.coreosResize];
    const g = guessGuest(facts({ scheme: 'gpt', partitions: names.map((name, i) => part(i + 1, types[i]!, { name })) }));
    assert.deepEqual([g.guestOS, g.firmware], ['coreos-64', 'efi']);
    assert.ok(words(g.evidence).some((e) => /USR-A/.test(e)));
  });

  test('FAT data on a Microsoft basic data GUID alone is not Windows', () => {
    const g = guessGuest(facts({ scheme: 'gpt', partitions: [part(1, GUIDS.basicData)] }, [[1, { type: 'FAT32' }]]));
    assert.equal(g.guestOS, 'other-64');
  });

  test('cloud flavours: Xen and Azure by file name or OEM id; VMware builds are quiet', () => {
    assert.match(words(cloudFlavourWarnings('/d/coreos_production_xen_image.vhd', undefined)).join(), /Xen build/);
    assert.match(words(cloudFlavourWarnings('/d/disk.vhd', 'azure')).join(), /Azure build.*oem_id "azure"/);
    assert.match(words(cloudFlavourWarnings('/d/disk.vhd', 'gce')).join(), /set up for "gce"/);
    assert.deepEqual(cloudFlavourWarnings('/d/flatcar_production_vmware_raw_image.vhd', 'vmware_raw'), []);
    assert.deepEqual(cloudFlavourWarnings('/d/xenial-server.vhd', undefined), []);
  });
});

describe('detected from real VHD files, through ferry vm', () => {
  const dir = tempDir({ after }, 'ferry-vm-guest');

  test('a Hyper-V Generation 2 Windows disk gets UEFI, SATA and e1000e; inspect says why', async () => {
    const vhd = writeVhd(dir, 'win-gen2.vhd', windowsGen2Disk(), 'dynamic');
    const info = await inspectDisk(vhd);
    assert.equal(info.partitions?.scheme, 'gpt');
    assert.deepEqual(info.partitions?.partitions.map((p) => p.filesystem), ['FAT32 "SYSTEM"', undefined, 'NTFS', 'NTFS']);
    assert.deepEqual([info.guest?.guestOS, info.guest?.firmware], ['windows9-64', 'efi']);

    const r = await createVm({ kind: 'vm', source: vhd, destDir: dir, subformat: 'monolithicSparse', zeroCopy: false, verify: true, overwrite: false }, {});
    const vmx = readVmx(r.vmx!);
    assert.deepEqual(
      ['firmware', 'guestos', 'memsize', 'numvcpus', 'ethernet0.virtualdev'].map((k) => vmx.get(k)),
      ['efi', 'windows9-64', '4096', '2', 'e1000e'],
    );
    const disk = vmxDisk(vmx);
    assert.equal(disk.controller, 'sata');
    assert.equal(readDescriptor(`${r.folder}/${disk.fileName}`).ddb.get('ddb.adapterType'), 'ide');
    assert.ok(words(r.warnings).some((w) => /Windows guest/.test(w)));
  });

  test('a Generation 1 Windows disk gets BIOS, IDE and e1000', async () => {
    const vhd = writeVhd(dir, 'win-gen1.vhd', windowsGen1Disk(), 'dynamic');
    const r = await createVm({ kind: 'vm', source: vhd, destDir: dir, subformat: 'monolithicSparse', zeroCopy: false, verify: true, overwrite: false }, {});
    const vmx = readVmx(r.vmx!);
    assert.deepEqual([vmx.get('firmware'), vmx.get('ethernet0.virtualdev'), vmxDisk(vmx).controller], ['bios', 'e1000', 'ide']);
  });

  test("CoreOS's Xen image: coreos-64, PVSCSI, and a warning from both its name and its OEM partition", async () => {
    const vhd = writeVhd(dir, 'coreos_production_xen_image.vhd', coreosDisk('xen'), 'dynamic');
    const info = await inspectDisk(vhd);
    assert.ok(info.guest?.evidence.some((e) => /OEM partition 5 is set up for "xen"/.test(e)));
    const r = await createVm({ kind: 'vm', source: vhd, destDir: dir, name: 'coreos', subformat: 'monolithicSparse', zeroCopy: false, verify: true, overwrite: false }, {});
    const vmx = readVmx(r.vmx!);
    assert.deepEqual([vmx.get('guestos'), vmx.get('firmware'), vmx.get('ethernet0.virtualdev'), vmxDisk(vmx).controller], ['coreos-64', 'efi', 'vmxnet3', 'pvscsi']);
    assert.ok(words(r.warnings).some((w) => /Xen build/.test(w) && /file name/.test(w) && /oem_id "xen"/.test(w)));
  });
});
