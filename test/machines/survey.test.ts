// The wizard's survey of a machine configuration: each disk found (and how), its size and format,
// a disk outside the machine's folder not opened until confirmed, a missing one with every place
// looked for, and the boot disk inspected only once every disk may be used.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { surveyMachine } from '../../worker/engine/machines/survey-machine';
import { tempDir } from '../support/tmp';
import { runOk } from '../support/tools';
import { vmcFile } from './fixtures';

function vhd(path: string): string {
  runOk('qemu-img', ['create', '-q', '-f', 'vpc', path, '16M']);
  return path;
}

function machineDir(t: { after(fn: () => void): void }) {
  const dir = tempDir(t);
  const vm = join(dir, 'XP');
  const elsewhere = join(dir, 'elsewhere');
  mkdirSync(vm);
  mkdirSync(elsewhere);
  vhd(join(vm, 'XP.vhd'));
  return { vm, elsewhere };
}

describe('the survey of a machine for the wizard', () => {
  it('lists every disk: beside with its format, outside with its size only (not opened), missing with where it was looked for', async (t) => {
    const { vm, elsewhere } = machineDir(t);
    // Not a disk at all: had the survey opened it, it would say so.
    writeFileSync(join(elsewhere, 'data.vhd'), 'not a disk');
    writeFileSync(
      join(vm, 'XP.vmc'),
      vmcFile({
        ramMB: 256,
        ide: [
          { controller: 0, location: 0, absolute: 'C:\\Users\\jo\\XP\\XP.vhd', relative: '.\\XP.vhd' },
          { controller: 0, location: 1, absolute: join(elsewhere, 'data.vhd') },
          { controller: 1, location: 0, absolute: 'D:\\VPC\\gone.vhd' },
        ],
      }),
    );
    const { machine, disk } = await surveyMachine(join(vm, 'XP.vmc'), { allowOutsideDisks: false });
    assert.equal(disk, undefined, 'no boot disk while the machine cannot be converted');
    const [boot, outside, missing] = machine.disks;
    assert.deepEqual(boot!.found, { path: join(vm, 'XP.vhd'), how: 'beside', outside: false });
    assert.equal(boot!.file?.format, 'vhd');
    assert.ok((boot!.file?.virtualSize ?? 0) >= 16 << 20);
    assert.deepEqual(outside!.found, { path: join(elsewhere, 'data.vhd'), how: 'stated', outside: true });
    assert.deepEqual(outside!.file, { fileSize: 'not a disk'.length }, 'only its size: nothing inside it was read');
    assert.equal(missing!.found, undefined);
    assert.ok(missing!.lookedFor?.includes(join(vm, 'gone.vhd')), `looked beside the configuration: ${missing!.lookedFor}`);
  });

  it('once confirmed, an outside disk is read; a broken one is named and keeps the machine from starting', async (t) => {
    const { vm, elsewhere } = machineDir(t);
    writeFileSync(join(elsewhere, 'data.vhd'), 'not a disk');
    writeFileSync(join(vm, 'XP.vmc'), vmcFile({ ramMB: 256, ide: [{ controller: 0, location: 0, absolute: 'C:\\XP.vhd', relative: '.\\XP.vhd' }, { controller: 0, location: 1, absolute: join(elsewhere, 'data.vhd') }] }));
    const { machine, disk } = await surveyMachine(join(vm, 'XP.vmc'), { allowOutsideDisks: true });
    assert.equal(disk, undefined);
    assert.match(machine.disks[1]!.file?.problem ?? '', /data\.vhd/);
  });

  it('every disk usable: the boot disk inspected, with the machine in it', async (t) => {
    const { vm, elsewhere } = machineDir(t);
    vhd(join(elsewhere, 'data.vhd'));
    writeFileSync(join(vm, 'XP.vmc'), vmcFile({ ramMB: 256, ide: [{ controller: 0, location: 0, absolute: 'C:\\XP.vhd', relative: '.\\XP.vhd' }, { controller: 0, location: 1, absolute: join(elsewhere, 'data.vhd') }] }));
    const unconfirmed = await surveyMachine(join(vm, 'XP.vmc'), { allowOutsideDisks: false });
    assert.equal(unconfirmed.disk, undefined, 'an outside disk waits for the confirmation');
    const { disk } = await surveyMachine(join(vm, 'XP.vmc'), { allowOutsideDisks: true });
    assert.equal(disk?.path, join(vm, 'XP.vhd'));
    assert.equal(disk?.machine?.disks.length, 2);
    assert.equal(disk?.machine?.disks[1]!.file?.format, 'vhd');
  });
});
