// Every controller a VM folder can use must boot the disk: the .vmx is read back to find the
// disk and its controller, and that disk boots under qemu on the matching emulated device.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { Controller, Subformat } from '../../shared/options';
import { createVm } from '../../worker/engine/jobs/vm';
import { qemuInfo } from '../support/tools';
import { tempDir } from '../support/tmp';
import { DEBUG_EXIT_STATUS, bootableRaw, writeVhd } from './disks';
import { bootUnderQemu, readDescriptor, readVmx, vmxDisk } from './vm-folder';

const MiB = 2 ** 20;
/** Each controller also exercises a different disk layout inside the folder. */
const CASES: Array<[Controller, Exclude<Subformat, 'streamOptimized'>]> = [
  ['ide', 'monolithicSparse'],
  ['lsilogic', 'monolithicFlat'],
  ['lsisas1068', 'twoGbMaxExtentSparse'],
  ['pvscsi', 'twoGbMaxExtentFlat'],
  ['sata', 'monolithicSparse'],
  ['nvme', 'monolithicSparse'],
];

describe('ferry vm boots on every controller (qemu, SeaBIOS)', () => {
  const dir = tempDir({ after }, 'ferry-vm-boot');
  const marker = `FERRY-BOOT-${randomBytes(4).toString('hex')}`;
  const vhd = writeVhd(dir, 'boot.vhd', bootableRaw(6 * MiB, marker), 'dynamic');
  const virtualSize = qemuInfo(vhd, 'vpc')['virtual-size'];

  for (const [controller, subformat] of CASES) {
    test(`${controller} (${subformat})`, async () => {
      const r = await createVm(
        { kind: 'vm', source: vhd, destDir: dir, name: `boot-${controller}`, subformat, controller, zeroCopy: false, verify: true, overwrite: false },
        {},
      );
      const vmx = readVmx(r.vmx!);
      const disk = vmxDisk(vmx);
      assert.equal(disk.controller, controller);
      assert.equal(vmx.get('firmware'), 'bios');

      // The descriptor agrees with the .vmx: adapter type, hardware version, size, layout.
      const descriptor = readDescriptor(`${r.folder}/${disk.fileName}`);
      assert.equal(descriptor.createType, subformat);
      assert.equal(descriptor.ddb.get('ddb.adapterType'), controller === 'ide' || controller === 'sata' ? 'ide' : 'lsilogic');
      assert.equal(descriptor.ddb.get('ddb.virtualHWVersion'), vmx.get('virtualhw.version'));
      assert.equal(descriptor.extents.reduce((n, e) => n + e.sectors, 0) * 512, virtualSize);

      const boot = await bootUnderQemu(controller, `${r.folder}/${disk.fileName}`, marker);
      assert.ok(boot.sawMarker, `no boot marker on ${controller}${boot.timedOut ? ' (timed out)' : ''}:\n${boot.output.slice(-2000)}`);
      assert.equal(boot.exitCode, DEBUG_EXIT_STATUS);
    });
  }

  test('control: a disk without the boot sector does not print the marker', async () => {
    const blank = writeVhd(dir, 'blank.vhd', randomBytes(2 * MiB), 'dynamic');
    const r = await createVm({ kind: 'vm', source: blank, destDir: dir, subformat: 'monolithicSparse', zeroCopy: false, verify: false, overwrite: false }, {});
    const boot = await bootUnderQemu('ide', `${r.folder}/${vmxDisk(readVmx(r.vmx!)).fileName}`, marker);
    assert.equal(boot.sawMarker, false);
    assert.notEqual(boot.exitCode, DEBUG_EXIT_STATUS);
    assert.equal(boot.timedOut, false);
  });
});
