// `ferry vm <source>... <dest>` and `ferry ova <source>... <out.ova>`: one machine with several
// disks, the first the boot disk, each verified and attached in order.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ferry } from '../support/cli';
import { tempDir } from '../support/tmp';
import { qemuCompare, run, runOk } from '../support/tools';
import { hyperVXml } from './fixtures';

function disks(dir: string): { vhd: string; vhdx: string; vmdk: string } {
  const vhd = join(dir, 'boot.vhd');
  const vhdx = join(dir, 'data.vhdx');
  const vmdk = join(dir, 'logs.vmdk');
  runOk('qemu-img', ['create', '-q', '-f', 'vpc', vhd, '16M']);
  runOk('qemu-io', ['-f', 'vpc', '-c', 'write -P 0x31 0 1M', vhd]);
  runOk('qemu-img', ['create', '-q', '-f', 'vhdx', vhdx, '24M']);
  runOk('qemu-io', ['-f', 'vhdx', '-c', 'write -P 0x32 4M 1M', vhdx]);
  runOk('qemu-img', ['create', '-q', '-f', 'vmdk', vmdk, '8M']);
  runOk('qemu-io', ['-f', 'vmdk', '-c', 'write -P 0x33 1M 64k', vmdk]);
  return { vhd, vhdx, vmdk };
}

describe('several disks in one machine', () => {
  it('vm: <Name>.vmdk, <Name>-2.vmdk, <Name>-3.vmdk, IDE split over both channels, each the bytes of its source', async (t) => {
    const dir = tempDir(t);
    const d = disks(dir);
    const out = join(dir, 'out');
    mkdirSync(out);
    const r = await ferry(['vm', d.vhd, d.vhdx, d.vmdk, out, '--name', 'Multi', '--controller', 'ide', '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const vm = join(out, 'Multi');
    const vmx = readFileSync(join(vm, 'Multi.vmx'), 'utf8');
    assert.match(vmx, /^ide0:0\.fileName = "Multi\.vmdk"$/m);
    assert.match(vmx, /^ide0:1\.fileName = "Multi-2\.vmdk"$/m);
    assert.match(vmx, /^ide1:0\.fileName = "Multi-3\.vmdk"$/m);
    assert.equal(qemuCompare(d.vhd, 'vpc', join(vm, 'Multi.vmdk'), 'vmdk').code, 0);
    assert.equal(qemuCompare(d.vhdx, 'vhdx', join(vm, 'Multi-2.vmdk'), 'vmdk').code, 0);
    assert.equal(qemuCompare(d.vmdk, 'vmdk', join(vm, 'Multi-3.vmdk'), 'vmdk').code, 0);
    const result = r.json.find((e) => e.type === 'result') as { files: string[]; verified: boolean };
    assert.equal(result.verified, true);
    assert.deepEqual(result.files.map((f) => f.slice(vm.length + 1)), ['Multi.vmx', 'Multi.vmdk', 'Multi-2.vmdk', 'Multi-3.vmdk']);
  });

  it('more disks than the controller has slots, or the same disk twice, are refused', async (t) => {
    const dir = tempDir(t);
    const d = disks(dir);
    const extra = join(dir, 'e.vmdk');
    const extra2 = join(dir, 'f.vmdk');
    runOk('qemu-img', ['create', '-q', '-f', 'vmdk', extra, '1M']);
    runOk('qemu-img', ['create', '-q', '-f', 'vmdk', extra2, '1M']);
    const five = await ferry(['vm', d.vhd, d.vhdx, d.vmdk, extra, extra2, dir, '--controller', 'ide', '--json']);
    assert.equal(five.code, 2);
    assert.match(String(five.json.find((e) => e.type === 'error')?.message), /5 disks do not fit on one ide controller \(it has 4 slots\)/);
    const twice = await ferry(['vm', d.vhd, d.vhd, dir, '--json']);
    assert.equal(twice.code, 1);
    assert.match(String(twice.json[0]!.message), /given twice/);
  });

  it('ova: the OVF lists every disk and the manifest every file; a Hyper-V export with two disks brings both', async (t) => {
    const dir = tempDir(t);
    const root = join(dir, 'Web 01');
    mkdirSync(join(root, 'Virtual Machines'), { recursive: true });
    mkdirSync(join(root, 'Virtual Hard Disks'));
    const vhd = disks(join(dir));
    runOk('cp', [vhd.vhdx, join(root, 'Virtual Hard Disks', 'os.vhdx')]);
    runOk('cp', [vhd.vhd, join(root, 'Virtual Hard Disks', 'data.vhd')]);
    writeFileSync(
      join(root, 'Virtual Machines', 'A1.xml'),
      hyperVXml({ name: 'Web 01', memoryMB: 1024, cpus: 1, generation: 1, disks: [{ bus: 'ide', controller: 0, drive: 0, path: 'C:\\HV\\os.vhdx' }, { bus: 'scsi', controller: 0, drive: 0, path: 'C:\\HV\\data.vhd' }] }),
    );
    const ova = join(dir, 'web.ova');
    const r = await ferry(['ova', root, ova, '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const members = run('tar', ['-tf', ova]).stdout.trim().split('\n');
    assert.deepEqual(members, ['Web_01.ovf', 'Web_01.mf', 'Web_01-disk1.vmdk', 'Web_01-disk2.vmdk']);
    const ovf = run('tar', ['-xOf', ova, 'Web_01.ovf']).stdout;
    assert.match(ovf, /ovf:href="Web_01-disk1\.vmdk" ovf:id="file1"/);
    assert.match(ovf, /ovf:href="Web_01-disk2\.vmdk" ovf:id="file2"/);
    assert.match(ovf, /ovf:diskId="vmdisk2" ovf:fileRef="file2"/);
    assert.match(ovf, /<rasd:ElementName>Hard Disk 2<\/rasd:ElementName>\s*<rasd:HostResource>ovf:\/disk\/vmdisk2<\/rasd:HostResource>/);
    const mf = run('tar', ['-xOf', ova, 'Web_01.mf']).stdout;
    assert.match(mf, /\(Web_01-disk2\.vmdk\)= [0-9a-f]{64}/);
    const x = join(dir, 'x');
    mkdirSync(x);
    runOk('tar', ['-xf', ova, '-C', x]);
    assert.equal(qemuCompare(join(root, 'Virtual Hard Disks', 'os.vhdx'), 'vhdx', join(x, 'Web_01-disk1.vmdk'), 'vmdk').code, 0);
    assert.equal(qemuCompare(join(root, 'Virtual Hard Disks', 'data.vhd'), 'vpc', join(x, 'Web_01-disk2.vmdk'), 'vmdk').code, 0);
  });
});
