// A machine configuration as the source of `ferry vm` and `ferry ova`: its boot disk, its hardware
// as defaults (flags win), a Workstation VM with snapshots made into a clean VM folder.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ferry } from '../support/cli';
import { tempDir } from '../support/tmp';
import { qemuCompare, run, runOk } from '../support/tools';
import { hyperVXml, vmxFile } from './fixtures';

describe('machines as the source of vm and ova', () => {
  it('a Workstation folder with snapshots becomes a clean VM folder: the chain flattened, memsize, numvcpus, guestOS, firmware and controller carried over', async (t) => {
    const dir = tempDir(t);
    const vm = join(dir, 'Dev box');
    mkdirSync(vm);
    const q = (args: string[]) => runOk(args[0]!, args.slice(1), { cwd: vm });
    q(['qemu-img', 'create', '-q', '-f', 'vmdk', 'Dev box.vmdk', '32M']);
    q(['qemu-io', '-f', 'vmdk', '-c', 'write -P 0x11 0 1M', 'Dev box.vmdk']);
    q(['qemu-img', 'create', '-q', '-f', 'vmdk', '-b', 'Dev box.vmdk', '-F', 'vmdk', 'Dev box-000001.vmdk']);
    q(['qemu-io', '-f', 'vmdk', '-c', 'write -P 0x5a 1M 64k', 'Dev box-000001.vmdk']);
    writeFileSync(
      join(vm, 'Dev box.vmx'),
      vmxFile({ displayName: 'Dev box', memsize: 3072, numvcpus: 2, guestOS: 'ubuntu-64', firmware: 'efi', extra: ['scsi0.present = "TRUE"', 'scsi0.virtualDev = "pvscsi"', 'scsi0:0.present = "TRUE"', 'scsi0:0.fileName = "Dev box-000001.vmdk"'] }),
    );
    const out = join(dir, 'out');
    mkdirSync(out);
    const r = await ferry(['vm', vm, out, '--name', 'Clean', '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const vmx = readFileSync(join(out, 'Clean', 'Clean.vmx'), 'utf8');
    assert.match(vmx, /^memsize = "3072"$/m);
    assert.match(vmx, /^numvcpus = "2"$/m);
    assert.match(vmx, /^guestOS = "ubuntu-64"$/m);
    assert.match(vmx, /^firmware = "efi"$/m);
    assert.match(vmx, /^scsi0\.virtualDev = "pvscsi"$/m);
    assert.equal(qemuCompare(join(vm, 'Dev box-000001.vmdk'), 'vmdk', join(out, 'Clean', 'Clean.vmdk'), 'vmdk').code, 0, 'the disk is the flattened chain');
    assert.doesNotMatch(readFileSync(join(out, 'Clean', 'Clean.vmdk')).subarray(0, 4096).toString('latin1'), /parentFileNameHint/);
  });

  it('a Hyper-V export becomes an OVA with its memory and processors; a flag overrides; a configuration takes no further sources', async (t) => {
    const dir = tempDir(t);
    const root = join(dir, 'Web 01');
    mkdirSync(join(root, 'Virtual Machines'), { recursive: true });
    mkdirSync(join(root, 'Virtual Hard Disks'));
    runOk('qemu-img', ['create', '-q', '-f', 'vhdx', join(root, 'Virtual Hard Disks', 'os.vhdx'), '32M']);
    const config = join(root, 'Virtual Machines', 'A1B2.xml');
    writeFileSync(config, hyperVXml({ name: 'Web 01', memoryMB: 1536, cpus: 3, generation: 1, disks: [{ bus: 'ide', controller: 0, drive: 0, path: 'C:\\Hyper-V\\os.vhdx' }] }));
    const ova = join(dir, 'web.ova');
    const r = await ferry(['ova', root, ova, '--cpus', '1', '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const ovf = run('tar', ['-xOf', ova, '--wildcards', '*.ovf']).stdout;
    assert.match(ovf, /<rasd:VirtualQuantity>1536<\/rasd:VirtualQuantity>/);
    assert.match(ovf, /<rasd:ElementName>1 virtual CPU/);
    assert.match(ovf, /Web 01|Web_01/);

    const more = await ferry(['ova', root, join(root, 'Virtual Hard Disks', 'os.vhdx'), join(dir, 'two.ova'), '--json']);
    assert.equal(more.code, 1);
    assert.match(String(more.json[0]!.message), /brings its own disks/);
  });
});
