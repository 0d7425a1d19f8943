import assert from 'node:assert/strict';
import { test } from 'node:test';
import { vhdGeometryForSectors } from '../../worker/engine/sources/vhd/chs';

test('CHS geometry follows the VHD specification (divisions truncate)', () => {
  assert.deepEqual(vhdGeometryForSectors(204800), { cylinders: 1003, heads: 12, sectorsPerTrack: 17 });
  // qemu-img's "100M" disk is rounded up until C*H*S covers it: 1004*12*17 = 204816 sectors.
  assert.deepEqual(vhdGeometryForSectors(204816), { cylinders: 1004, heads: 12, sectorsPerTrack: 17 });
});
