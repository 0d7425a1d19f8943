import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { deflateSync, inflateSync } from 'node:zlib';
import { looksIncompressible } from '../../worker/engine/writers/vmdk/extent-writers';
import { adler32, zlibStored } from '../../worker/engine/writers/vmdk/zlib-stored';

test('adler32 matches the trailer zlib itself writes', () => {
  for (const data of [Buffer.alloc(0), Buffer.from('Wikipedia'), randomBytes(65536), Buffer.alloc(100_000, 0xff)]) {
    const z = deflateSync(data);
    assert.equal(adler32(data), z.readUInt32BE(z.length - 4));
  }
  assert.equal(adler32(Buffer.from('Wikipedia')), 0x11e60398);
});

test('a stored zlib stream inflates back to the grain, for grain-sized and odd lengths', () => {
  for (const len of [1, 512, 65535, 65536, 65537, 200_000]) {
    const data = randomBytes(len);
    const stream = Buffer.concat(zlibStored(data));
    assert.deepEqual(inflateSync(stream), data);
    assert.ok(stream.length <= len + 2 + 4 + 5 * Math.ceil(len / 65535));
  }
});

test('random grains are recognised as incompressible, text and patterns are not', () => {
  assert.equal(looksIncompressible(randomBytes(65536)), true);
  assert.equal(looksIncompressible(Buffer.from('ferry '.repeat(11000)).subarray(0, 65536)), false);
  assert.equal(looksIncompressible(Buffer.alloc(65536, 7)), false);
  const half = Buffer.concat([randomBytes(32768), Buffer.alloc(32768)]);
  assert.equal(looksIncompressible(half), false);
});
