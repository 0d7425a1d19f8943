// The scratch copy of an unpacked download: zero blocks are left as holes, the bytes are exact.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { sparseFileSink } from '../../worker/engine/io/sparse-sink';
import { tempDir } from '../support/tmp';
import { MiB, pseudoRandom } from '../support/vhd-writer';

describe('sparseFileSink', () => {
  it('writes exactly the bytes it is given, leaving zero runs unwritten, zeros at the end included', async (t) => {
    const dir = tempDir(t);
    const expected = Buffer.alloc(9 * MiB + 777);
    pseudoRandom(100, 1).copy(expected, MiB + 65_500); // across a block boundary
    pseudoRandom(3 * MiB, 2).copy(expected, 4 * MiB + 3);
    // Handed over in chunks that ignore block boundaries, as a decoder hands them.
    const chunks: Buffer[] = [];
    for (let at = 0; at < expected.length; at += 300_001) chunks.push(expected.subarray(at, Math.min(expected.length, at + 300_001)));
    const file = join(dir, 'disk.img');
    await pipeline(Readable.from(chunks), sparseFileSink(file));
    assert.ok(readFileSync(file).equals(expected));
    const st = statSync(file);
    assert.ok(st.blocks * 512 < 4 * MiB, `only the data takes space (${st.blocks * 512} bytes allocated)`);
  });

  it('never replaces a file that exists', async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'taken.img');
    await pipeline(Readable.from([Buffer.from('mine')]), sparseFileSink(file));
    await assert.rejects(pipeline(Readable.from([Buffer.alloc(10, 1)]), sparseFileSink(file)), { code: 'EEXIST' });
    assert.equal(readFileSync(file, 'utf8'), 'mine');
  });
});
