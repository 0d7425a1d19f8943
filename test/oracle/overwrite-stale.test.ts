// --overwrite replaces a whole disk: extent files of the old disk that the new one does not
// overwrite are removed, and only those (never files the old descriptor merely points at).
// Without --overwrite, a name taken after the check and before the commit is never replaced.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SPLIT_EXTENT_SECTORS } from '../../worker/engine/formats/vmdk/constants';
import { ferry } from '../support/cli';
import { tempDir } from '../support/tmp';
import { MiB, writeDynamicVhd } from '../support/vhd-writer';
import { ferryWithIntruder } from '../vm/intruder';

const big = SPLIT_EXTENT_SECTORS * 512 + 4 * MiB; // two split pieces

describe('--overwrite of an earlier output', () => {
  it('a split disk replaced by a monolithic one leaves no old pieces behind', async (t) => {
    const dir = tempDir(t);
    const src = join(dir, 'in.vhd');
    writeDynamicVhd(src, { size: big, pieces: [{ offset: big - MiB, data: Buffer.alloc(MiB, 1) }] });
    const first = await ferry(['convert', src, join(dir, 'disk.vmdk'), '--split', '--type', 'fixed', '--no-verify']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('disk')).sort(), ['disk-f001.vmdk', 'disk-f002.vmdk', 'disk.vmdk']);
    const second = await ferry(['convert', src, join(dir, 'disk.vmdk'), '--overwrite']);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('disk')).sort(), ['disk.vmdk']);
  });

  it('files the old descriptor points at but that are not named as its extents are left alone', async (t) => {
    const dir = tempDir(t);
    const src = join(dir, 'in.vhd');
    writeDynamicVhd(src, { size: 8 * MiB, pieces: [{ offset: 0, data: Buffer.alloc(MiB, 2) }] });
    const other = join(dir, 'someone-else.img');
    writeFileSync(other, Buffer.alloc(8 * MiB));
    writeFileSync(join(dir, 'disk.vmdk'), `# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 16384 FLAT "someone-else.img" 0\n`);
    const r = await ferry(['convert', src, join(dir, 'disk.vmdk'), '--overwrite']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readdirSync(dir).includes('someone-else.img'));
  });
});

describe('an output name taken between the check and the commit', () => {
  const source = (dir: string): string => {
    const src = join(dir, 'in.vhd');
    writeDynamicVhd(src, { size: 8 * MiB, pieces: [{ offset: 0, data: Buffer.alloc(MiB, 3) }] });
    return src;
  };

  for (const [label, args] of [
    ['a .vmdk', ['--subformat', 'monolithicSparse']],
    ['a descriptor whose flat extent was already in place (the extent is taken back)', ['--subformat', 'monolithicFlat']],
  ] as const) {
    it(`${label}: E_EXISTS (exit 3), the intruder untouched, nothing of Ferry's left`, async (t) => {
      const dir = tempDir(t);
      const src = source(dir);
      const r = await ferryWithIntruder(dir, ['convert', src, join(dir, 'disk.vmdk'), ...args, '--no-verify'], { at: -1, kind: 'file', content: 'mine' });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /disk\.vmdk: appeared while Ferry was writing/);
      assert.equal(readFileSync(join(dir, 'disk.vmdk'), 'utf8'), 'mine');
      assert.deepEqual(readdirSync(dir).sort(), ['disk.vmdk', 'in.vhd', 'intruder-hook.mjs']);
    });
  }

  it('an extent name taken: the extent intruder is kept and no descriptor appears', async (t) => {
    const dir = tempDir(t);
    const src = source(dir);
    const r = await ferryWithIntruder(dir, ['convert', src, join(dir, 'disk.vmdk'), '--subformat', 'monolithicFlat', '--no-verify'], { at: 0, kind: 'file', content: 'mine' });
    assert.equal(r.code, 3, r.stderr);
    assert.equal(readFileSync(join(dir, 'disk-flat.vmdk'), 'utf8'), 'mine');
    assert.deepEqual(readdirSync(dir).sort(), ['disk-flat.vmdk', 'in.vhd', 'intruder-hook.mjs']);
  });

  it('an .ova: E_EXISTS (exit 3) and the intruder untouched', async (t) => {
    const dir = tempDir(t);
    const src = source(dir);
    const r = await ferryWithIntruder(dir, ['ova', src, join(dir, 'x.ova'), '--no-verify'], { at: -1, kind: 'file', content: 'mine' });
    assert.equal(r.code, 3, r.stderr);
    assert.equal(readFileSync(join(dir, 'x.ova'), 'utf8'), 'mine');
    assert.deepEqual(readdirSync(dir).sort(), ['in.vhd', 'intruder-hook.mjs', 'x.ova']);
  });

  it('with --overwrite the name is replaced, as asked', async (t) => {
    const dir = tempDir(t);
    const src = source(dir);
    const r = await ferryWithIntruder(dir, ['convert', src, join(dir, 'disk.vmdk'), '--overwrite', '--no-verify'], { at: -1, kind: 'file', content: 'mine' });
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(readFileSync(join(dir, 'disk.vmdk'), 'utf8'), 'mine');
  });
});
