// "Work proportional to allocated data, not virtual size", measured deterministically: every byte
// the engine reads goes through ReadOnlyFile.readExact, so count them during a conversion of a
// large, almost empty disk (conversion and verification together).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Subformat } from '../../shared/options';
import { ReadOnlyFile } from '../../worker/engine/io/read-only-file';
import { ALL_SUBFORMATS, convertTo } from '../support/oracle';
import { tempDir } from '../support/tmp';
import { MiB, pseudoRandom, writeDynamicVhd } from '../support/vhd-writer';

const SIZE = 512 * MiB;
const DATA = 2 * MiB;
/** Data read twice (convert + verify) plus generous room for metadata. */
const BUDGET = 2 * DATA + 16 * MiB;

async function bytesReadDuring(fn: () => Promise<unknown>): Promise<number> {
  const original = ReadOnlyFile.prototype.readExact;
  let total = 0;
  ReadOnlyFile.prototype.readExact = function (this: ReadOnlyFile, position: number, length: number, what: string, into?: Buffer) {
    total += length;
    return original.call(this, position, length, what, into);
  };
  try {
    await fn();
  } finally {
    ReadOnlyFile.prototype.readExact = original;
  }
  return total;
}


describe(`a ${SIZE / MiB} MiB dynamic disk holding ${DATA / MiB} MiB reads about its data, not its size`, () => {
  const dir = tempDir({ after }, 'ferry-work');
  const source = join(dir, 'sparse.vhd');
  before(() => {
    writeDynamicVhd(source, { size: SIZE, pieces: [{ offset: 300 * MiB, data: pseudoRandom(DATA, 1) }] });
  });

  for (const subformat of ALL_SUBFORMATS) {
    it(`→ ${subformat} with verification reads at most ${BUDGET / MiB} MiB`, async () => {
      const out = join(dir, subformat);
      mkdirSync(out);
      const read = await bytesReadDuring(() => convertTo(source, join(out, 'disk.vmdk'), subformat as Subformat));
      assert.ok(read <= BUDGET, `read ${(read / MiB).toFixed(1)} MiB`);
    });
  }

  it('→ monolithicFlat without verification reads at most the data and metadata', async () => {
    const out = join(dir, 'flat-noverify');
    mkdirSync(out);
    const read = await bytesReadDuring(() => convertTo(source, join(out, 'disk.vmdk'), 'monolithicFlat', { verify: false }));
    assert.ok(read <= DATA + 16 * MiB, `read ${(read / MiB).toFixed(1)} MiB`);
  });
});
