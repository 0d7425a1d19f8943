// Writers let a chunk's writes run while the next chunk is read: what that promises the pipeline
// (a chunk's memory is left alone until the writer is done with it) and how failures surface.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forEachChunk } from '../../worker/engine/copy/pipeline';
import type { Chunk } from '../../worker/engine/io/chunk';
import type { DiskSource, Run } from '../../worker/engine/sources/source';
import { TrailingWrites } from '../../worker/engine/writers/trailing-writes';
import { KiB, pseudoRandom } from '../support/vhd-writer';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('TrailingWrites', () => {
  it('lets the last writes run and waits only for the ones before', async () => {
    const t = new TrailingWrites();
    const first = deferred();
    await t.push([first.promise]); // nothing before it
    const second = deferred();
    const push = t.push([second.promise]);
    assert.equal(await settled(push), false, 'the second push returned before the first writes ended');
    first.resolve();
    await push;
    const settle = t.settle();
    assert.equal(await settled(settle), false, 'settle returned while writes ran');
    second.resolve();
    await settle;
  });

  it('raises a failed write at the next push or at settle, and quiesce waits without raising', async () => {
    const t = new TrailingWrites();
    const failing = deferred();
    await t.push([failing.promise]);
    failing.reject(new Error('ENOSPC'));
    const running = deferred();
    await assert.rejects(t.push([running.promise]), /ENOSPC/);
    const quiet = t.quiesce();
    assert.equal(await settled(quiet), false, 'quiesce returned while a write ran');
    running.resolve();
    await quiet;

    const u = new TrailingWrites();
    const late = deferred();
    await u.push([late.promise]);
    late.reject(new Error('EIO'));
    await assert.rejects(u.settle(), /EIO/);
  });
});

/** A disk of `bytes`, all data, read from memory. */
function memoryDisk(bytes: Buffer): DiskSource {
  return {
    path: 'memory',
    size: bytes.length,
    info: {} as DiskSource['info'],
    async *runs(): AsyncIterable<Run> {
      yield { offset: 0, length: bytes.length, kind: 'data' };
    },
    async read(offset, length, into) {
      bytes.copy(into, 0, offset, offset + length);
    },
    async close() {},
  };
}

describe('forEachChunk with a consumer that holds chunks', () => {
  const chunkSize = 256 * KiB;
  const disk = pseudoRandom(12 * chunkSize, 7);

  /** Reads each chunk only while handling the next (as a trailing writer does); what it saw. */
  async function lateReader(held: number): Promise<Buffer[]> {
    const seen: Buffer[] = [];
    let previous: Chunk | undefined;
    const take = (c: Chunk | undefined): void => {
      if (c) seen.push(Buffer.from(c.data));
    };
    await forEachChunk(
      memoryDisk(disk),
      { chunkSize, readAhead: 2, held: { chunks: held, release: async () => take(previous) } },
      async (chunk) => {
        // A while into this call, as a write of the previous chunk would still read it.
        await new Promise((r) => setImmediate(r));
        take(previous);
        previous = chunk;
      },
    );
    return seen;
  }

  it('leaves a chunk as it was read until the consumer has been given the next', async () => {
    const seen = await lateReader(1);
    assert.equal(seen.length, 12);
    seen.forEach((got, i) => assert.ok(got.equals(disk.subarray(i * chunkSize, (i + 1) * chunkSize)), `chunk ${i} changed under its consumer`));
  });

  it('(the check above fails when the pipeline is not told the consumer holds a chunk)', async () => {
    const seen = await lateReader(0);
    assert.ok(
      seen.some((got, i) => !got.equals(disk.subarray(i * chunkSize, (i + 1) * chunkSize))),
      'no chunk was overwritten: this test cannot tell a held chunk from a free one',
    );
  });
});
