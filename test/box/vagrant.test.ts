// ferry box against Vagrant itself, where it is installed (Debian's `vagrant` package): `vagrant
// box add` takes the box for the vmware_desktop provider (adding needs no provider plugin), and a
// project using it loads the box's Vagrantfile (running it needs the plugin and VMware). Also, without Vagrant, the
// shape the vmware_desktop plugin relies on: one .vmx at the top level, in `key = "value"` lines,
// whose disk paths name files beside it (the plugin copies the box folder and opens that .vmx).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ferry } from '../support/cli';
import { tempDir } from '../support/tmp';
import { runOk } from '../support/tools';
import { coreosDisk } from '../vm/disks';

const hasVagrant = spawnSync('vagrant', ['--version'], { encoding: 'utf8' }).status === 0;

async function twoDiskBox(t: Parameters<typeof tempDir>[0]): Promise<{ dir: string; box: string }> {
  const dir = tempDir(t);
  const boot = join(dir, 'coreos_production_vmware_raw_image.bin');
  writeFileSync(boot, coreosDisk('vmware_raw'));
  const data = join(dir, 'data.img');
  runOk('qemu-img', ['create', '-q', '-f', 'raw', data, '8M']);
  const box = join(dir, 'coreos.box');
  const r = await ferry(['box', boot, data, box, '--name', 'coreos', '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return { dir, box };
}

describe('ferry box for Vagrant', () => {
  it('the .vmx is the only one at the top level, every line `key = "value"`, every disk path a member beside it', async (t) => {
    const { box } = await twoDiskBox(t);
    const x = tempDir(t);
    runOk('tar', ['-xzf', box, '-C', x]);
    const members = readdirSync(x).sort();
    assert.deepEqual(members.filter((m) => m.endsWith('.vmx')), ['coreos.vmx']);
    const lines = readFileSync(join(x, 'coreos.vmx'), 'utf8').split('\n').filter((l) => l !== '');
    const entries = lines.map((l) => /^([A-Za-z0-9_.:]+) = "([^"]*)"$/.exec(l));
    assert.deepEqual(lines.filter((_, i) => !entries[i]), [], 'lines a line-by-line reader would not take');
    const keys = entries.map((m) => m![1]!.toLowerCase());
    assert.equal(new Set(keys).size, keys.length, 'no key twice (the plugin keeps keys case-insensitively and rewrites the file sorted)');
    const disks = entries.filter((m) => /\.filename$/i.test(m![1]!) && m![2]!.endsWith('.vmdk')).map((m) => m![2]!);
    assert.deepEqual(disks, ['coreos.vmdk', 'coreos-2.vmdk']);
    for (const d of disks) assert.ok(members.includes(d), `${d} is in the box beside the .vmx`);
  });

  it('vagrant box add takes it for vmware_desktop; a project on it loads the box\'s Vagrantfile', { skip: hasVagrant ? false : 'vagrant is not installed' }, async (t) => {
    const { dir, box } = await twoDiskBox(t);
    const env = { ...process.env, VAGRANT_HOME: join(dir, 'vagrant.d'), VAGRANT_CHECKPOINT_DISABLE: '1' };
    const vagrant = (args: string[], cwd = dir) => spawnSync('vagrant', args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
    const add = vagrant(['box', 'add', '--name', 'ferry-test', box]);
    assert.equal(add.status, 0, add.stdout + add.stderr);
    assert.match(add.stdout, /Successfully added box 'ferry-test' \(v0\) for 'vmware_desktop'/);
    assert.match(vagrant(['box', 'list']).stdout, /^ferry-test\s+\(vmware_desktop, 0\)$/m);
    const unpacked = join(dir, 'vagrant.d', 'boxes', 'ferry-test', '0', 'vmware_desktop');
    assert.deepEqual(readdirSync(unpacked).sort(), ['Vagrantfile', 'coreos-2.vmdk', 'coreos.vmdk', 'coreos.vmx', 'metadata.json']);
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'Vagrantfile'), 'Vagrant.configure("2") do |config|\n  config.vm.box = "ferry-test"\nend\n');
    // With vmware_desktop asked for, Vagrant loads the box's Vagrantfile under the project's (a
    // syntax error there stops it at once), then stops for want of the provider plugin, not here.
    const validate = spawnSync('vagrant', ['validate'], { cwd: project, env: { ...env, VAGRANT_DEFAULT_PROVIDER: 'vmware_desktop' }, encoding: 'utf8', timeout: 120_000 });
    const said = validate.stdout + validate.stderr;
    assert.doesNotMatch(said, /syntax error|error in the following Vagrantfile/i);
    assert.match(said, /The provider 'vmware_desktop' could not be found/);
  });
});
