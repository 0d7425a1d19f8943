// OutputFile: large writes go out as 4 MiB pieces side by side, vectored writes in groups of about
// 4 MiB (and never more iovecs than the system takes); the bytes must land exactly where asked.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OutputFile } from '../../worker/engine/writers/output-file';
import { tempDir } from '../support/tmp';
import { KiB, MiB, pseudoRandom } from '../support/vhd-writer';

describe('OutputFile', () => {
  it('a write larger than its pieces lands whole, at its offset', async (t) => {
    const path = join(tempDir(t), 'w');
    const f = await OutputFile.create(path);
    const data = pseudoRandom(9 * MiB + 777, 1);
    await f.write(data, 4096);
    await f.close();
    const got = readFileSync(path);
    assert.equal(got.length, 4096 + data.length);
    assert.ok(got.subarray(0, 4096).equals(Buffer.alloc(4096)));
    assert.ok(got.subarray(4096).equals(data));
  });

  it('a vectored write of buffers of every size, more than one writev may carry, lands back to back', async (t) => {
    const path = join(tempDir(t), 'v');
    const f = await OutputFile.create(path);
    // 3000 small buffers (past IOV_MAX) and a few large ones that cross the 4 MiB groups.
    const buffers = [
      ...Array.from({ length: 3000 }, (_, i) => pseudoRandom(1 + (i % 700), i + 10)),
      pseudoRandom(7 * MiB + 5, 2),
      pseudoRandom(64 * KiB, 3),
      pseudoRandom(MiB - 1, 4),
    ];
    await f.writev(buffers, 512);
    await f.close();
    const want = Buffer.concat([Buffer.alloc(512), ...buffers]);
    assert.ok(readFileSync(path).equals(want));
  });
});
