import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { deflateSync, inflateSync } from 'node:zlib';
import { markZeroGrains } from '../../worker/engine/copy/grains';
import type { Chunk } from '../../worker/engine/io/chunk';
import { ZlibPool } from '../../worker/engine/deflate/zlib-pool';

const GRAIN = 65536;

function chunkOf(offset: number, data: Buffer): Chunk {
  const zero = new Uint8Array(Math.ceil(data.length / GRAIN));
  markZeroGrains(data, zero);
  return { offset, data, zero };
}

describe('the zlib pool', () => {
  let pool: ZlibPool;
  before(() => {
    pool = ZlibPool.create(6, 2);
  });
  after(() => pool.destroy());

  it('gives every non-zero grain in disk order, as zlib streams that inflate back to it', async () => {
    const text = Buffer.from('ferry carries disks across the water. '.repeat(2000)).subarray(0, GRAIN);
    const data = Buffer.concat([text, Buffer.alloc(GRAIN), randomBytes(GRAIN), text, randomBytes(1000)]);
    const { items: out, release } = await pool.compress(chunkOf(10 * GRAIN, data));
    assert.deepEqual(out.map((g) => g.index), [10, 12, 13, 14]);
    const expected = [0, 2, 3, 4].map((g) => data.subarray(g * GRAIN, Math.min((g + 1) * GRAIN, data.length)));
    out.forEach((g, i) => assert.deepEqual(inflateSync(g.data), expected[i]));
    release();
  });

  it('stores random grains (two stored blocks: the size of the grain plus 16 bytes) and deflates text', async () => {
    const random = randomBytes(GRAIN);
    const text = Buffer.from('0123456789abcdef'.repeat(GRAIN / 16));
    const {
      items: [r, t],
    } = await pool.compress(chunkOf(0, Buffer.concat([random, text])));
    assert.equal(r!.data.length, GRAIN + 2 + 5 * 2 + 4);
    assert.ok(t!.data.length < GRAIN / 50);
  });

  it('a chunk of zeros asks nothing of the threads', async () => {
    assert.deepEqual((await pool.compress(chunkOf(0, Buffer.alloc(4 * GRAIN)))).items, []);
  });

  it('the caller may reuse its buffer as soon as compress returns', async () => {
    const data = randomBytes(3 * GRAIN);
    const copy = Buffer.from(data);
    const pending = pool.compress(chunkOf(0, data));
    data.fill(0);
    const out = await pending;
    assert.deepEqual(Buffer.concat(out.items.map((g) => inflateSync(g.data))), copy);
    out.release();
  });

  it('reuses its shared memory once a batch is released, and only then', async () => {
    const a = randomBytes(3 * GRAIN);
    const first = await pool.compress(chunkOf(0, a));
    const kept = first.items.map((g) => Buffer.from(g.data));
    // Not released: a second job must not land in the first one's memory.
    const second = await pool.compress(chunkOf(0, randomBytes(3 * GRAIN)));
    first.items.forEach((g, i) => assert.deepEqual(g.data, kept[i]));
    const areas = new Set([...first.items, ...second.items].map((g) => g.data.buffer));
    first.release();
    const third = await pool.compress(chunkOf(0, randomBytes(3 * GRAIN)));
    assert.ok(third.items.every((g) => areas.has(g.data.buffer)), 'the third job reuses memory released before it');
    second.release();
    third.release();
  });

  it('inflates streams in order, and gives an empty buffer for one that does not inflate or is too large', async () => {
    const a = randomBytes(GRAIN);
    const b = Buffer.from('text '.repeat(GRAIN / 5));
    const { items: out } = await pool.inflate([deflateSync(a), Buffer.from('not zlib'), deflateSync(b), deflateSync(Buffer.alloc(2 * GRAIN))], GRAIN);
    assert.deepEqual(out[0], a);
    assert.equal(out[1]!.length, 0);
    assert.deepEqual(out[2], b);
    assert.equal(out[3]!.length, 0, 'more than the grain size is refused, not inflated');
  });

  it('a stream cut short or corrupt fails alone: the streams after it on the same thread still inflate', async () => {
    const grains = [randomBytes(GRAIN), Buffer.from('text '.repeat(GRAIN / 5)), Buffer.from('more text '.repeat(GRAIN / 10))];
    const [a, b, c] = grains.map((g) => deflateSync(g));
    const corrupt = Buffer.from(b!);
    corrupt[corrupt.length >> 1] = corrupt[corrupt.length >> 1]! ^ 0xff;
    // One thread: every stream goes through the same reused zlib stream, in this order.
    const single = ZlibPool.create(6, 1);
    try {
      const { items, release } = await single.inflate([a!.subarray(0, a!.length - 100), b!, corrupt, c!, Buffer.concat([a!, Buffer.from('trailing')])], GRAIN);
      assert.deepEqual(items.map((d) => d.length), [0, grains[1]!.length, 0, grains[2]!.length, GRAIN]);
      assert.deepEqual(items[1], grains[1]);
      assert.deepEqual(items[3], grains[2]);
      assert.deepEqual(items[4], grains[0], 'bytes after the stream\'s end are ignored, as by a one-shot inflate');
      release();
    } finally {
      await single.destroy();
    }
  });
});

describe('the threads of finished pools', () => {
  const threadIds = (p: ZlibPool): number[] => (p as unknown as { workers: Array<{ threadId: number }> }).workers.map((w) => w.threadId).sort();

  it('serve the next pool (the verification after the conversion) instead of new ones', async () => {
    const first = ZlibPool.create(6, 2);
    const ids = threadIds(first);
    await first.destroy();
    const second = ZlibPool.create(6, 2);
    try {
      assert.deepEqual(threadIds(second), ids);
      const data = Buffer.from('again and again '.repeat(4096)).subarray(0, GRAIN);
      const { items, release } = await second.compress(chunkOf(0, data));
      assert.deepEqual(inflateSync(items[0]!.data), data);
      release();
    } finally {
      await second.destroy();
    }
  });
});
