// monolithicFlat from a fixed VHD or a raw image: the OS copies the byte range, Ferry trims the
// footer, follows progress by the destination's size, and on cancel removes the partial file.
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isByteRangeOfSource, kernelCopy } from '../../worker/engine/copy/kernel-copy';
import { verifyWritten, writeVmdk } from '../../worker/engine/copy/write-disk';
import { planVmdk } from '../../worker/engine/writers/vmdk/vmdk-writer';
import { openSource } from '../../worker/engine/sources/open';
import { patchedSource } from '../../worker/engine/guest/repair/patched-source';
import { tempDir } from '../support/tmp';
import { KiB, MiB, pseudoRandom, writeDynamicVhd, writeFixedVhd } from '../support/vhd-writer';

function flip(file: string, at: number): void {
  const fd = openSync(file, 'r+');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, at);
  b[0] = b[0]! ^ 0xff;
  writeSync(fd, b, 0, 1, at);
  closeSync(fd);
}

describe('flat copies by the OS', () => {
  it('a fixed VHD: the extent is its data without the footer, it verifies, and a flipped byte is named', async (t) => {
    const dir = tempDir(t);
    const vhd = writeFixedVhd(`${dir}/f.vhd`, { size: 8 * MiB, pieces: [{ offset: MiB + 100, data: pseudoRandom(300 * KiB, 4) }] });
    const source = await openSource(vhd.path);
    try {
      const plan = planVmdk('o.vmdk', 'monolithicFlat', source.size);
      assert.equal(isByteRangeOfSource(source, plan), true);
      const progress: number[] = [];
      const written = await writeVmdk(source, dir, plan, { adapter: 'lsilogic', hwVersion: 4 }, { onProgress: (p) => progress.push(p.done) });
      assert.equal(written.digest, undefined, 'copied by the OS, not through the pipeline');
      const extent = written.files.at(-1)!;
      assert.equal(statSync(extent).size, 8 * MiB);
      assert.ok(readFileSync(extent).equals(readFileSync(vhd.path).subarray(0, 8 * MiB)));
      assert.equal(progress.at(-1), 8 * MiB);
      await verifyWritten(written, source, {});
      flip(extent, MiB + 4321);
      await assert.rejects(verifyWritten(written, source, {}), { code: 'E_VERIFY', message: new RegExp(`at byte ${MiB + 4321} `) });
    } finally {
      await source.close();
    }
  });

  it('a view with an overlay (a guest repair\'s patch) gets it written right after the copy, and verifies', async (t) => {
    const dir = tempDir(t);
    const vhd = writeFixedVhd(`${dir}/p.vhd`, { size: 4 * MiB, pieces: [{ offset: MiB, data: pseudoRandom(64 * KiB, 7) }] });
    const source = await openSource(vhd.path);
    try {
      const patch = { offset: MiB + 10, bytes: Buffer.from([0, 0, 0, 0]), what: 'test' };
      const view = patchedSource(source, [patch]);
      const plan = planVmdk('o.vmdk', 'monolithicFlat', view.size);
      assert.equal(isByteRangeOfSource(view, plan), true, 'still a byte range of the file, so copied by the OS');
      const written = await writeVmdk(view, dir, plan, { adapter: 'lsilogic', hwVersion: 4 }, {});
      const out = readFileSync(written.files.at(-1)!);
      const expected = Buffer.from(readFileSync(vhd.path).subarray(0, 4 * MiB));
      patch.bytes.copy(expected, patch.offset);
      assert.ok(out.equals(expected), 'the copy holds the patch, and nothing else differs');
      await verifyWritten(written, view, {});
      assert.notDeepEqual(readFileSync(vhd.path).subarray(MiB + 10, MiB + 14), patch.bytes, 'the source is unchanged');
    } finally {
      await source.close();
    }
  });

  it('a raw image of whole sectors is copied whole; a dynamic VHD or another subformat goes through the pipeline', async (t) => {
    const dir = tempDir(t);
    writeFileSync(`${dir}/d.img`, pseudoRandom(2 * MiB, 5));
    const raw = await openSource(`${dir}/d.img`);
    const vhd = writeDynamicVhd(`${dir}/d.vhd`, { size: 8 * MiB, pieces: [{ offset: 0, data: pseudoRandom(KiB, 6) }] });
    const dynamic = await openSource(vhd.path);
    try {
      assert.equal(isByteRangeOfSource(raw, planVmdk('o.vmdk', 'monolithicFlat', raw.size)), true);
      assert.equal(isByteRangeOfSource(raw, planVmdk('o.vmdk', 'monolithicSparse', raw.size)), false);
      assert.equal(isByteRangeOfSource(dynamic, planVmdk('o.vmdk', 'monolithicFlat', dynamic.size)), false);
      const written = await writeVmdk(raw, dir, planVmdk('r.vmdk', 'monolithicFlat', raw.size), { adapter: 'lsilogic', hwVersion: 4 }, {});
      assert.ok(readFileSync(written.files.at(-1)!).equals(readFileSync(`${dir}/d.img`)));
      await verifyWritten(written, raw, {});
    } finally {
      await raw.close();
      await dynamic.close();
    }
  });

  it('a cancel stops waiting, removes the partial file and says the OS may finish in the background', async (t) => {
    const dir = tempDir(t);
    writeFileSync(`${dir}/big.img`, Buffer.alloc(32 * MiB, 7));
    const ac = new AbortController();
    const copying = kernelCopy(`${dir}/big.img`, `${dir}/out`, 32 * MiB, () => undefined, ac.signal);
    ac.abort();
    await assert.rejects(copying, { code: 'E_CANCELLED', message: /in the background/ });
    // The OS may still be copying (it may even open the file after the cancel): once it is done, nothing is left.
    for (const until = Date.now() + 10_000; existsSync(`${dir}/out`) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
    assert.equal(existsSync(`${dir}/out`), false);
  });
});
