// Where a machine's disks are found: beside the configuration by file name first, then at the
// stated path; a disk outside the configuration's tree only when confirmed.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FerryError } from '../../worker/engine/errors';
import { locateDisks, requireDisks } from '../../worker/engine/machines/disk-lookup';
import { loadMachine } from '../../worker/engine/machines/load';
import { tempDir } from '../support/tmp';
import { hyperVXml, vmcFile, vmxFile } from './fixtures';
import { words } from '../support/notices';

function ferryError(code: string, pattern: RegExp) {
  return (e: unknown) => e instanceof FerryError && e.code === code && pattern.test(e.message);
}

/** A Hyper-V export folder: `<root>/<name>/Virtual Machines/<GUID>.xml` and `Virtual Hard Disks/`. */
function hyperVExport(dir: string, disks: string[]): string {
  const root = join(dir, 'Web 01');
  mkdirSync(join(root, 'Virtual Machines'), { recursive: true });
  mkdirSync(join(root, 'Virtual Hard Disks'), { recursive: true });
  mkdirSync(join(root, 'Snapshots'), { recursive: true });
  writeFileSync(
    join(root, 'Virtual Machines', '6C2F0D6B-8D6F-4C2B-9E64-2F1C0D9A1B2C.xml'),
    hyperVXml({ name: 'Web 01', memoryMB: 2048, cpus: 2, generation: 2, disks: disks.map((path, i) => ({ bus: 'scsi' as const, controller: 0, drive: i, path })) }),
  );
  return root;
}

describe('disk lookup', () => {
  it('a Hyper-V export folder: the old host\'s C:\\ paths are found in "Virtual Hard Disks" by file name', async (t) => {
    const root = hyperVExport(tempDir(t), ['C:\\ProgramData\\Hyper-V\\Web 01\\os.vhdx', 'C:\\Data\\data.vhdx']);
    writeFileSync(join(root, 'Virtual Hard Disks', 'os.vhdx'), 'x');
    writeFileSync(join(root, 'Virtual Hard Disks', 'data.vhdx'), 'x');
    const m = await locateDisks(await loadMachine(root));
    assert.equal(m.kind, 'hyperv-xml');
    assert.equal(m.tree, root);
    assert.deepEqual(m.disks.map((d) => d.found), [
      { path: join(root, 'Virtual Hard Disks', 'os.vhdx'), how: 'beside', outside: false },
      { path: join(root, 'Virtual Hard Disks', 'data.vhdx'), how: 'beside', outside: false },
    ]);
    assert.deepEqual(requireDisks(m, false), [join(root, 'Virtual Hard Disks', 'os.vhdx'), join(root, 'Virtual Hard Disks', 'data.vhdx')]);
    // The configuration file itself, given directly, has the export root as its tree too.
    const direct = await loadMachine(join(root, 'Virtual Machines', '6C2F0D6B-8D6F-4C2B-9E64-2F1C0D9A1B2C.xml'));
    assert.equal(direct.tree, root);
  });

  it('a Hyper-V export lists its checkpoints by their names, from Snapshots/', async (t) => {
    const root = hyperVExport(tempDir(t), ['C:\\VMs\\os_1234.avhdx']);
    writeFileSync(join(root, 'Snapshots', 'AAAA-1.xml'), hyperVXml({ name: 'Web 01 - (12/1/2026 - 10:00:00 PM)', memoryMB: 2048, cpus: 2, generation: 2, disks: [] }));
    writeFileSync(join(root, 'Snapshots', 'BBBB-2.xml'), 'not xml at all');
    const m = await loadMachine(root);
    assert.deepEqual(m.snapshots, [
      { id: 'AAAA-1', name: 'Web 01 - (12/1/2026 - 10:00:00 PM)', file: join('Snapshots', 'AAAA-1.xml') },
      { id: 'BBBB-2', name: '(checkpoint BBBB-2.xml)', file: join('Snapshots', 'BBBB-2.xml') },
    ]);
    assert.match(words(m.warnings).join(' '), /Snapshots\/BBBB-2\.xml cannot be read.*2 checkpoint\(s\)/);
  });

  it('a missing disk is an error naming every place looked', async (t) => {
    const root = hyperVExport(tempDir(t), ['C:\\VMs\\gone.vhdx']);
    const m = await locateDisks(await loadMachine(root));
    assert.throws(() => requireDisks(m, false), ferryError('E_NOT_FOUND', /"C:\\VMs\\gone\.vhdx".*not found.*Virtual Hard Disks\/gone\.vhdx/));
  });

  it('a .vmc: the relative path first; a stated absolute path outside the folder needs confirmation', async (t) => {
    const dir = tempDir(t);
    const vm = join(dir, 'XP');
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(vm);
    mkdirSync(elsewhere);
    writeFileSync(join(vm, 'XP.vhd'), 'x');
    writeFileSync(join(elsewhere, 'other.vhd'), 'x');
    writeFileSync(
      join(vm, 'XP.vmc'),
      vmcFile({
        ramMB: 256,
        ide: [
          { controller: 0, location: 0, absolute: 'C:\\Users\\jo\\XP\\XP.vhd', relative: '.\\XP.vhd' },
          { controller: 0, location: 1, absolute: join(elsewhere, 'other.vhd'), relative: '' },
        ],
      }),
    );
    const m = await locateDisks(await loadMachine(join(vm, 'XP.vmc')));
    assert.deepEqual(m.disks[0]!.found, { path: join(vm, 'XP.vhd'), how: 'beside', outside: false });
    assert.deepEqual(m.disks[1]!.found, { path: join(elsewhere, 'other.vhd'), how: 'stated', outside: true });
    assert.throws(() => requireDisks(m, false), ferryError('E_UNSUPPORTED', /other\.vhd.*outside the machine's folder/));
    assert.equal(requireDisks(m, true).length, 2);
  });

  it('a relative path that climbs out, or a link beside that points out, is outside the tree', async (t) => {
    const dir = tempDir(t);
    const vm = join(dir, 'vm');
    mkdirSync(vm);
    writeFileSync(join(dir, 'secret.vmdk'), 'x');
    symlinkSync(join(dir, 'secret.vmdk'), join(vm, 'linked.vmdk'));
    writeFileSync(
      join(vm, 'box.vmx'),
      vmxFile({ displayName: 'box', memsize: 1024, numvcpus: 1, guestOS: 'other', extra: ['scsi0.present = "TRUE"', 'scsi0:0.present = "TRUE"', 'scsi0:0.fileName = "../secret.vmdk"', 'scsi0:1.present = "TRUE"', 'scsi0:1.fileName = "linked.vmdk"'] }),
    );
    const m = await locateDisks(await loadMachine(vm));
    assert.equal(m.kind, 'vmx');
    assert.deepEqual(m.disks.map((d) => d.found?.outside), [true, true]);
    assert.throws(() => requireDisks(m, false), ferryError('E_UNSUPPORTED', /--allow-outside-disks|outside/));
  });

  it('a folder with no machine stays "is a folder" (exit 2); two configurations are ambiguous', async (t) => {
    const dir = tempDir(t);
    await assert.rejects(loadMachine(dir), ferryError('E_NOT_A_DISK', /is a folder/));
    writeFileSync(join(dir, 'a.vmx'), vmxFile({ displayName: 'a', memsize: 1, numvcpus: 1, guestOS: 'other' }));
    writeFileSync(join(dir, 'b.vmx'), vmxFile({ displayName: 'b', memsize: 1, numvcpus: 1, guestOS: 'other' }));
    await assert.rejects(loadMachine(dir), ferryError('E_UNSUPPORTED', /2 machine configurations/));
  });
});
