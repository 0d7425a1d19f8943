// ferry ova, checked with tools that are not ours: tar lists the members in order, Python's
// tarfile and xml.etree read the archive and the envelope, the manifest is checked by
// sha1sum / sha256sum / sha512sum (the digest follows the hardware version), and the disk taken
// out of the OVA compares identical to the source in qemu-img.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ferry, lastEvent } from '../support/cli';
import { tempDir } from '../support/tmp';
import { qemuCheck, qemuInfo, runOk } from '../support/tools';
import { assertIdentical, leftovers, makeRaw, makeVhd, pack } from '../inputs/helpers';

interface OvfFacts {
  href: string;
  fileSize: number;
  capacity: number;
  format: string;
  osType: string;
  system: string;
  name: string;
  firmware: string;
  quantities: Record<string, number>;
  controller: [string, string];
  /** The CD/DVD drive's controller: resource type, subtype, address on it. */
  cdrom: [string, string, string];
  coresPerSocket: number | null;
}

/** Reads the envelope with Python's xml.etree (namespaces and all). */
function readOvf(path: string): OvfFacts {
  const script = `
import json, sys, xml.etree.ElementTree as ET
ns = {'o': 'http://schemas.dmtf.org/ovf/envelope/1',
      'r': 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData',
      's': 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData',
      'v': 'http://www.vmware.com/schema/ovf'}
O = '{http://schemas.dmtf.org/ovf/envelope/1}'
V = '{http://www.vmware.com/schema/ovf}'
root = ET.parse(sys.argv[1]).getroot()
f = root.find('o:References/o:File', ns)
d = root.find('o:DiskSection/o:Disk', ns)
vs = root.find('o:VirtualSystem', ns)
os_ = vs.find('o:OperatingSystemSection', ns)
hw = vs.find('o:VirtualHardwareSection', ns)
q = {}
items = hw.findall('o:Item', ns)
byId = {i.find('r:InstanceID', ns).text: i for i in items}
def parentOf(rt):
    i = next(i for i in items if i.find('r:ResourceType', ns).text == rt)
    p = byId[i.find('r:Parent', ns).text]
    sub = p.find('r:ResourceSubType', ns)
    return [p.find('r:ResourceType', ns).text, sub.text if sub is not None else '', i.find('r:AddressOnParent', ns).text]
for item in items:
    rt = item.find('r:ResourceType', ns).text
    vq = item.find('r:VirtualQuantity', ns)
    if vq is not None: q[rt] = int(vq.text)
disk_ctl = parentOf('17')
ctl = disk_ctl[:2]
cd = parentOf('15')
cores = hw.find("o:Item/v:CoresPerSocket", ns)
cfg = [c for c in hw.findall('v:Config', ns) if c.get(V + 'key') == 'firmware']
print(json.dumps({'href': f.get(O + 'href'), 'fileSize': int(f.get(O + 'size')), 'capacity': int(d.get(O + 'capacity')),
  'format': d.get(O + 'format'), 'osType': os_.get(V + 'osType'), 'system': hw.find('o:System/s:VirtualSystemType', ns).text,
  'name': vs.find('o:Name', ns).text, 'firmware': cfg[0].get(V + 'value'), 'quantities': q, 'controller': ctl,
  'cdrom': cd, 'coresPerSocket': int(cores.text) if cores is not None else None}))
`;
  return JSON.parse(runOk('python3', ['-c', script, path]).stdout) as OvfFacts;
}

/** Extracts with Python's tarfile; returns the member names in archive order. */
function extract(ova: string, into: string): string[] {
  const script = 'import json,sys,tarfile\nt=tarfile.open(sys.argv[1])\nnames=t.getnames()\nt.extractall(sys.argv[2])\nprint(json.dumps(names))';
  return JSON.parse(runOk('python3', ['-c', script, ova, into]).stdout) as string[];
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('ferry ova', () => {
  let dir = '';
  let vhd = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-ova-'));
    vhd = makeVhd(makeRaw(dir, 'truth.raw', 31), join(dir, 'appliance.vhd'), 'dynamic');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('packs .ovf, .mf, disk in that order; digests, sizes and the disk all check out', async (t) => {
    const out = tempDir(t);
    const ova = join(out, 'appliance.ova');
    const r = await ferry(['ova', vhd, ova, '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const result = lastEvent(r);
    assert.equal(result.output, ova);
    assert.deepEqual(result.files, [ova]);
    assert.equal(result.subformat, 'streamOptimized');
    assert.equal(result.verified, true);
    assert.deepEqual(readdirSync(out), ['appliance.ova']);

    // GNU tar lists it, in order.
    assert.deepEqual(runOk('tar', ['-tf', ova]).stdout.trim().split('\n'), ['appliance.ovf', 'appliance.mf', 'appliance-disk1.vmdk']);
    const x = tempDir(t);
    assert.deepEqual(extract(ova, x), ['appliance.ovf', 'appliance.mf', 'appliance-disk1.vmdk']);

    // The manifest names every other file with its SHA-256.
    const mf = readFileSync(join(x, 'appliance.mf'), 'utf8');
    assert.equal(mf, `SHA256(appliance.ovf)= ${sha256(join(x, 'appliance.ovf'))}\nSHA256(appliance-disk1.vmdk)= ${sha256(join(x, 'appliance-disk1.vmdk'))}\n`);

    const ovf = readOvf(join(x, 'appliance.ovf'));
    assert.equal(ovf.href, 'appliance-disk1.vmdk');
    assert.equal(ovf.fileSize, statSync(join(x, 'appliance-disk1.vmdk')).size);
    assert.equal(ovf.capacity, qemuInfo(vhd, 'vpc')['virtual-size']);
    assert.equal(ovf.format, 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized');
    assert.equal(ovf.system, 'vmx-14');
    assert.equal(ovf.name, 'appliance');
    assert.equal(ovf.firmware, 'bios');
    assert.equal(ovf.osType, 'otherGuest64');
    assert.deepEqual(ovf.cdrom, ['5', '', '0'], 'an empty CD/DVD drive on the second IDE controller, for VMware Tools');
    assert.equal(ovf.coresPerSocket, ovf.quantities['3']);

    const disk = join(x, 'appliance-disk1.vmdk');
    assertIdentical(vhd, 'vpc', disk, 'vmdk');
    const check = qemuCheck(disk);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.equal(qemuInfo(disk, 'vmdk')['format-specific']?.data['create-type'], 'streamOptimized');
  });

  it('takes the VM settings from the command line', async (t) => {
    const out = tempDir(t);
    const ova = join(out, 'web.ova');
    const r = await ferry(['ova', vhd, ova, '--name', 'Web Server & Co', '--guest', 'ubuntu-64', '--memory', '3072', '--cpus', '3', '--firmware', 'efi', '--hw-version', '19', '--controller', 'pvscsi', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const names = runOk('tar', ['-tf', ova]).stdout.trim().split('\n');
    assert.deepEqual(names, ['Web_Server_Co.ovf', 'Web_Server_Co.mf', 'Web_Server_Co-disk1.vmdk']);
    const x = tempDir(t);
    extract(ova, x);
    const ovf = readOvf(join(x, 'Web_Server_Co.ovf'));
    assert.equal(ovf.name, 'Web Server & Co');
    assert.equal(ovf.osType, 'ubuntu64Guest');
    assert.equal(ovf.system, 'vmx-19');
    assert.equal(ovf.firmware, 'efi');
    assert.equal(ovf.quantities['4'], 3072);
    assert.equal(ovf.quantities['3'], 3);
    assert.deepEqual(ovf.controller, ['6', 'VirtualSCSI']);
    assert.equal(ovf.coresPerSocket, 3);
    assertIdentical(vhd, 'vpc', join(x, 'Web_Server_Co-disk1.vmdk'), 'vmdk');
  });

  it('puts the CD/DVD drive beside a SATA disk', async (t) => {
    const out = tempDir(t);
    const ova = join(out, 'sata.ova');
    const r = await ferry(['ova', vhd, ova, '--firmware', 'efi', '--controller', 'sata', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const x = tempDir(t);
    extract(ova, x);
    const ovf = readOvf(join(x, 'appliance.ovf'));
    assert.deepEqual(ovf.controller, ['20', 'vmware.sata.ahci']);
    assert.deepEqual(ovf.cdrom, ['20', 'vmware.sata.ahci', '1']);
  });

  for (const [hw, algorithm] of [[11, 'sha1'], [14, 'sha256'], [19, 'sha512']] as const) {
    it(`hardware ${hw}: the manifest is ${algorithm.toUpperCase()}, and ${algorithm}sum agrees with it`, async (t) => {
      const out = tempDir(t);
      const ova = join(out, `hw${hw}.ova`);
      const r = await ferry(['ova', vhd, ova, '--hw-version', String(hw), '--guest', 'windows9-64', '--name', `hw${hw}`, '--json']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const x = tempDir(t);
      extract(ova, x);
      const mf = readFileSync(join(x, `hw${hw}.mf`), 'utf8');
      const tag = algorithm.toUpperCase();
      const lines = mf.split('\n').filter((l) => l !== '');
      assert.deepEqual(lines.map((l) => /^([A-Z0-9]+)\((.+)\)= [0-9a-f]+$/.exec(l)?.slice(1, 3)), [[tag, `hw${hw}.ovf`], [tag, `hw${hw}-disk1.vmdk`]]);
      // The same lines in the coreutils form, checked by the tool itself.
      const sums = lines.map((l) => l.replace(/^[A-Z0-9]+\((.+)\)= ([0-9a-f]+)$/, '$2  $1')).join('\n') + '\n';
      writeFileSync(join(x, 'sums'), sums);
      assert.match(runOk(`${algorithm}sum`, ['-c', 'sums'], { cwd: x }).stdout, new RegExp(`hw${hw}-disk1\\.vmdk: OK`));
      const ovf = readFileSync(join(x, `hw${hw}.ovf`), 'utf8');
      assert.match(ovf, /<OperatingSystemSection ovf:id="121" vmw:osType="windows9_64Guest">/);
      assert.equal(readOvf(join(x, `hw${hw}.ovf`)).system, `vmx-${hw}`);
    });
  }

  it('accepts a compressed download, named after it without its suffixes', async (t) => {
    const out = tempDir(t);
    const packed = pack(dir, 'appliance.vhd', 'xz', 'coreos_image.vhd.xz');
    const ova = join(out, 'coreos.ova');
    const r = await ferry(['ova', packed, ova, '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(runOk('tar', ['-tf', ova]).stdout.trim().split('\n'), ['coreos_image.ovf', 'coreos_image.mf', 'coreos_image-disk1.vmdk']);
    const x = tempDir(t);
    extract(ova, x);
    assertIdentical(vhd, 'vpc', join(x, 'coreos_image-disk1.vmdk'), 'vmdk');
    assert.deepEqual(leftovers(out), []);
  });

  it('refuses a name without .ova, an existing output (unless --overwrite) and bad options', async (t) => {
    const out = tempDir(t);
    const notOva = await ferry(['ova', vhd, join(out, 'x.vmdk'), '--json']);
    assert.equal(notOva.code, 1);
    assert.equal(lastEvent(notOva).code, 'E_USAGE');
    writeFileSync(join(out, 'taken.ova'), 'keep me');
    const taken = await ferry(['ova', vhd, join(out, 'taken.ova'), '--json']);
    assert.equal(taken.code, 3);
    assert.equal(lastEvent(taken).code, 'E_EXISTS');
    assert.equal(readFileSync(join(out, 'taken.ova'), 'utf8'), 'keep me');
    const bad = await ferry(['ova', vhd, join(out, 'b.ova'), '--firmware', 'uefi', '--json']);
    assert.equal(bad.code, 1);
    const sub = await ferry(['ova', vhd, join(out, 'b.ova'), '--subformat', 'monolithicSparse', '--json']);
    assert.equal(sub.code, 1);
    const replaced = await ferry(['ova', vhd, join(out, 'taken.ova'), '--overwrite', '--json']);
    assert.equal(replaced.code, 0, replaced.stdout);
    assert.equal(runOk('tar', ['-tf', join(out, 'taken.ova')]).stdout.trim().split('\n').length, 3);
    assert.deepEqual(readdirSync(out), ['taken.ova']);
  });
});
