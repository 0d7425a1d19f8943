// The VHD CHS algorithm (specification appendix): hand-worked examples for each branch, agreement
// with the independent test implementation, and qemu-img's geometry as an outside anchor.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { geometryBytes, isMaxGeometry, vhdGeometryForSectors } from '../../worker/engine/formats/vhd/chs';
import { tempDir } from '../support/tmp';
import { qemuCreateVpc, qemuInfo } from '../support/tools';
import { GiB, MiB, chsForSectors } from '../support/vhd-writer';

describe('VHD CHS geometry', () => {
  it('divisions truncate (17 sectors per track): 100 MiB', () => {
    assert.deepEqual(vhdGeometryForSectors(204800), { cylinders: 1003, heads: 12, sectorsPerTrack: 17 });
    // qemu-img's "100M" is rounded up until C*H*S covers it: 1004*12*17 = 204816 sectors.
    assert.deepEqual(vhdGeometryForSectors(204816), { cylinders: 1004, heads: 12, sectorsPerTrack: 17 });
  });

  it('at least 4 heads, even for a tiny disk', () => {
    assert.deepEqual(vhdGeometryForSectors(1), { cylinders: 0, heads: 4, sectorsPerTrack: 17 });
    assert.deepEqual(vhdGeometryForSectors(2048), { cylinders: 30, heads: 4, sectorsPerTrack: 17 });
  });

  it('moves to 31 sectors per track when 16 heads of 17 no longer fit 1024 cylinders', () => {
    // 17*16*1024 sectors: cth = 16384 ≥ 16*1024 → 31 spt, 16 heads, 278528/31 = 8984 → 561 cylinders.
    assert.deepEqual(vhdGeometryForSectors(17 * 16 * 1024), { cylinders: 561, heads: 16, sectorsPerTrack: 31 });
    assert.deepEqual(vhdGeometryForSectors(17 * 16 * 1024 - 1), { cylinders: 1023, heads: 16, sectorsPerTrack: 17 });
  });

  it('moves to 63 sectors per track past 31*16*1024 sectors', () => {
    assert.deepEqual(vhdGeometryForSectors(31 * 16 * 1024), { cylinders: 503, heads: 16, sectorsPerTrack: 63 });
  });

  it('uses 255 sectors per track from 65535*16*63 sectors on', () => {
    assert.deepEqual(vhdGeometryForSectors(65535 * 16 * 63), { cylinders: 16191, heads: 16, sectorsPerTrack: 255 });
    assert.deepEqual(vhdGeometryForSectors(65535 * 16 * 63 - 1), { cylinders: 65534, heads: 16, sectorsPerTrack: 63 });
  });

  it('caps at 65535/16/255 and recognises the maximum', () => {
    const max = vhdGeometryForSectors(0xff000000);
    assert.deepEqual(max, { cylinders: 65535, heads: 16, sectorsPerTrack: 255 });
    assert.ok(isMaxGeometry(max));
    assert.ok(!isMaxGeometry(vhdGeometryForSectors(204800)));
    assert.equal(geometryBytes(max), 65535 * 16 * 255 * 512);
  });

  it('agrees with the independent test implementation across the whole range', () => {
    const samples = [1, 2, 17, 4095, 4096, 65535, 65536, 278527, 278528, 507903, 507904, 1e6, 66059279, 66059280, 267382800, 267382801, 0xff000000];
    for (let s = 3; s < 0xff000000; s = Math.floor(s * 1.37) + 11) samples.push(s);
    for (const s of samples) assert.deepEqual(vhdGeometryForSectors(s), chsForSectors(s), `${s} sectors`);
  });

  it('reproduces the geometry qemu-img writes for disks of many sizes', (t) => {
    const dir = tempDir(t);
    for (const size of [MiB + 512, 100 * MiB, GiB, 33 * GiB, 127 * GiB, 1000 * GiB]) {
      const path = join(dir, `${size}.vhd`);
      qemuCreateVpc(path, size, 'dynamic');
      const f = readFileSync(path).subarray(0, 512);
      const qemu = { cylinders: f.readUInt16BE(56), heads: f[58]!, sectorsPerTrack: f[59]! };
      // qemu grows the sector count until C*H*S covers the request, as the spec suggests.
      let g = vhdGeometryForSectors(size / 512);
      for (let extra = 1; geometryBytes(g) < size && !isMaxGeometry(g); extra++) g = vhdGeometryForSectors(Math.ceil(size / 512) + extra);
      assert.deepEqual(g, qemu, `${size} bytes`);
      if (!isMaxGeometry(g)) assert.equal(qemuInfo(path, 'vpc')['virtual-size'], geometryBytes(g));
    }
  });
});
