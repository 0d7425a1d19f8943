// The test writer is itself checked against readers nobody here wrote: libvhdi (vhdiinfo) for the
// footer and headers, qemu-img for the block layout. If the writer lied, every oracle test built
// on it would prove nothing.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rawOf } from '../support/oracle';
import { tempDir } from '../support/tmp';
import { libyalField, mediaSize, qemuCompare, qemuInfo, run, vhdiinfo } from '../support/tools';
import {
  KiB,
  MiB,
  SECTOR,
  chsBytes,
  chsForSectors,
  pseudoRandom,
  uuidString,
  writeDifferencingVhd,
  writeDynamicVhd,
  writeFixedVhd,
  type Piece,
} from '../support/vhd-writer';

const SIZE = 5 * MiB + 3 * SECTOR;
const pieces: Piece[] = [
  { offset: 0, data: pseudoRandom(3 * SECTOR, 1) },
  { offset: 700 * KiB + 11, data: pseudoRandom(100 * KiB, 2) },
  { offset: SIZE - SECTOR, data: pseudoRandom(SECTOR, 3) },
];

describe('the test VHD writer, read by libvhdi and qemu', () => {
  const dir = tempDir({ after }, 'ferry-writer');
  const raw = rawOf({ size: SIZE, pieces }, join(dir, 'truth.raw'));

  it('fixed: vhdiinfo reads type, size and UUID; qemu-img reads the same bytes', () => {
    const path = join(dir, 'fixed.vhd');
    const w = writeFixedVhd(path, { size: SIZE, pieces });
    const r = vhdiinfo(path);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(libyalField(r.stdout, 'Disk type'), 'Fixed');
    assert.equal(mediaSize(r.stdout), SIZE);
    assert.equal(libyalField(r.stdout, 'Identifier'), uuidString(w.uuid));
    assert.equal(qemuInfo(path, 'vpc')['virtual-size'], SIZE);
    assert.equal(qemuCompare(raw, 'raw', path, 'vpc').code, 0);
  });

  for (const [blockSize, order] of [
    [512 * KiB, 'shuffled'],
    [2 * MiB, 'descending'],
    [32 * KiB, 'ascending'],
  ] as const) {
    it(`dynamic with ${blockSize / KiB} KiB blocks in ${order} order: vhdiinfo reads it; qemu-img reads the same bytes`, () => {
      const path = join(dir, `dyn-${blockSize}.vhd`);
      const w = writeDynamicVhd(path, { size: SIZE, pieces, blockSize, blockOrder: order, tableOffset: 4096 });
      const r = vhdiinfo(path);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(libyalField(r.stdout, 'Disk type'), 'Dynamic');
      assert.equal(mediaSize(r.stdout), SIZE);
      assert.equal(libyalField(r.stdout, 'Identifier'), uuidString(w.uuid));
      const q = qemuInfo(path, 'vpc');
      assert.equal(q['virtual-size'], SIZE);
      assert.equal(qemuCompare(raw, 'raw', path, 'vpc').code, 0);
    });
  }

  it('differencing: vhdiinfo reads the parent UUID and UTF-16BE parent name', () => {
    const parent = writeDynamicVhd(join(dir, 'parent é.vhd'), { size: SIZE, pieces });
    const path = join(dir, 'child.vhd');
    writeDifferencingVhd(path, { size: SIZE, parentUuid: parent.uuid, parentName: 'parent é.vhd', pieces: [{ offset: 0, data: pseudoRandom(SECTOR, 4) }] });
    const r = vhdiinfo(path);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(libyalField(r.stdout, 'Disk type'), 'Differential');
    assert.equal(libyalField(r.stdout, 'Parent identifier'), uuidString(parent.uuid));
    assert.equal(libyalField(r.stdout, 'Parent filename'), 'parent é.vhd');
  });

  it('differencing: qemu (which ignores parents and bitmaps) sees the child sectors, the fill elsewhere in the block, zeros in unallocated blocks', () => {
    const parent = writeDynamicVhd(join(dir, 'p2.vhd'), { size: SIZE, pieces });
    const path = join(dir, 'child2.vhd');
    const mine = pseudoRandom(2 * SECTOR, 5);
    writeDifferencingVhd(path, { size: SIZE, blockSize: 512 * KiB, parentUuid: parent.uuid, pieces: [{ offset: 4 * SECTOR, data: mine }], unsetFill: 0xee });
    writeFileSync(join(dir, 'mine.bin'), mine);
    const holds = (pattern: number, offset: number, length: number): boolean => {
      const r = run('qemu-io', ['-f', 'vpc', '-r', '-c', `read -q -P ${pattern} ${offset} ${length}`, path]);
      return !/verification failed/i.test(r.stdout + r.stderr);
    };
    assert.ok(holds(0xee, 0, 4 * SECTOR), 'unset sectors before the child data hold the fill');
    assert.ok(holds(0xee, 6 * SECTOR, 512 * KiB - 6 * SECTOR), 'unset sectors after it hold the fill');
    assert.ok(holds(0, 512 * KiB, SIZE - 512 * KiB), 'unallocated blocks read as zero');
    assert.ok(!holds(0xee, 4 * SECTOR, 2 * SECTOR), 'and the pattern check can fail');
    const cmp = run('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', join(dir, 'mine.bin'), `json:{"driver":"raw","offset":${4 * SECTOR},"size":${2 * SECTOR},"file":{"driver":"vpc","file":{"driver":"file","filename":"${path}"}}}`]);
    assert.equal(cmp.code, 0, cmp.stdout + cmp.stderr);
  });

  it('CHS sizing: qemu sizes a "vpc " disk by the geometry the writer computed', () => {
    const path = join(dir, 'vpc.vhd');
    const geometry = chsForSectors((4 * MiB) / SECTOR);
    writeDynamicVhd(path, { size: 4 * MiB, geometry, creatorApp: 'vpc ', pieces: [] });
    assert.equal(qemuInfo(path, 'vpc')['virtual-size'], chsBytes(geometry));
  });
});
