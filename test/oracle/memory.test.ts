// Peak memory (issue 16: at most 100 MB resident for any input, including the largest disks) for
// the shapes that stress it: the largest VHD (2040 GiB) as one sparse file and as 1021 split
// extent files — a thousand extents, tens of thousands of grain tables to write and read back —
// and a streamOptimized disk, whose grains go through the compression threads both ways. Each
// run is the CLI, verified, measured by /usr/bin/time.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ferryLimited } from '../hostile/run';
import { tempDir } from '../support/tmp';
import { MiB, SECTOR, pseudoRandom, writeDynamicVhd } from '../support/vhd-writer';

// 100 MB on this project's two-core machine; the compression pool has a thread (and its buffers)
// per core, so a larger machine is allowed that much more per extra core.
const LIMIT_KB = (100 + 20 * Math.max(0, availableParallelism() - 2)) * 1024;
const MAX_VHD = 0xff000000 * SECTOR;

async function peakOf(args: string[]): Promise<number> {
  const r = await ferryLimited([...args, '--json'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.maxRssKb !== undefined, '/usr/bin/time measured the run');
  return r.maxRssKb;
}

describe('peak memory', () => {
  for (const subformat of ['monolithicSparse', 'twoGbMaxExtentSparse'] as const) {
    it(`the largest VHD (2040 GiB) as ${subformat}, verified: under 100 MB (two cores)`, async (t) => {
      const dir = tempDir(t);
      const vhd = join(dir, 'max.vhd');
      writeDynamicVhd(vhd, { size: MAX_VHD, pieces: [{ offset: MAX_VHD - MiB, data: pseudoRandom(MiB, 5) }] });
      const peak = await peakOf(['convert', vhd, join(dir, 'out.vmdk'), '--subformat', subformat]);
      t.diagnostic(`peak ${Math.round(peak / 1024)} MiB`);
      assert.ok(peak < LIMIT_KB, `peaked at ${Math.round(peak / 1024)} MiB`);
      if (subformat === 'twoGbMaxExtentSparse') assert.equal(readdirSync(dir).length, 1 + 1 + 1021, 'the source, the descriptor and 1021 extents');
    });
  }

  it('a streamOptimized disk of 192 MiB of mixed data, verified: under 100 MB (two cores)', async (t) => {
    const dir = tempDir(t);
    const vhd = join(dir, 'mixed.vhd');
    const text = Buffer.from('Ferry turns Microsoft virtual disks into VMware machines. '.repeat(1 << 20)).subarray(0, 64 * MiB);
    writeDynamicVhd(vhd, {
      size: 1024 * MiB,
      pieces: [
        { offset: 0, data: pseudoRandom(64 * MiB, 6) },
        { offset: 256 * MiB, data: text },
        { offset: 768 * MiB, data: pseudoRandom(64 * MiB, 7) },
      ],
    });
    const peak = await peakOf(['convert', vhd, join(dir, 'out.vmdk'), '--subformat', 'streamOptimized']);
    t.diagnostic(`peak ${Math.round(peak / 1024)} MiB`);
    assert.ok(peak < LIMIT_KB, `peaked at ${Math.round(peak / 1024)} MiB`);
  });
});
