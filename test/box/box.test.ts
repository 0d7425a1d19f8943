// ferry box: a Vagrant box for vmware_desktop, unpacked by GNU tar as Vagrant does: the members at
// the top level, metadata.json naming the provider, a Vagrantfile set for the guest, a .vmx that
// names the disk beside it, and a disk qemu-img finds identical to the source.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VAGRANT_INSECURE_KEY } from '../../worker/engine/box/box-files';
import { ferry, lastEvent } from '../support/cli';
import { tempDir } from '../support/tmp';
import { qemuCompare, runOk } from '../support/tools';
import { coreosDisk, fs, mbrDisk } from '../vm/disks';
import { decoded, publicKey, writeText, yaml } from '../vm/first-boot-support';
import { readVmx } from '../vm/vm-folder';

async function makeBox(t: Parameters<typeof tempDir>[0], image: Buffer, fileName: string, flags: (dir: string) => string[] = () => []) {
  const dir = tempDir(t);
  const source = join(dir, fileName);
  writeFileSync(source, image);
  const box = join(dir, 'machine.box');
  const r = await ferry(['box', source, box, '--name', 'machine', '--json', ...flags(dir)]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const result = lastEvent(r) as { output: string; files: string[]; warnings: string[]; subformat: string; verified: boolean };
  assert.equal(result.output, box);
  assert.deepEqual(result.files, [box]);
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes('.ferry-')), [], 'nothing staged is left behind');
  const x = tempDir(t);
  runOk('tar', ['-xzf', box, '-C', x]);
  return { dir, source, box, x, result, members: runOk('tar', ['-tzf', box]).stdout.trim().split('\n') };
}

describe('ferry box', () => {
  it('CoreOS: metadata.json, a Vagrantfile for the core user, the .vmx and its disk at the top level', async (t) => {
    const key = publicKey();
    const { source, x, members, result } = await makeBox(t, coreosDisk('vmware_raw'), 'coreos_production_vmware_raw_image.bin', (d) => ['--ssh-key', writeText(d, 'k.pub', key)]);
    assert.deepEqual(members, ['metadata.json', 'Vagrantfile', 'machine.vmx', 'machine.vmdk']);
    assert.deepEqual(JSON.parse(readFileSync(join(x, 'metadata.json'), 'utf8')), { provider: 'vmware_desktop' });
    const vagrantfile = readFileSync(join(x, 'Vagrantfile'), 'utf8');
    assert.match(vagrantfile, /^Vagrant\.configure\("2"\) do \|config\|$/m);
    assert.match(vagrantfile, /^ {2}config\.ssh\.username = "core"$/m);
    assert.match(vagrantfile, /^ {2}config\.vm\.synced_folder "\.", "\/vagrant", disabled: true$/m);
    assert.match(vagrantfile, /^end\n$/m);

    const vmx = readVmx(join(x, 'machine.vmx'));
    assert.equal(vmx.get('guestos'), 'coreos-64');
    assert.ok([...vmx.entries()].some(([k, v]) => k.endsWith('.filename') && v === 'machine.vmdk'), 'the .vmx names the disk beside it');
    const ign = JSON.parse(decoded(vmx, 'ignition.config.data')!) as { ignition: { version: string }; passwd: { users: Array<{ name: string; sshAuthorizedKeys: string[] }> } };
    assert.equal(ign.ignition.version, '2.2.0');
    assert.deepEqual(ign.passwd.users, [{ name: 'core', sshAuthorizedKeys: [key, VAGRANT_INSECURE_KEY] }]);
    assert.ok(result.warnings.some((w) => /insecure key/.test(w)));
    assert.equal(result.subformat, 'monolithicSparse');
    assert.equal(result.verified, true);
    assert.equal(qemuCompare(source, 'raw', join(x, 'machine.vmdk'), 'vmdk').code, 0);
  });

  it('an Ubuntu cloud image: the ubuntu user, cloud-init with Vagrant\'s key, /vagrant left to Vagrant', async (t) => {
    const image = mbrDisk(8, [{ type: 0x83, startMiB: 1, sizeMiB: 6, bootable: true, content: [fs.ext(4, 'cloudimg-rootfs')] }]);
    const { x, source } = await makeBox(t, image, 'jammy-server-cloudimg-amd64.img');
    const vagrantfile = readFileSync(join(x, 'Vagrantfile'), 'utf8');
    assert.match(vagrantfile, /config\.ssh\.username = "ubuntu"/);
    assert.doesNotMatch(vagrantfile, /synced_folder/);
    const vmx = readVmx(join(x, 'machine.vmx'));
    assert.deepEqual((yaml(decoded(vmx, 'userdata')!) as { ssh_authorized_keys: string[] }).ssh_authorized_keys, [VAGRANT_INSECURE_KEY]);
    assert.equal(qemuCompare(source, 'raw', join(x, 'machine.vmdk'), 'vmdk').code, 0);
  });

  it('with the user\'s own Ignition config: no key added, the Vagrantfile asks for the private key', async (t) => {
    const config = '{"ignition":{"version":"3.3.0"}}';
    const { x } = await makeBox(t, coreosDisk('vmware_raw'), 'flatcar_production_vmware_raw_image.bin', (d) => ['--ignition', writeText(d, 'c.ign', config)]);
    assert.equal(decoded(readVmx(join(x, 'machine.vmx')), 'ignition.config.data'), config);
    const vagrantfile = readFileSync(join(x, 'Vagrantfile'), 'utf8');
    assert.match(vagrantfile, /config\.ssh\.insert_key = false/);
    assert.match(vagrantfile, /# config\.ssh\.private_key_path/);
  });

  it('several sources: one machine whose disks, each the bytes of its source, sit beside the .vmx at the top level', async (t) => {
    const dir = tempDir(t);
    const boot = join(dir, 'coreos_production_vmware_raw_image.bin');
    writeFileSync(boot, coreosDisk('vmware_raw'));
    const data = join(dir, 'data.vhdx');
    const logs = join(dir, 'logs.vmdk');
    runOk('qemu-img', ['create', '-q', '-f', 'vhdx', data, '24M']);
    runOk('qemu-io', ['-f', 'vhdx', '-c', 'write -P 0x32 4M 1M', data]);
    runOk('qemu-img', ['create', '-q', '-f', 'vmdk', logs, '8M']);
    runOk('qemu-io', ['-f', 'vmdk', '-c', 'write -P 0x33 1M 64k', logs]);
    const box = join(dir, 'multi.box');
    const r = await ferry(['box', boot, data, logs, box, '--name', 'multi', '--controller', 'sata', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const result = lastEvent(r) as { files: string[]; virtualSize: number };
    assert.deepEqual(result.files, [box]);
    assert.equal(result.virtualSize, coreosDisk('vmware_raw').length + 32 * 1024 * 1024);
    const members = runOk('tar', ['-tzf', box]).stdout.trim().split('\n');
    assert.deepEqual(members, ['metadata.json', 'Vagrantfile', 'multi.vmx', 'multi.vmdk', 'multi-2.vmdk', 'multi-3.vmdk']);
    const x = tempDir(t);
    runOk('tar', ['-xzf', box, '-C', x]);
    assert.deepEqual(JSON.parse(readFileSync(join(x, 'metadata.json'), 'utf8')), { provider: 'vmware_desktop' });
    const vmx = readVmx(join(x, 'multi.vmx'));
    const named = [...vmx.entries()].filter(([k, v]) => /^sata0:\d+\.filename$/.test(k) && v.endsWith('.vmdk')).map(([, v]) => v);
    assert.deepEqual(named, ['multi.vmdk', 'multi-2.vmdk', 'multi-3.vmdk'], 'the .vmx lists each disk by its name beside it');
    assert.equal(qemuCompare(boot, 'raw', join(x, 'multi.vmdk'), 'vmdk').code, 0);
    assert.equal(qemuCompare(data, 'vhdx', join(x, 'multi-2.vmdk'), 'vmdk').code, 0);
    assert.equal(qemuCompare(logs, 'vmdk', join(x, 'multi-3.vmdk'), 'vmdk').code, 0);
  });

  it('several sources: the same file twice, or the box among its own sources, is refused', async (t) => {
    const dir = tempDir(t);
    const source = join(dir, 'd.img');
    writeFileSync(source, coreosDisk('vmware_raw'));
    const twice = await ferry(['box', source, source, join(dir, 'd.box'), '--json']);
    assert.equal(twice.code, 1);
    assert.match(String(lastEvent(twice).message), /given twice/);
    writeFileSync(join(dir, 'old.box'), 'mine');
    const itself = await ferry(['box', source, join(dir, 'old.box'), join(dir, 'old.box'), '--overwrite', '--json']);
    assert.equal(itself.code, 1, itself.stdout);
    assert.equal(readFileSync(join(dir, 'old.box'), 'utf8'), 'mine');
    assert.deepEqual(readdirSync(dir).sort(), ['d.img', 'old.box']);
  });

  it('refuses an output not named .box and an existing one without --overwrite', async (t) => {
    const dir = tempDir(t);
    const source = join(dir, 'd.img');
    writeFileSync(source, coreosDisk('vmware_raw'));
    const wrong = await ferry(['box', source, join(dir, 'd.tar.gz'), '--json']);
    assert.equal(wrong.code, 1);
    assert.equal(lastEvent(wrong).code, 'E_USAGE');
    writeFileSync(join(dir, 'taken.box'), 'mine');
    const taken = await ferry(['box', source, join(dir, 'taken.box'), '--json']);
    assert.equal(lastEvent(taken).code, 'E_EXISTS');
    assert.equal(readFileSync(join(dir, 'taken.box'), 'utf8'), 'mine');
    assert.deepEqual(readdirSync(dir).sort(), ['d.img', 'taken.box']);
  });
});
