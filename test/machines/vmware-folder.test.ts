// `ferry inspect` of a VMware Workstation VM folder: every file's role, the snapshot tree, warnings,
// and the current disk read through its snapshot chain.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ferry } from '../support/cli';
import { tempDir } from '../support/tmp';
import { runOk } from '../support/tools';
import { vmxFile } from './fixtures';

function workstationFolder(dir: string): string {
  const vm = join(dir, 'Dev box');
  mkdirSync(vm);
  const q = (args: string[]) => runOk(args[0]!, args.slice(1), { cwd: vm });
  q(['qemu-img', 'create', '-q', '-f', 'vmdk', 'Dev box.vmdk', '32M']);
  q(['qemu-io', '-f', 'vmdk', '-c', 'write -P 0x11 0 1M', 'Dev box.vmdk']);
  q(['qemu-img', 'create', '-q', '-f', 'vmdk', '-b', 'Dev box.vmdk', '-F', 'vmdk', 'Dev box-000001.vmdk']);
  q(['qemu-io', '-f', 'vmdk', '-c', 'write -P 0x5a 1M 64k', 'Dev box-000001.vmdk']);
  q(['qemu-img', 'create', '-q', '-f', 'vmdk', '-b', 'Dev box-000001.vmdk', '-F', 'vmdk', 'Dev box-000002.vmdk']);
  writeFileSync(
    join(vm, 'Dev box.vmx'),
    vmxFile({
      displayName: 'Dev box',
      memsize: 4096,
      numvcpus: 2,
      guestOS: 'ubuntu-64',
      firmware: 'efi',
      extra: ['scsi0.present = "TRUE"', 'scsi0.virtualDev = "pvscsi"', 'scsi0:0.present = "TRUE"', 'scsi0:0.fileName = "Dev box-000002.vmdk"'],
    }),
  );
  writeFileSync(
    join(vm, 'Dev box.vmsd'),
    [
      '.encoding = "UTF-8"',
      'snapshot.lastUID = "2"',
      'snapshot.current = "2"',
      'snapshot0.uid = "1"',
      'snapshot0.filename = "Dev box-Snapshot1.vmsn"',
      'snapshot0.displayName = "Fresh install"',
      'snapshot1.uid = "2"',
      'snapshot1.parent = "1"',
      'snapshot1.filename = "Dev box-Snapshot2.vmsn"',
      'snapshot1.displayName = "Before upgrade"',
      'snapshot.numSnapshots = "2"',
      '',
    ].join('\n'),
  );
  for (const name of ['Dev box.nvram', 'Dev box.vmxf', 'Dev box-Snapshot1.vmsn', 'Dev box-Snapshot2.vmsn', 'Dev box.vmss', 'Dev box-b3a9.vmem', 'vmware.log', 'Other-s001.vmdk', 'Other-f001.vmdk']) writeFileSync(join(vm, name), 'x');
  mkdirSync(join(vm, 'Dev box.vmx.lck'));
  return vm;
}

describe('ferry inspect <VMware folder>', () => {
  it('lists each file with its role, the snapshot tree, the suspended and lock warnings, and reads the current disk', async (t) => {
    const vm = workstationFolder(tempDir(t));
    const r = await ferry(['inspect', vm]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout;
    for (const [file, role] of <Array<[string, string]>>[
      ['Dev box.vmx', 'configuration'],
      ['Dev box.vmxf', 'supplemental configuration'],
      ['Dev box.nvram', 'BIOS/UEFI settings'],
      ['Dev box.vmsd', 'snapshot metadata'],
      ['Dev box-Snapshot1.vmsn', 'snapshot state'],
      ['Dev box.vmss', 'suspended state'],
      ['Dev box-b3a9.vmem', 'memory'],
      ['vmware.log', 'log'],
      ['Other-s001.vmdk', 'split extent (sparse)'],
      ['Other-f001.vmdk', 'split extent (preallocated)'],
      ['Dev box-000001.vmdk', 'redo disk'],
      ['Dev box.vmx.lck', 'lock'],
      ['Dev box.vmdk', 'virtual disk'],
    ]) {
      assert.match(out, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+${role.replace(/[()/]/g, '\\$&')}`), `${file} → ${role}`);
    }
    assert.match(out, /Snapshots\s+- Fresh install \[Dev box-Snapshot1\.vmsn\]\n\s+- Before upgrade \(current\)/);
    assert.match(out, /suspended state \(\.vmss, \.vmem\) is not carried over/);
    assert.match(out, /lock \(\.lck\) is present: the VM may be running/);
    assert.match(out, /4096 MB, 2 CPU\(s\), EFI, guestOS "ubuntu-64", 1 network adapter/);
    assert.match(out, /scsi0:0 \(pvscsi\) Dev box-000002\.vmdk \[boot\]/);
    assert.match(out, /Format\s+VMDK, differencing/);

    const j = await ferry(['inspect', join(vm, 'Dev box.vmx'), '--json']);
    assert.equal(j.code, 0, j.stderr);
    const info = JSON.parse(j.stdout) as { path: string; parents: unknown[]; machine: { kind: string; snapshots: unknown[]; files: Array<{ name: string; role: string }>; disks: Array<{ model?: string }> } };
    assert.equal(info.path, join(vm, 'Dev box-000002.vmdk'));
    assert.equal(info.parents.length, 2);
    assert.equal(info.machine.kind, 'vmx');
    assert.equal(info.machine.snapshots.length, 2);
    assert.equal(info.machine.disks[0]!.model, 'pvscsi');
    assert.ok(info.machine.files.some((f) => f.name === 'Dev box.nvram' && /NVRAM/.test(f.role)));
  });
});
