// Raw images into every subformat; VMDKs of every subformat qemu-img makes, re-targeted to
// streamOptimized; and the files that must stay "not a disk".
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SUBFORMATS } from '../../shared/options';
import { ferry, lastEvent } from '../support/cli';
import { tempDir } from '../support/tmp';
import { qemuCheck, runOk } from '../support/tools';
import { MiB, pseudoRandom } from '../support/vhd-writer';
import { assertIdentical, leftovers, makeRaw } from './helpers';

describe('raw images', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-raw-'));
    makeRaw(dir, 'disk.img');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const subformat of SUBFORMATS) {
    it(`a scattered .img converts to ${subformat} identically`, async (t) => {
      const out = tempDir(t);
      const r = await ferry(['convert', join(dir, 'disk.img'), join(out, 'out.vmdk'), '--subformat', subformat, '--json']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const result = lastEvent(r);
      // Only grains holding data are written: the pieces touch 9 of its 384 grains.
      assert.ok((result.dataBytes as number) === 9 * 64 * 1024, `dataBytes ${String(result.dataBytes)}`);
      assertIdentical(join(dir, 'disk.img'), 'raw', join(out, 'out.vmdk'), 'vmdk');
    });
  }

  it('inspect reports a raw image by its name', async () => {
    const info = lastEvent(await ferry(['inspect', join(dir, 'disk.img'), '--json']));
    assert.equal(info.format, 'raw');
    assert.equal(info.variant, 'raw');
    assert.equal(info.virtualSize, 24 * MiB);
  });

  it('a file with a partition table is raw whatever its name', async (t) => {
    const d = tempDir(t);
    const path = join(d, 'vendor-image.bin');
    const disk = Buffer.alloc(4 * MiB);
    // One MBR partition: boot flag 0x80, type 0x83, from sector 2048.
    disk[446] = 0x80;
    disk[446 + 4] = 0x83;
    disk.writeUInt32LE(2048, 446 + 8);
    disk.writeUInt32LE(4096, 446 + 12);
    disk[510] = 0x55;
    disk[511] = 0xaa;
    writeFileSync(path, disk);
    const info = lastEvent(await ferry(['inspect', path, '--json']));
    assert.equal(info.format, 'raw');
    assert.equal((info.partitions as { scheme: string }).scheme, 'mbr');
  });

  it('a .bin is raw by its name; without a partition table it converts with a warning', async (t) => {
    const d = tempDir(t);
    const bytes = pseudoRandom(2 * MiB, 5);
    writeFileSync(join(d, 'appliance.bin'), bytes);
    const r = await ferry(['convert', join(d, 'appliance.bin'), join(d, 'out.vmdk'), '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok((lastEvent(r).warnings as string[]).some((w) => /no partition table/.test(w)));
    assertIdentical(join(d, 'appliance.bin'), 'raw', join(d, 'out.vmdk'), 'vmdk');
  });

  it('a raw image that is not whole sectors is rounded up with zeros, as qemu-img does, and says so', async (t) => {
    const d = tempDir(t);
    const bytes = pseudoRandom(MiB + 100, 3).subarray(0, MiB + 100);
    writeFileSync(join(d, 'odd.img'), bytes);
    const r = await ferry(['convert', join(d, 'odd.img'), join(d, 'out.vmdk'), '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const result = lastEvent(r);
    assert.equal(result.virtualSize, MiB + 512);
    assert.ok((result.warnings as string[]).some((w) => /100 bytes over/.test(w) && /rounded up/.test(w)));
    const padded = Buffer.concat([bytes, Buffer.alloc(412)]);
    writeFileSync(join(d, 'padded.raw'), padded);
    assertIdentical(join(d, 'padded.raw'), 'raw', join(d, 'out.vmdk'), 'vmdk');
  });

  it('random bytes named x.dat are not a disk (exit 2)', async (t) => {
    const d = tempDir(t);
    writeFileSync(join(d, 'x.dat'), pseudoRandom(64 * 1024, 7));
    const r = await ferry(['convert', join(d, 'x.dat'), join(d, 'out.vmdk'), '--json']);
    assert.equal(r.code, 2);
    assert.equal(lastEvent(r).code, 'E_NOT_A_DISK');
    assert.deepEqual(readdirSync(d), ['x.dat']);
  });
});

describe('VMDK inputs made by qemu-img', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-vmdk-in-'));
    makeRaw(dir, 'truth.raw', 23);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const subformat of SUBFORMATS) {
    it(`${subformat} → streamOptimized, identical`, async (t) => {
      const src = tempDir(t);
      const input = join(src, 'in.vmdk');
      runOk('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o', `subformat=${subformat}`, join(dir, 'truth.raw'), input]);
      const out = tempDir(t);
      const r = await ferry(['convert', input, join(out, 'out.vmdk'), '--subformat', 'streamOptimized', '--json']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assertIdentical(join(dir, 'truth.raw'), 'raw', join(out, 'out.vmdk'), 'vmdk');
      assert.equal(qemuCheck(join(out, 'out.vmdk')).code, 0);
      assert.deepEqual(leftovers(out), []);
    });
  }

  // The embedded descriptor still names the file it was written as; qemu ignores that name, and so must we.
  for (const subformat of ['monolithicSparse', 'streamOptimized'] as const) {
    it(`a ${subformat} VMDK renamed after it was made still opens as itself`, async (t) => {
      const src = tempDir(t);
      runOk('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o', `subformat=${subformat}`, join(dir, 'truth.raw'), join(src, 'original.vmdk')]);
      renameSync(join(src, 'original.vmdk'), join(src, 'disk1.vmdk'));
      const out = tempDir(t);
      const r = await ferry(['convert', join(src, 'disk1.vmdk'), join(out, 'out.vmdk'), '--json']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assertIdentical(join(dir, 'truth.raw'), 'raw', join(out, 'out.vmdk'), 'vmdk');
    });
  }

  it('converting a VMDK onto itself is refused, however the path is spelled', async (t) => {
    const d = tempDir(t);
    const input = join(d, 'self.vmdk');
    runOk('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', join(dir, 'truth.raw'), input]);
    symlinkSync(input, join(d, 'link.vmdk'));
    for (const target of [input, `${d}/sub/../self.vmdk`, join(d, 'link.vmdk')]) {
      const r = await ferry(['convert', input, target, '--subformat', 'streamOptimized', '--overwrite', '--json']);
      assert.equal(r.code, 1, r.stdout);
      assert.equal(lastEvent(r).code, 'E_USAGE');
    }
    assertIdentical(join(dir, 'truth.raw'), 'raw', input, 'vmdk');
  });

  it("writing over one of the input's extent files is refused, even with --overwrite", async (t) => {
    const d = tempDir(t);
    const input = join(d, 'in.vmdk');
    runOk('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=monolithicFlat', join(dir, 'truth.raw'), input]);
    const r = await ferry(['convert', input, join(d, 'in-flat.vmdk'), '--overwrite', '--json']);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(lastEvent(r).code, 'E_USAGE');
    assertIdentical(join(dir, 'truth.raw'), 'raw', input, 'vmdk');
  });
});
