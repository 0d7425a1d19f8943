// First boot in an OVA: the guestinfo keys as vApp properties of a ProductSection, with the
// com.vmware.guestInfo transport on the hardware section, read back with Python's xml.etree
// from the archive GNU tar unpacks; the manifest still covers the envelope.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ferry, lastEvent } from '../support/cli';
import { tempDir } from '../support/tmp';
import { runOk } from '../support/tools';
import { coreosDisk, fs, mbrDisk } from '../vm/disks';
import { decoded, publicKey, writeText, yaml } from '../vm/first-boot-support';

interface Envelope {
  transport: string | null;
  properties: Record<string, { value: string; type: string; userConfigurable: string }>;
}

function readEnvelope(path: string): Envelope {
  const script = `
import json, sys, xml.etree.ElementTree as ET
ns = {'o': 'http://schemas.dmtf.org/ovf/envelope/1'}
O = '{http://schemas.dmtf.org/ovf/envelope/1}'
vs = ET.parse(sys.argv[1]).getroot().find('o:VirtualSystem', ns)
hw = vs.find('o:VirtualHardwareSection', ns)
props = {p.get(O + 'key'): {'value': p.get(O + 'value'), 'type': p.get(O + 'type'), 'userConfigurable': p.get(O + 'userConfigurable')}
         for p in vs.findall('o:ProductSection/o:Property', ns)}
print(json.dumps({'transport': hw.get(O + 'transport'), 'properties': props}))
`;
  return JSON.parse(runOk('python3', ['-c', script, path]).stdout) as Envelope;
}

async function makeOva(t: Parameters<typeof tempDir>[0], image: Buffer, fileName: string, flags: (dir: string) => string[]) {
  const dir = tempDir(t);
  const source = join(dir, fileName);
  writeFileSync(source, image);
  const ova = join(dir, 'vm.ova');
  const r = await ferry(['ova', source, ova, '--name', 'vm', '--json', ...flags(dir)]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const x = tempDir(t);
  runOk('tar', ['-xf', ova, '-C', x]);
  const ovf = join(x, 'vm.ovf');
  const mf = readFileSync(join(x, 'vm.mf'), 'utf8');
  assert.ok(mf.includes(`SHA256(vm.ovf)= ${createHash('sha256').update(readFileSync(ovf)).digest('hex')}\n`));
  const env = readEnvelope(ovf);
  const entries = new Map(Object.entries(env.properties).map(([k, p]) => [k.toLowerCase(), p.value]));
  return { env, entries, result: lastEvent(r) as { warnings: string[]; firstBoot?: { image: string } } };
}

describe('ferry ova: first boot', () => {
  it('a CoreOS image: the Ignition config as guestinfo vApp properties, delivered by com.vmware.guestInfo', async (t) => {
    const key = publicKey();
    const { env, entries, result } = await makeOva(t, coreosDisk('vmware_raw'), 'flatcar_production_vmware_raw_image.bin', (d) => ['--ssh-key', writeText(d, 'k.pub', key), '--hostname', 'edge-1']);
    assert.equal(env.transport, 'com.vmware.guestInfo');
    assert.deepEqual(Object.keys(env.properties), ['guestinfo.ignition.config.data', 'guestinfo.ignition.config.data.encoding']);
    for (const p of Object.values(env.properties)) {
      assert.equal(p.type, 'string');
      assert.equal(p.userConfigurable, 'true');
    }
    const ign = JSON.parse(decoded(entries, 'ignition.config.data')!) as { ignition: { version: string }; passwd: { users: Array<{ name: string; sshAuthorizedKeys: string[] }> } };
    assert.equal(ign.ignition.version, '3.3.0');
    assert.deepEqual(ign.passwd.users, [{ name: 'core', sshAuthorizedKeys: [key] }]);
    assert.equal(result.firstBoot?.image, 'flatcar');
  });

  it('another Linux image: cloud-init user-data and meta-data properties', async (t) => {
    const key = publicKey();
    const linux = mbrDisk(8, [{ type: 0x83, startMiB: 1, sizeMiB: 6, content: [fs.ext(4, 'cloudimg-rootfs')] }]);
    const { env, entries } = await makeOva(t, linux, 'noble.img', (d) => ['--ssh-key', writeText(d, 'k.pub', key), '--hostname', 'n1']);
    assert.equal(env.transport, 'com.vmware.guestInfo');
    assert.deepEqual(yaml(decoded(entries, 'userdata')!), { hostname: 'n1', ssh_authorized_keys: [key] });
    assert.equal((yaml(decoded(entries, 'metadata')!) as Record<string, string>)['local-hostname'], 'n1');
  });

  it('another Linux image: the same in the OVF environment for cloud-init\'s OVF datasource (instance-id, hostname, base64 user-data)', async (t) => {
    const key = publicKey();
    const linux = mbrDisk(8, [{ type: 0x83, startMiB: 1, sizeMiB: 6, content: [fs.ext(4, 'cloudimg-rootfs')] }]);
    const { env, entries } = await makeOva(t, linux, 'noble.img', (d) => ['--ssh-key', writeText(d, 'k.pub', key), '--hostname', 'n1']);
    const meta = yaml(decoded(entries, 'metadata')!) as Record<string, string>;
    assert.equal(env.properties['instance-id']?.value, meta['instance-id']);
    assert.equal(env.properties.hostname?.value, 'n1');
    assert.equal(Buffer.from(env.properties['user-data']!.value, 'base64').toString('utf8'), decoded(entries, 'userdata'));
    assert.equal(env.properties['public-keys'], undefined, 'the keys are in the user-data');
  });

  it('the user\'s own user-data: unchanged in the OVF environment, with --ssh-key keys one a line in public-keys', async (t) => {
    const keys = [publicKey('a@x'), publicKey('b@y')];
    const userData = '#cloud-config\npackages: [htop]\n';
    const linux = mbrDisk(8, [{ type: 0x83, startMiB: 1, sizeMiB: 6, content: [fs.ext(4, 'cloudimg-rootfs')] }]);
    const { env } = await makeOva(t, linux, 'noble.img', (d) => ['--cloud-init', writeText(d, 'ud.yaml', userData), '--ssh-key', writeText(d, 'k.pub', `${keys.join('\n')}\n`)]);
    assert.equal(Buffer.from(env.properties['user-data']!.value, 'base64').toString('utf8'), userData);
    assert.equal(env.properties['public-keys']?.value, keys.join('\n'), 'the line break survives the XML attribute');
    const withMeta = await makeOva(t, linux, 'noble.img', (d) => ['--cloud-init', writeText(d, 'ud.yaml', userData), '--cloud-init-meta', writeText(d, 'md.yaml', 'instance-id: mine\n')]);
    assert.deepEqual(
      Object.keys(withMeta.env.properties).filter((k) => !k.startsWith('guestinfo.')),
      ['user-data'],
      'the user\'s own meta-data is not read, so only the user-data goes into the OVF environment',
    );
  });

  it('without first-boot flags: no ProductSection, no transport', async (t) => {
    const { env } = await makeOva(t, coreosDisk('vmware_raw'), 'coreos.bin', () => []);
    assert.equal(env.transport, null);
    assert.deepEqual(env.properties, {});
  });

  it('refuses a private key as a usage error', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'd.img'), coreosDisk('vmware_raw'));
    const r = await ferry(['ova', join(dir, 'd.img'), join(dir, 'o.ova'), '--ssh-key', writeText(dir, 'id_rsa', '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is a private key/);
  });
});
