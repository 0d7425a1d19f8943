// The OVF envelope keeps to what DSP8023 (the DMTF OVF 1.0 envelope schema, with the CIM RASD and
// VSSD schemas it imports) requires and ovftool/ESXi parse strictly: the rasd elements of an
// Item in the schema's (alphabetical) sequence, vmw extensions after them, xs:boolean attributes
// spelled true/false, Info before Name before the sections, every reference resolving, and
// first-boot properties with unique keys carried by the com.vmware.guestInfo transport.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ferry } from '../support/cli';
import { tempDir } from '../support/tmp';
import { runOk } from '../support/tools';
import { fs, mbrDisk } from '../vm/disks';
import { publicKey, writeText } from '../vm/first-boot-support';

interface Shape {
  items: Array<{ rasd: string[]; after: string[] }>;
  booleans: string[];
  systemChildren: string[];
  files: string[];
  diskFileRefs: string[];
  diskIds: string[];
  hostResources: string[];
  transport: string | null;
  propertyKeys: string[];
  propertyTypes: string[];
}

function shapeOf(ovf: string): Shape {
  const script = `
import json, sys, xml.etree.ElementTree as ET
O = '{http://schemas.dmtf.org/ovf/envelope/1}'
RASD = '{http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData}'
local = lambda tag: tag.split('}')[1]
root = ET.parse(sys.argv[1]).getroot()
vs = root.find(O + 'VirtualSystem')
hw = vs.find(O + 'VirtualHardwareSection')
items = []
for item in hw.findall(O + 'Item'):
    tags = [c.tag for c in item]
    n = sum(1 for t in tags if t.startswith(RASD))
    items.append({'rasd': [local(t) for t in tags[:n]], 'after': [t for t in tags[n:]]})
booleans = [v for e in root.iter() for k, v in e.attrib.items() if k in (O + 'required', O + 'userConfigurable')]
props = vs.findall(O + 'ProductSection/' + O + 'Property')
print(json.dumps({
  'items': items,
  'booleans': booleans,
  'systemChildren': [local(c.tag) for c in vs],
  'files': [f.get(O + 'id') for f in root.find(O + 'References')],
  'diskFileRefs': [d.get(O + 'fileRef') for d in root.find(O + 'DiskSection').findall(O + 'Disk')],
  'diskIds': [d.get(O + 'diskId') for d in root.find(O + 'DiskSection').findall(O + 'Disk')],
  'hostResources': [e.text for e in hw.iter(RASD + 'HostResource')],
  'transport': hw.get(O + 'transport'),
  'propertyKeys': [p.get(O + 'key') for p in props],
  'propertyTypes': [p.get(O + 'type') for p in props],
}))
`;
  return JSON.parse(runOk('python3', ['-c', script, ovf]).stdout) as Shape;
}

describe('the OVF envelope, as the schema and ESXi read it', () => {
  for (const controller of ['sata', 'pvscsi', 'ide'] as const) {
    it(`${controller}, two disks, cloud-init first boot`, async (t) => {
      const dir = tempDir(t);
      const boot = join(dir, 'noble.img');
      writeFileSync(boot, mbrDisk(8, [{ type: 0x83, startMiB: 1, sizeMiB: 6, content: [fs.ext(4, 'cloudimg-rootfs')] }]));
      const data = join(dir, 'data.img');
      runOk('qemu-img', ['create', '-q', '-f', 'raw', data, '4M']);
      const ova = join(dir, 'vm.ova');
      const r = await ferry(['ova', boot, data, ova, '--name', 'vm', '--controller', controller, '--ssh-key', writeText(dir, 'k.pub', publicKey()), '--hostname', 'h1', '--json']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const x = tempDir(t);
      runOk('tar', ['-xf', ova, '-C', x]);
      const s = shapeOf(join(x, 'vm.ovf'));
      for (const item of s.items) {
        assert.deepEqual(item.rasd, [...item.rasd].sort(), 'rasd elements in the CIM schema\'s sequence');
        assert.ok(item.after.every((tag) => tag.startsWith('{http://www.vmware.com/schema/ovf}')), 'only vmw extensions after the rasd elements');
      }
      assert.ok(s.booleans.length > 0 && s.booleans.every((b) => b === 'true' || b === 'false'), `xs:boolean values: ${s.booleans.join(', ')}`);
      assert.deepEqual(s.systemChildren.slice(0, 2), ['Info', 'Name']);
      assert.equal(new Set(s.files).size, s.files.length);
      assert.ok(s.diskFileRefs.every((f) => s.files.includes(f)), 'every disk names a file in References');
      assert.deepEqual(s.hostResources, s.diskIds.map((id) => `ovf:/disk/${id}`), 'every disk attached once, in order');
      assert.equal(s.transport, 'com.vmware.guestInfo');
      assert.equal(new Set(s.propertyKeys.map((k) => k.toLowerCase())).size, s.propertyKeys.length, 'property keys unique');
      assert.ok(s.propertyTypes.every((type) => type === 'string'));
      assert.ok(s.propertyKeys.includes('guestinfo.userdata') && s.propertyKeys.includes('user-data'));
    });
  }
});
