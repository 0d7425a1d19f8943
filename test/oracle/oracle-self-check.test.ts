// "A test that cannot fail is a defect": the oracle check used by every conversion test must
// reject outputs that are wrong in each way it claims to catch.
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Subformat } from '../../shared/options';
import { assertOutputHoldsTruth, convertTo, rawOf, type Truth } from '../support/oracle';
import { tempDir } from '../support/tmp';
import { KiB, MiB, pseudoRandom, writeDynamicVhd } from '../support/vhd-writer';
import { readSparseHeader, SECTOR } from '../support/vmdk-inspect';

const truth: Truth = {
  size: 3 * MiB,
  pieces: [
    { offset: 0, data: pseudoRandom(200 * KiB, 1) },
    { offset: 2 * MiB, data: pseudoRandom(64 * KiB, 2) },
  ],
};

function flipByte(path: string, offset: number): void {
  const fd = openSync(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    const { size } = statSync(path);
    if (offset >= size) throw new Error('offset beyond file');
    b[0] = readFileSync(path).subarray(offset, offset + 1)[0]! ^ 0x01;
    writeSync(fd, b, 0, 1, offset);
  } finally {
    closeSync(fd);
  }
}

describe('the oracle check rejects damaged outputs', () => {
  const dir = tempDir({ after }, 'ferry-selfcheck');
  let source: string | undefined;
  let raw = '';

  async function fresh(t: { after(fn: () => void): void }, subformat: Subformat): Promise<{ out: string; check: () => void }> {
    if (!source) {
      source = join(dir, 'src.vhd');
      writeDynamicVhd(source, { size: truth.size, pieces: truth.pieces, blockSize: 512 * KiB });
      raw = rawOf(truth, join(dir, 'truth.raw'));
    }
    const out = tempDir(t);
    await convertTo(source, join(out, 'disk.vmdk'), subformat);
    assertOutputHoldsTruth({ dir: out, name: 'disk.vmdk', subformat, truth, raw }); // sound before damage
    return { out, check: () => assertOutputHoldsTruth({ dir: out, name: 'disk.vmdk', subformat, truth, raw }) };
  }

  it('one flipped data byte in a flat extent', async (t) => {
    const { out, check } = await fresh(t, 'monolithicFlat');
    flipByte(join(out, 'disk-flat.vmdk'), 2 * MiB + 100);
    assert.throws(check, /compare/);
  });

  it('one flipped data byte in a sparse grain', async (t) => {
    const { out, check } = await fresh(t, 'monolithicSparse');
    const h = readSparseHeader(join(out, 'disk.vmdk'));
    flipByte(join(out, 'disk.vmdk'), Number(h.overHead) * SECTOR + 10);
    assert.throws(check, /compare/);
  });

  it('a grain table entry that disagrees with its redundant copy', async (t) => {
    const { out, check } = await fresh(t, 'twoGbMaxExtentSparse');
    const path = join(out, 'disk-s001.vmdk');
    const h = readSparseHeader(path);
    const gt = readFileSync(path).readUInt32LE(Number(h.gdOffset) * SECTOR);
    // Point the primary table's first entry at the second grain: data and redundancy both wrong.
    const fd = openSync(path, 'r+');
    const b = Buffer.alloc(4);
    b.writeUInt32LE(Number(h.overHead) + 128);
    writeSync(fd, b, 0, 4, gt * SECTOR);
    closeSync(fd);
    assert.throws(check);
  });

  it('a streamOptimized file cut before its end-of-stream marker', async (t) => {
    const { out, check } = await fresh(t, 'streamOptimized');
    const path = join(out, 'disk.vmdk');
    truncateSync(path, statSync(path).size - SECTOR);
    assert.throws(check);
  });

  it('a sparse file carrying bytes beyond its metadata and grains', async (t) => {
    const { out, check } = await fresh(t, 'monolithicSparse');
    const path = join(out, 'disk.vmdk');
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(64 * KiB, 7), 0, 64 * KiB, statSync(path).size);
    closeSync(fd);
    assert.throws(check, /more than metadata/);
  });

  it('a descriptor whose CID says "no parent"', async (t) => {
    const { out, check } = await fresh(t, 'twoGbMaxExtentFlat');
    const path = join(out, 'disk.vmdk');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^CID=.*$/m, 'CID=ffffffff'));
    assert.throws(check, /CID/);
  });

  it('a stray file beside the output', async (t) => {
    const { out, check } = await fresh(t, 'monolithicSparse');
    mkdirSync(join(out, '.disk.vmdk.ferry-partial-deadbeef'));
    assert.throws(check, /exactly the files/);
  });

  it('a truth one byte different from what was converted', async (t) => {
    const { out } = await fresh(t, 'monolithicSparse');
    const wrong: Truth = { size: truth.size, pieces: [...truth.pieces, { offset: MiB, data: Buffer.from([1]) }] };
    const wrongRaw = rawOf(wrong, join(out, 'wrong.raw'));
    assert.throws(() => assertOutputHoldsTruth({ dir: out, name: 'disk.vmdk', subformat: 'monolithicSparse', truth: wrong, raw: wrongRaw, ignore: ['wrong.raw'] }), /compare/);
  });

  it('a truth of another size (qemu-img compare alone would only warn)', async (t) => {
    const { out } = await fresh(t, 'monolithicFlat');
    const longer: Truth = { size: truth.size + 64 * KiB, pieces: truth.pieces };
    const longerRaw = rawOf(longer, join(out, 'longer.raw'));
    assert.throws(() => assertOutputHoldsTruth({ dir: out, name: 'disk.vmdk', subformat: 'monolithicFlat', truth: longer, raw: longerRaw, ignore: ['longer.raw'] }), /virtual size/);
  });
});
