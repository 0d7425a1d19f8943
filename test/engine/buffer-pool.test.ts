// Read buffers start on a page boundary where the addon can tell where memory starts: Node's own
// large buffers start 16 bytes into a page, and a read from the page cache into memory 1–31 bytes
// past its source modulo 4 KiB runs 4–5× slower on AMD Zen (the kernel's `rep movsb`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferPool, pageAlignedBuffer } from '../../worker/engine/io/buffer-pool';
import { nativeAddon } from '../../worker/engine/io/native-addon';
import { MiB } from '../support/vhd-writer';

const requireTools = process.env.FERRY_REQUIRE_TOOLS === '1';
const addon = nativeAddon()?.addon;

describe('page-aligned read buffers', { skip: !addon && !requireTools && 'the native addon is not built here' }, () => {
  it('the addon tells where a buffer starts within its page', () => {
    assert.ok(addon, 'the native addon is built and loads (FERRY_REQUIRE_TOOLS=1)');
    const raw = Buffer.allocUnsafeSlow(3 * 4096);
    const base = addon.pageOffset(raw);
    assert.ok(Number.isInteger(base) && base >= 0 && base < 4096);
    for (const k of [1, 16, 63, 4095, 4096, 5000]) assert.equal(addon.pageOffset(raw.subarray(k)), (base + k) % 4096, `offset ${k}`);
    assert.throws(() => addon.pageOffset('not a buffer' as unknown as Buffer), TypeError);
  });

  it('pageAlignedBuffer and BufferPool hand out buffers that start on a page, of the size asked', () => {
    assert.ok(addon);
    for (const size of [1, 4095, 64 * 1024, 4 * MiB + 512]) {
      const b = pageAlignedBuffer(size);
      assert.equal(b.length, size);
      assert.equal(addon.pageOffset(b), 0, `a buffer of ${size} bytes`);
      // The whole length is usable memory of its own.
      b.fill(0xa5);
      assert.equal(b[size - 1], 0xa5);
    }
    const pool = new BufferPool(4 * MiB, 4);
    const taken = [pool.take(4 * MiB), pool.take(MiB), pool.take(3 * MiB + 1)];
    for (const b of taken) {
      assert.equal(addon.pageOffset(b), 0);
      assert.equal(b.length, 4 * MiB);
    }
    pool.give(taken);
    assert.equal(addon.pageOffset(pool.take(2 * MiB)), 0);
  });
});
