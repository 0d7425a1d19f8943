// `ferry inspect` of machine configurations and folders, as a user runs it.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ferry } from '../support/cli';
import { tempDir } from '../support/tmp';
import { runOk } from '../support/tools';
import { hyperVXml, vmcFile } from './fixtures';

describe('ferry inspect <machine>', () => {
  it('a Hyper-V export folder: the boot disk as today, plus the machine (--json) or its description (text)', async (t) => {
    const root = join(tempDir(t), 'Web 01');
    mkdirSync(join(root, 'Virtual Machines'), { recursive: true });
    mkdirSync(join(root, 'Virtual Hard Disks'));
    runOk('qemu-img', ['create', '-q', '-f', 'vhdx', join(root, 'Virtual Hard Disks', 'os.vhdx'), '64M']);
    writeFileSync(
      join(root, 'Virtual Machines', 'A1B2.xml'),
      hyperVXml({ name: 'Web 01', memoryMB: 3072, cpus: 2, generation: 2, secureBoot: true, disks: [{ bus: 'scsi', controller: 0, drive: 0, path: 'C:\\Hyper-V\\Web 01\\os.vhdx' }] }),
    );
    const r = await ferry(['inspect', root, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { path: string; format: string; virtualSize: number; machine: { name: string; memoryMB: number; firmware: string; disks: Array<{ found: { how: string } }> } };
    assert.equal(info.format, 'vhdx');
    assert.equal(info.path, join(root, 'Virtual Hard Disks', 'os.vhdx'));
    assert.equal(info.virtualSize, 64 * 1024 * 1024);
    assert.equal(info.machine.name, 'Web 01');
    assert.equal(info.machine.memoryMB, 3072);
    assert.equal(info.machine.firmware, 'efi');
    assert.equal(info.machine.disks[0]!.found.how, 'beside');
    const text = await ferry(['inspect', root]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Machine Web 01/);
    assert.match(text.stdout, /3072 MB, 2 CPU\(s\), generation 2, EFI, secure boot on/);
    assert.match(text.stdout, /found beside the configuration/);
    assert.match(text.stdout, /Format\s+VHDX/);
  });

  it('a .vmc whose disk lies outside its folder: exit 2 naming the path, unless --allow-outside-disks', async (t) => {
    const dir = tempDir(t);
    mkdirSync(join(dir, 'vm'));
    const disk = join(dir, 'shared.vhd');
    runOk('qemu-img', ['create', '-q', '-f', 'vpc', disk, '16M']);
    const vmc = join(dir, 'vm', 'XP.vmc');
    writeFileSync(vmc, vmcFile({ ramMB: 384, ide: [{ controller: 0, location: 0, absolute: disk, relative: '..\\shared.vhd' }] }));
    const refused = await ferry(['inspect', vmc]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, new RegExp(`${disk.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*outside`));
    assert.match(refused.stderr, /--allow-outside-disks/);
    const allowed = await ferry(['inspect', vmc, '--allow-outside-disks', '--json']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal((JSON.parse(allowed.stdout) as { machine: { memoryMB: number } }).machine.memoryMB, 384);
  });

  it('a folder holding no machine is still an error (exit 2)', async (t) => {
    const r = await ferry(['inspect', tempDir(t)]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is a folder/);
  });
});
