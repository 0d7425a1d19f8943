// Layouts seen in configurations real hypervisors wrote (the public test files of fox-it's
// dissect.target and dissect.hypervisor), rebuilt here from generated data: each case once read
// wrong. No fetched file is used.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FerryError } from '../../worker/engine/errors';
import { loadMachine } from '../../worker/engine/machines/load';
import { describeHyperV } from '../../worker/engine/machines/hyperv-tree';
import { hyperVTreeFromXml } from '../../worker/engine/machines/hyperv-xml';
import { readVmcx } from '../../worker/engine/machines/vmcx';
import { openSource } from '../../worker/engine/sources/open';
import { parseXml, type XmlElement } from '../../worker/engine/machines/xml';
import { writeVmcx, type VmcxValue } from './vmcx-writer';

const SCSI_TYPE = 'd422512d-2bf2-4752-809d-7b82b5fcb1b4';
const IDE_TYPE = '83f8638b-8dca-4152-9eda-2ca8b33039b4';

function drive(path: string, type = 'VHD'): Record<string, VmcxValue> {
  return { iops_limit: 0, pathname: path, type };
}

describe('Hyper-V: controllers filed under their instance GUID', () => {
  it('.vmcx generation 2: the SCSI controller is `_<instance>_`, named by manifest/vdevNNN', () => {
    const file = writeVmcx({
      configuration: {
        manifest: {
          size: 2,
          vdev001: { device: '58f75a6d-d949-4320-99e1-a2a2576d581c', instance: '58f75a6d-d949-4320-99e1-a2a2576d581c', name: 'Microsoft Synthetic Mouse' },
          vdev002: { device: SCSI_TYPE, instance: 'dbcf5442-5b2e-4471-9b01-8aa4c5d0d011', name: 'Synthetic SCSI Controller' },
        },
        properties: { name: 'Default Generation 2', subtype: 1, version: 2304 },
        settings: { memory: { bank: { size: 1024 } }, processors: { count: 1 } },
        '_dbcf5442-5b2e-4471-9b01-8aa4c5d0d011_': { vdevversion: 512, controller0: { drive0: drive('C:\\Disks\\Default Generation 2.vhdx') } },
      },
    });
    const m = describeHyperV(readVmcx(file).root, 'hyperv-vmcx', 'GUID');
    if (typeof m === 'string') assert.fail(m);
    assert.deepEqual(m.disks, [{ bus: 'scsi', controller: 0, unit: 0, path: 'C:\\Disks\\Default Generation 2.vhdx' }]);
  });

  it('XML: the manifest spells the instance in upper case, the node in lower case; two SCSI controllers are 0 and 1', () => {
    const text = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<configuration>
  <_3afc77d9-23ab-4c97-be1c-f47a18ce3b4a_>
    <VDEVVersion type="integer">256</VDEVVersion>
    <controller0>
      <drive0><pathname type="string">C:\\Disks\\os.vhdx</pathname><type type="string">VHD</type></drive0>
    </controller0>
  </_3afc77d9-23ab-4c97-be1c-f47a18ce3b4a_>
  <_${IDE_TYPE}_>
    <controller0>
      <drive0><pathname type="string">C:\\iso\\setup.iso</pathname><type type="string">ISO</type></drive0>
    </controller0>
  </_${IDE_TYPE}_>
  <_aa4b08d9-e0f7-4add-b08c-3259ac8bd05d_>
    <controller0>
      <drive0><pathname type="string">C:\\Disks\\data.vhdx</pathname><type type="string">VHD</type></drive0>
    </controller0>
  </_aa4b08d9-e0f7-4add-b08c-3259ac8bd05d_>
  <manifest>
    <size type="integer">3</size>
    <vdev013><device type="string">${SCSI_TYPE}</device><instance type="string">AA4B08D9-E0F7-4ADD-B08C-3259AC8BD05D</instance></vdev013>
    <vdev012><device type="string">${SCSI_TYPE}</device><instance type="string">3AFC77D9-23AB-4C97-BE1C-F47A18CE3B4A</instance></vdev012>
    <vdev002><device type="string">${IDE_TYPE.toUpperCase()}</device><instance type="string">${IDE_TYPE.toUpperCase()}</instance></vdev002>
  </manifest>
  <properties><name type="string">Two controllers</name><subtype type="integer">1</subtype></properties>
  <settings><memory><bank><size type="integer">512</size></bank></memory></settings>
</configuration>
`;
    const root = parseXml(text);
    assert.equal(typeof root, 'object', String(root));
    const m = describeHyperV(hyperVTreeFromXml(root as XmlElement), 'hyperv-xml', 'GUID');
    if (typeof m === 'string') assert.fail(m);
    assert.deepEqual(
      m.disks.map((d) => `${d.bus}${d.controller}:${d.unit} ${d.path}`),
      ['scsi0:0 C:\\Disks\\os.vhdx', 'scsi1:0 C:\\Disks\\data.vhdx'],
    );
  });
});

describe("Hyper-V: a host's data.vmcx", () => {
  it('is named for what it is (the list of the host’s VMs), with the configurations it names', () => {
    const file = writeVmcx({
      configurations: {
        formatversion: 2,
        virtualmachines: { '_ec04f346-db96-4700-af5b-77b3c56c38bd_': 'C:\\Hyper-V\\Web\\Virtual Machines\\EC04F346-DB96-4700-AF5B-77B3C56C38BD.vmcx' },
      },
    });
    const m = describeHyperV(readVmcx(file).root, 'hyperv-vmcx', 'data');
    assert.equal(typeof m, 'string');
    assert.match(String(m), /list of its virtual machines \(data\.vmcx\)/);
    assert.match(String(m), /Web\\Virtual Machines\\EC04F346-DB96-4700-AF5B-77B3C56C38BD\.vmcx/);
  });
});

describe('VMware: a Workstation-encrypted VM', () => {
  it('is unsupported with the way out (remove the encryption), not a damaged file', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-encrypted-vmx-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const vmx = join(dir, 'Encrypted VM.vmx');
    // What Workstation leaves in the clear: the name, the key safe, the sealed settings.
    writeFileSync(vmx, ['.encoding = "UTF-8"', 'displayName = "Encrypted VM"', 'encryption.keySafe = "vmware:key/list/(pair/(phrase/abc/pass2key%3dPBKDF2))"', 'encryption.data = "Ynv+XzAuYX3B"', ''].join('\n'));
    await assert.rejects(loadMachine(vmx), (e: unknown) => {
      assert.ok(e instanceof FerryError);
      assert.equal(e.code, 'E_UNSUPPORTED');
      assert.match(e.message, /encrypted by VMware Workstation/);
      assert.match(e.hint ?? '', /Remove Encryption/);
      return true;
    });
  });
});

describe('VMware: text in the host code page (.encoding = "GBK", as Workstation on a Chinese Windows writes it)', () => {
  const gbk = (text: string) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: text });

  it('a .vmx and its .vmsd are read in the code page they name', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-gbk-vmx-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const vmx = join(dir, 'Windows 10 x64.vmx');
    writeFileSync(vmx, gbk(['.encoding = "GBK"', 'config.version = "8"', 'virtualHW.version = "19"', 'displayName = "测试机"', 'guestOS = "windows9-64"', 'memsize = "2048"', 'scsi0.present = "TRUE"', 'scsi0.virtualDev = "lsisas1068"', 'scsi0:0.present = "TRUE"', 'scsi0:0.fileName = "虚拟磁盘.vmdk"', ''].join('\r\n')));
    writeFileSync(join(dir, 'Windows 10 x64.vmsd'), gbk(['.encoding = "GBK"', 'snapshot.lastUID = "1"', 'snapshot.current = "1"', 'snapshot0.uid = "1"', 'snapshot0.filename = "Windows 10 x64-Snapshot1.vmsn"', 'snapshot0.displayName = "安装完成"', 'snapshot0.numDisks = "1"', 'snapshot0.disk0.fileName = "虚拟磁盘.vmdk"', 'snapshot.numSnapshots = "1"', ''].join('\r\n')));
    const m = await loadMachine(vmx);
    assert.equal(m.name, '测试机');
    assert.deepEqual(m.disks.map((d) => d.path), ['虚拟磁盘.vmdk']);
    assert.deepEqual(m.snapshots.map((s) => s.name), ['安装完成']);
  });

  it('a VMDK descriptor with encoding="GBK" finds its extent by its Chinese name', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-gbk-vmdk-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const made = join(dir, 'made.vmdk');
    execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', made, '1M']);
    renameSync(join(dir, 'made-flat.vmdk'), join(dir, '虚拟磁盘-flat.vmdk'));
    const text = readFileSync(made, 'utf8').replace(/\0+$/, '').replace(/^version=1$/m, 'version=1\nencoding="GBK"').replace('"made-flat.vmdk"', '"虚拟磁盘-flat.vmdk"');
    assert.match(text, /encoding="GBK"/);
    writeFileSync(join(dir, '虚拟磁盘.vmdk'), gbk(text));
    const source = await openSource(join(dir, '虚拟磁盘.vmdk'));
    assert.equal(source.size, 1024 * 1024);
    await source.close();
  });
});
