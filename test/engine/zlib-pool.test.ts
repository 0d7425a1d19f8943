import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { deflateSync, inflateSync } from 'node:zlib';
import { markZeroGrains } from '../../worker/engine/copy/grains';
import type { Chunk } from '../../worker/engine/io/chunk';
import { ZlibPool } from '../../worker/engine/deflate/zlib-pool';
import { nativeAddon } from '../../worker/engine/io/native-addon';

const GRAIN = 65536;

function chunkOf(offset: number, data: Buffer): Chunk {
  const zero = new Uint8Array(Math.ceil(data.length / GRAIN));
  markZeroGrains(data, zero);
  return { offset, data, zero };
}

// Every case runs on both backends: libdeflate through the addon (where `npm run build` could
// build it; CI must) and node:zlib, which serves where it is not built.
const requireTools = process.env.FERRY_REQUIRE_TOOLS === '1';
for (const backend of ['libdeflate', 'node:zlib'] as const) {
describe(`the zlib pool (${backend})`, { skip: backend === 'libdeflate' && !nativeAddon() && !requireTools && 'the native addon is not built here (scripts/build-native.mjs)' }, () => {
  let pool: ZlibPool;
  const before_ = process.env.FERRY_NATIVE;
  before(() => {
    if (backend === 'node:zlib') process.env.FERRY_NATIVE = 'off';
    else assert.ok(nativeAddon(), 'the native addon is built and loads (FERRY_REQUIRE_TOOLS=1)');
    pool = ZlibPool.create(6, 2);
  });
  after(async () => {
    await pool.destroy();
    if (before_ === undefined) delete process.env.FERRY_NATIVE;
    else process.env.FERRY_NATIVE = before_;
  });

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
    // Byte for byte: the zlib header, a stored block of 65535 bytes, a final one of 1, then the
    // Adler-32 of the grain (taken from zlib's own stream of it, whatever its blocks).
    const block = (final: number, bytes: Buffer): Buffer => Buffer.concat([Buffer.from([final, bytes.length & 0xff, bytes.length >> 8, ~bytes.length & 0xff, (~bytes.length >> 8) & 0xff]), bytes]);
    const adler = deflateSync(random, { level: 0 }).subarray(-4);
    assert.deepEqual(r!.data, Buffer.concat([Buffer.from([0x78, 0x01]), block(0, random.subarray(0, 65535)), block(1, random.subarray(65535)), adler]));
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
}

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

describe('the native addon', { skip: !nativeAddon() && !requireTools && 'not built here' }, () => {
  const addon = (): import('../../worker/engine/io/native-addon').NativeAddon => nativeAddon()!.addon;

  it('writes zlib streams node:zlib inflates, at every level, into shared memory at an offset', () => {
    const out = Buffer.from(new SharedArrayBuffer(2 * GRAIN));
    const grain = Buffer.concat([Buffer.from('ferry '.repeat(5000)), randomBytes(2000)]).subarray(0, GRAIN);
    for (let level = 0; level <= 12; level++) {
      const n = addon().compress(level, grain, out, 100);
      assert.ok(n > 0);
      assert.deepEqual(inflateSync(out.subarray(100, 100 + n)), grain, `level ${level}`);
    }
  });

  it('says -1 when the output has no room, and throws on arguments it cannot take', () => {
    const grain = randomBytes(GRAIN);
    assert.equal(addon().compress(6, grain, Buffer.alloc(GRAIN), 0), -1);
    assert.throws(() => addon().compress(13, grain, Buffer.alloc(2 * GRAIN), 0), /level 0-12/);
    assert.throws(() => addon().compress(6, grain, Buffer.alloc(10), 11), /offset/);
    assert.throws(() => addon().decompress('x' as unknown as Buffer, Buffer.alloc(10), 0, 10), /input buffer/);
  });

  it('inflates what node:zlib wrote; -1 for a damaged or cut stream and one longer than max; trailing bytes are ignored', () => {
    const grain = Buffer.from('0123456789'.repeat(GRAIN / 10 + 1)).subarray(0, GRAIN);
    const z = deflateSync(grain);
    const out = Buffer.alloc(GRAIN + 10);
    assert.equal(addon().decompress(z, out, 10, GRAIN), GRAIN);
    assert.deepEqual(out.subarray(10), grain);
    assert.equal(addon().decompress(z, out, 10, GRAIN - 1), -1);
    assert.equal(addon().decompress(z.subarray(0, z.length - 1), out, 0, GRAIN), -1);
    const damaged = Buffer.from(z);
    damaged[damaged.length - 1]! ^= 1; // the Adler-32
    assert.equal(addon().decompress(damaged, out, 0, GRAIN), -1);
    assert.equal(addon().decompress(Buffer.concat([z, Buffer.from('trailing')]), out, 0, GRAIN), GRAIN);
  });
});

describe('the native addon refuses what is not its own', { skip: !nativeAddon() && 'not built here' }, () => {
  it('an XXH3 call without a state from xxh3Create throws, it does not crash', () => {
    const addon = nativeAddon()!.addon;
    assert.throws(() => addon.xxh3Update({} as never, Buffer.alloc(1)), /xxh3Update/);
    assert.throws(() => addon.xxh3Digest(Buffer.alloc(8) as never), /xxh3Digest/);
    assert.throws(() => addon.xxh3Update(addon.xxh3Create(), 'text' as never), /input buffer/);
  });
});
