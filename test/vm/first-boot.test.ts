// First boot: what `ferry vm` writes for a cloud image's first boot, read back as VMware and the
// guest would: the .vmx parsed, every guestinfo value base64-decoded, Ignition checked as JSON with
// its spec version, cloud-config read by PyYAML (what cloud-init itself uses).
import assert from 'node:assert/strict';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ferry, lastEvent } from '../support/cli';
import { tempDir } from '../support/tmp';
import { coreosDisk, fs, gptDisk, GUIDS, mbrDisk } from './disks';
import { decoded, publicKey, writeText, yaml } from './first-boot-support';
import { readVmx } from './vm-folder';

const ubuntuDisk = () => mbrDisk(8, [{ type: 0x83, startMiB: 1, sizeMiB: 6, bootable: true, content: [fs.ext(4, 'cloudimg-rootfs')] }]);
const fedoraCoreosDisk = () =>
  gptDisk(24, [
    { type: GUIDS.biosBoot, name: 'BIOS-BOOT', startMiB: 1, sizeMiB: 1 },
    { type: GUIDS.esp, name: 'EFI-SYSTEM', startMiB: 2, sizeMiB: 2, content: [fs.fat16('EFI-SYSTEM')] },
    { type: GUIDS.linux, name: 'boot', startMiB: 4, sizeMiB: 4, content: [fs.ext(4, 'boot')] },
    { type: GUIDS.linux, name: 'root', startMiB: 8, sizeMiB: 15, content: [fs.xfs('root')] },
  ]);

async function makeVm(t: Parameters<typeof tempDir>[0], image: Buffer, fileName: string, flags: (dir: string) => string[]) {
  const dir = tempDir(t);
  const source = join(dir, fileName);
  writeFileSync(source, image);
  const dest = join(dir, 'out');
  mkdirSync(dest);
  const r = await ferry(['vm', source, dest, '--name', 'node', '--json', ...flags(dir)]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const result = lastEvent(r) as { vmx: string; folder: string; warnings: string[]; firstBoot?: { guestinfo: string[]; image: string; sshUser?: string } };
  return { result, vmx: readVmx(result.vmx) };
}

function ignition(text: string | undefined): { ignition: { version: string }; passwd?: { users: Array<{ name: string; sshAuthorizedKeys: string[] }> }; storage?: { files: Array<{ path: string; contents: { source: string } }> } } {
  assert.ok(text !== undefined, 'an Ignition config');
  return JSON.parse(text) as ReturnType<typeof ignition>;
}

describe('ferry vm: first boot', () => {
  test('legacy CoreOS Container Linux: Ignition 2.2.0 and a coreos-cloudinit cloud-config, both with the key and host name; owner-only folder', async (t) => {
    const key = publicKey('me@laptop');
    const { result, vmx } = await makeVm(t, coreosDisk('vmware_raw'), 'coreos_production_vmware_raw_image.bin', (d) => ['--ssh-key', writeText(d, 'id.pub', `${key}\n`), '--hostname', 'core-01']);
    const ign = ignition(decoded(vmx, 'ignition.config.data'));
    assert.equal(ign.ignition.version, '2.2.0');
    assert.deepEqual(ign.passwd?.users, [{ name: 'core', sshAuthorizedKeys: [key] }]);
    assert.equal(ign.storage?.files[0]?.path, '/etc/hostname');
    assert.equal(ign.storage?.files[0]?.contents.source, 'data:,core-01');
    const cc = decoded(vmx, 'coreos.config.data')!;
    assert.ok(cc.startsWith('#cloud-config\n'));
    assert.deepEqual(yaml(cc), { hostname: 'core-01', ssh_authorized_keys: [key] });
    assert.equal(vmx.get('guestinfo.userdata'), undefined, 'Container Linux runs no cloud-init');
    assert.deepEqual(result.firstBoot, {
      guestinfo: ['guestinfo.ignition.config.data', 'guestinfo.ignition.config.data.encoding', 'guestinfo.coreos.config.data', 'guestinfo.coreos.config.data.encoding'],
      image: 'container-linux',
      sshUser: 'core',
    });
    if (process.platform !== 'win32') {
      assert.equal(statSync(result.folder).mode & 0o777, 0o700);
      assert.equal(statSync(result.vmx).mode & 0o777, 0o600);
    }
  });

  test('Flatcar and Fedora CoreOS: Ignition spec 3.3.0 only', async (t) => {
    const key = publicKey();
    for (const [image, name] of [
      [coreosDisk('vmware_raw'), 'flatcar_production_vmware_raw_image.bin'],
      [fedoraCoreosDisk(), 'disk.raw'],
    ] as const) {
      const { vmx, result } = await makeVm(t, image, name, (d) => ['--ssh-key', writeText(d, 'k.pub', key)]);
      const ign = ignition(decoded(vmx, 'ignition.config.data'));
      assert.equal(ign.ignition.version, '3.3.0', name);
      assert.deepEqual(ign.passwd?.users[0]?.sshAuthorizedKeys, [key]);
      assert.equal(ign.storage, undefined, 'no host name asked for');
      assert.equal(vmx.get('guestinfo.coreos.config.data'), undefined);
      assert.equal(result.firstBoot?.sshUser, 'core');
    }
  });

  test('other Linux: cloud-init user-data (#cloud-config) and meta-data, base64', async (t) => {
    const keys = [publicKey('a'), publicKey('b')];
    const { vmx, result } = await makeVm(t, ubuntuDisk(), 'jammy-server-cloudimg-amd64.img', (d) => ['--ssh-key', writeText(d, 'a.pub', `# mine\n${keys[0]}\n\n${keys[1]}\n`), '--hostname', 'web.example.com']);
    const userData = decoded(vmx, 'userdata')!;
    assert.ok(userData.startsWith('#cloud-config\n'));
    assert.deepEqual(yaml(userData), { hostname: 'web.example.com', ssh_authorized_keys: keys });
    const meta = yaml(decoded(vmx, 'metadata')!) as Record<string, string>;
    assert.equal(meta['local-hostname'], 'web.example.com');
    assert.match(meta['instance-id']!, /^ferry-[0-9a-f-]{36}$/);
    assert.equal(vmx.get('guestinfo.ignition.config.data'), undefined);
    assert.equal(result.firstBoot?.sshUser, 'ubuntu');
    assert.ok(!result.warnings.some((w) => /cloud-init/.test(w)), 'an Ubuntu cloud image has cloud-init');
  });

  test('--ignition and --cloud-init pass the files unchanged; a spec the image may not read and an unchecked cloud-init are warnings', async (t) => {
    const config = '{"ignition": {"version": "3.4.0"}, "passwd": {"users": [{"name": "core", "passwordHash": "$y$j9T$x"}]}}\n';
    const { vmx, result } = await makeVm(t, coreosDisk('vmware_raw'), 'coreos_production_vmware_raw_image.bin', (d) => ['--ignition', writeText(d, 'c.ign', config)]);
    assert.equal(decoded(vmx, 'ignition.config.data'), config);
    assert.equal(vmx.get('guestinfo.coreos.config.data'), undefined);
    assert.ok(result.warnings.some((w) => /spec 3\.4\.0/.test(w) && /CoreOS Container Linux reads spec 2\.0 to 2\.2/.test(w)), result.warnings.join('\n'));

    const linux = mbrDisk(8, [{ type: 0x83, startMiB: 1, sizeMiB: 6, content: [fs.ext(4)] }]);
    const userData = '#cloud-config\npassword: secret\nchpasswd: { expire: false }\n';
    const meta = 'instance-id: i-1\nlocal-hostname: box\n';
    const other = await makeVm(t, linux, 'debian.raw', (d) => ['--cloud-init', writeText(d, 'u', userData), '--cloud-init-meta', writeText(d, 'm', meta)]);
    assert.equal(decoded(other.vmx, 'userdata'), userData);
    assert.equal(decoded(other.vmx, 'metadata'), meta);
    assert.ok(other.result.warnings.some((w) => /cloud-init in the image: not checked/.test(w)), other.result.warnings.join('\n'));
  });

  test('--cloud-init with --ssh-key: the keys go into the meta-data as public-keys', async (t) => {
    const key = publicKey();
    const { vmx } = await makeVm(t, ubuntuDisk(), 'ubuntu.img', (d) => ['--cloud-init', writeText(d, 'u', '#cloud-config\npackages: [htop]\n'), '--ssh-key', writeText(d, 'k.pub', key), '--hostname', 'h1']);
    assert.equal(decoded(vmx, 'userdata'), '#cloud-config\npackages: [htop]\n');
    const meta = yaml(decoded(vmx, 'metadata')!) as Record<string, unknown>;
    assert.deepEqual(meta['public-keys'], [key]);
    assert.equal(meta['local-hostname'], 'h1');
  });

  test('no first-boot flags: no guestinfo, the folder keeps its usual mode', async (t) => {
    const { vmx, result } = await makeVm(t, ubuntuDisk(), 'plain.img', () => []);
    assert.deepEqual([...vmx.keys()].filter((k) => k.startsWith('guestinfo.')), []);
    assert.equal(result.firstBoot, undefined);
  });
});

describe('ferry vm: first-boot input refused as usage errors', () => {
  const cases: Array<[string, (dir: string) => string[], RegExp]> = [
    [
      'a private key as --ssh-key',
      (d) => ['--ssh-key', writeText(d, 'id_ed25519', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n')],
      /--ssh-key .*id_ed25519: is a private key.*\.pub/,
    ],
    ['a file that is not a public key', (d) => ['--ssh-key', writeText(d, 'notes.txt', 'hello world\n')], /--ssh-key .*notes\.txt: is not an OpenSSH public key/],
    ['an unknown key type', (d) => ['--ssh-key', writeText(d, 'x.pub', 'ssh-foo AAAAB3NzaC1yc2E= x\n')], /starts with "ssh-foo", not a key type/],
    ['a key whose data names another type', (d) => ['--ssh-key', writeText(d, 'x.pub', `ssh-rsa ${publicKey().split(' ')[1]} x\n`)], /does not say "ssh-rsa"/],
    ['an empty key file', (d) => ['--ssh-key', writeText(d, 'x.pub', '\n# nothing\n')], /holds no public key/],
    ['a missing key file', (d) => ['--ssh-key', join(d, 'nope.pub')], /nope\.pub: cannot be read \(no such file\)/],
    ['JSON that is not Ignition', (d) => ['--ignition', writeText(d, 'c.json', '{"variant": "fcos", "version": "1.5.0"}')], /--ignition is JSON but not an Ignition config/],
    ['a Butane YAML file as --ignition', (d) => ['--ignition', writeText(d, 'c.bu', 'variant: fcos\nversion: 1.5.0\n')], /--ignition is not JSON/],
    ['a host name with an underscore', () => ['--hostname', 'web_01'], /--hostname "web_01" must be letters, digits and hyphens/],
    ['a label starting with a hyphen', () => ['--hostname', 'a.-b'], /RFC 1123/],
    ['--ignition with --ssh-key', (d) => ['--ignition', writeText(d, 'c.ign', '{"ignition":{"version":"3.3.0"}}'), '--ssh-key', writeText(d, 'k.pub', publicKey())], /--ignition is used unchanged/],
  ];
  for (const [what, flags, message] of cases) {
    test(what, async (t) => {
      const dir = tempDir(t);
      const source = join(dir, 'disk.img');
      writeFileSync(source, ubuntuDisk());
      const r = await ferry(['vm', source, dir, ...flags(dir)]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack');
      const json = await ferry(['vm', source, dir, '--json', ...flags(dir)]);
      assert.equal(json.code, 1);
      assert.equal(lastEvent(json).code, 'E_USAGE');
    });
  }
});
