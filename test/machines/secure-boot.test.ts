// A machine configuration's UEFI Secure Boot is carried into the VM: `uefi.secureBoot.enabled` in
// the .vmx and the OVF, where the firmware and the hardware version have it; otherwise a warning.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { ferry } from '../support/cli';
import { tempDir } from '../support/tmp';
import { runOk } from '../support/tools';
import { hyperVXml, vmxFile } from './fixtures';

/** A Hyper-V Generation 2 export whose one disk is a small VHDX; `secureBoot` as its configuration states it. */
function gen2Export(t: TestContext, secureBoot: boolean | undefined): { dir: string; vm: string } {
  const dir = tempDir(t);
  const vm = join(dir, 'Gen2');
  mkdirSync(join(vm, 'Virtual Machines'), { recursive: true });
  mkdirSync(join(vm, 'Virtual Hard Disks'));
  runOk('qemu-img', ['create', '-q', '-f', 'vhdx', join(vm, 'Virtual Hard Disks', 'os.vhdx'), '16M']);
  const xml = hyperVXml({ name: 'Gen2', memoryMB: 1024, cpus: 1, generation: 2, ...(secureBoot !== undefined ? { secureBoot } : {}), disks: [{ bus: 'scsi', controller: 0, drive: 0, path: 'C:\\VMs\\os.vhdx' }] });
  writeFileSync(join(vm, 'Virtual Machines', 'A1.xml'), xml);
  mkdirSync(join(dir, 'out'));
  return { dir, vm };
}

const resultOf = (json: unknown[]) => json.find((e) => (e as { type: string }).type === 'result') as { warnings: string[] };

describe('UEFI Secure Boot from a machine configuration', () => {
  it('a Generation 2 machine with Secure Boot on: the .vmx turns it on', async (t) => {
    const { dir, vm } = gen2Export(t, true);
    const r = await ferry(['vm', vm, join(dir, 'out'), '--json', '--no-verify']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const vmx = readFileSync(join(dir, 'out', 'Gen2', 'Gen2.vmx'), 'utf8');
    assert.match(vmx, /^firmware = "efi"$/m);
    assert.match(vmx, /^uefi\.secureBoot\.enabled = "TRUE"$/m);
  });

  it('with Secure Boot off, or not stated, nothing is written', async (t) => {
    for (const secureBoot of [false, undefined]) {
      const { dir, vm } = gen2Export(t, secureBoot);
      const r = await ferry(['vm', vm, join(dir, 'out'), '--no-verify']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.doesNotMatch(readFileSync(join(dir, 'out', 'Gen2', 'Gen2.vmx'), 'utf8'), /secureBoot/);
    }
  });

  it('a hardware version without Secure Boot, or BIOS firmware, leaves it off and says so', async (t) => {
    const low = gen2Export(t, true);
    const r = await ferry(['vm', low.vm, join(low.dir, 'out'), '--hw-version', '13', '--json', '--no-verify']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.doesNotMatch(readFileSync(join(low.dir, 'out', 'Gen2', 'Gen2.vmx'), 'utf8'), /secureBoot/);
    assert.ok(resultOf(r.json).warnings.some((w) => /hardware version 13 has none \(it came with 14\)/.test(w)), JSON.stringify(resultOf(r.json).warnings));
    const bios = gen2Export(t, true);
    const b = await ferry(['vm', bios.vm, join(bios.dir, 'out'), '--firmware', 'bios', '--json', '--no-verify']);
    assert.equal(b.code, 0, b.stderr + b.stdout);
    assert.doesNotMatch(readFileSync(join(bios.dir, 'out', 'Gen2', 'Gen2.vmx'), 'utf8'), /secureBoot/);
    assert.ok(resultOf(b.json).warnings.some((w) => /boots with BIOS, which has none/.test(w)), JSON.stringify(resultOf(b.json).warnings));
  });

  it('an OVA carries it as a vmw:Config, as VMware\'s own exports do', async (t) => {
    const { dir, vm } = gen2Export(t, true);
    const ova = join(dir, 'out', 'Gen2.ova');
    const r = await ferry(['ova', vm, ova, '--no-verify']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const ovf = runOk('tar', ['-xOf', ova, 'Gen2.ovf']).stdout;
    assert.match(ovf, /<vmw:Config ovf:required="false" vmw:key="uefi\.secureBoot\.enabled" vmw:value="true"\/>/);
  });

  it('a Workstation .vmx with Secure Boot on keeps it', async (t) => {
    const dir = tempDir(t);
    const src = join(dir, 'Win');
    mkdirSync(src);
    runOk('qemu-img', ['create', '-q', '-f', 'vmdk', join(src, 'Win.vmdk'), '16M']);
    writeFileSync(join(src, 'Win.vmx'), vmxFile({ displayName: 'Win', memsize: 2048, numvcpus: 2, guestOS: 'windows9-64', firmware: 'efi', extra: ['uefi.secureBoot.enabled = "TRUE"', 'sata0.present = "TRUE"', 'sata0:0.present = "TRUE"', 'sata0:0.fileName = "Win.vmdk"'] }));
    mkdirSync(join(dir, 'out'));
    const r = await ferry(['vm', src, join(dir, 'out'), '--name', 'Copy', '--no-verify']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(readFileSync(join(dir, 'out', 'Copy', 'Copy.vmx'), 'utf8'), /^uefi\.secureBoot\.enabled = "TRUE"$/m);
  });
});
