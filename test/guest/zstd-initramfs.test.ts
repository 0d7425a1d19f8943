// zstd initramfs images in the layouts dracut and mkinitramfs write (and the zstd format allows):
// early microcode archives first, frames concatenated, skippable frames, archives after the
// frames; damage and oversized windows end the scan with a reason, never a throw.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { english } from '../../worker/engine/notices';
import { readInitramfs } from '../../worker/engine/guest/linux/initramfs';
import { Pull } from '../../worker/engine/guest/linux/pull';
import { zstdFrames } from '../../worker/engine/guest/linux/zstd-frames';
import { bufferBytes } from '../../worker/engine/guest/registry/regf';
import { earlyMicrocode, makeCpio, tempDir, zstdOf } from './helpers';

let dir: string;
before(() => {
  dir = tempDir('zstd');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const KVER = '6.8.0-45-generic';
const mod = (path: string) => `usr/lib/modules/${KVER}/kernel/drivers/${path}.ko.zst`;
/** Module files large enough to span many zstd blocks (and, when dense, several input chunks). */
function bulk(seed: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = i % 3 === 0 ? x >>> 24 : 0x41 + (i % 7);
  }
  return b;
}

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

const skippable = (payload: Buffer, n = 0) => {
  const h = Buffer.alloc(8);
  h.writeUInt32LE(0x184d2a50 + n, 0);
  h.writeUInt32LE(payload.length, 4);
  return Buffer.concat([h, payload]);
};

describe('zstd initramfs layouts', () => {
  test('AMD and Intel microcode archives, then one zstd member', async () => {
    const main = makeCpio(dir, 'main1', { [mod('scsi/vmw_pvscsi')]: bulk(1, 400_000), [mod('ata/ahci')]: 'y', init: '#!/bin/sh\n' });
    const img = Buffer.concat([earlyMicrocode(dir, 'AuthenticAMD'), earlyMicrocode(dir, 'GenuineIntel'), zstdOf(main, ['-15'])]);
    const got = await readInitramfs(bufferBytes(img));
    assert.equal(got.incomplete, undefined);
    assert.deepEqual(got.layers, ['cpio', 'cpio', 'zstd', 'cpio']);
    assert.deepEqual([...got.modules].sort(), ['ahci', 'vmw_pvscsi']);
  });

  test('frames concatenated, with skippable frames before, between and after, then a plain archive', async () => {
    const first = makeCpio(dir, 'part1', { [mod('scsi/vmw_pvscsi')]: bulk(2, 300_000) });
    const second = makeCpio(dir, 'part2', { [mod('ata/ahci')]: bulk(3, 200_000) });
    const third = makeCpio(dir, 'part3', { [mod('ata/ata_piix')]: 'z' });
    const img = Buffer.concat([
      earlyMicrocode(dir),
      skippable(Buffer.from('dracut')),
      zstdOf(first, ['-3']),
      skippable(Buffer.alloc(5000, 0xee), 15),
      zstdOf(second, ['-1', '--no-check']),
      skippable(Buffer.alloc(0), 7),
      Buffer.alloc(512), // padding, as after any member
      third,
    ]);
    const got = await readInitramfs(bufferBytes(img));
    assert.equal(got.incomplete, undefined);
    assert.deepEqual(got.layers, ['cpio', 'zstd', 'cpio', 'cpio', 'cpio']);
    assert.deepEqual([...got.modules].sort(), ['ahci', 'ata_piix', 'vmw_pvscsi']);
  });

  test('a single-segment frame (content size known, as `zstd file` writes) decodes the same', async () => {
    const main = makeCpio(dir, 'main2', { [mod('scsi/vmw_pvscsi')]: bulk(4, 50_000) });
    const frame = execZstdFile(main);
    assert.equal((frame[4]! >> 5) & 1, 1, 'the zstd CLI wrote a single-segment frame');
    const got = await readInitramfs(bufferBytes(Buffer.concat([earlyMicrocode(dir), frame])));
    assert.equal(got.incomplete, undefined);
    assert.deepEqual([...got.modules], ['vmw_pvscsi']);
  });

  test('the decoder hands out the exact bytes, one block at a time, and leaves what follows', async () => {
    const data = bulk(5, 1_000_000);
    const tail = Buffer.from('070701after');
    const p = new Pull(once(Buffer.concat([zstdOf(data, ['-19']), tail])));
    const parts: Buffer[] = [];
    for await (const b of zstdFrames(p)) {
      assert.ok(b.length <= 128 * 1024, `a block of ${b.length} bytes`);
      parts.push(Buffer.from(b));
    }
    assert.ok(Buffer.concat(parts).equals(data));
    assert.equal((await p.take(tail.length))?.toString(), tail.toString());
  });
});

describe('zstd damage', () => {
  const main = () => makeCpio(dir, 'dmg', { [mod('scsi/vmw_pvscsi')]: bulk(6, 300_000), [mod('ata/ahci')]: 'y' });

  test('a byte changed anywhere in the frame is a reason, never a throw; inside the data the checksum catches it', async () => {
    const early = earlyMicrocode(dir);
    const z = zstdOf(main());
    for (const at of [4, 5, 6, 9, 200, Math.floor(z.length / 2), z.length - 6, z.length - 2]) {
      const bad = Buffer.from(z);
      bad[at] = bad[at]! ^ 0x5a;
      const got = await readInitramfs(bufferBytes(Buffer.concat([early, bad])));
      assert.ok(got.incomplete !== undefined || got.modules.has('vmw_pvscsi'), `byte ${at}`);
      if (at === z.length - 2) assert.match((got.incomplete ? english(got.incomplete) : ''), /checksum/, `byte ${at}`);
    }
  });

  test('a cut frame says it is cut short', async () => {
    const z = zstdOf(main());
    const got = await readInitramfs(bufferBytes(Buffer.concat([earlyMicrocode(dir), z.subarray(0, z.length - 1000)])));
    assert.match((got.incomplete ? english(got.incomplete) : ''), /cut short/);
  });

  test('a window larger than zstd\'s own limit is refused before any memory is taken', async () => {
    const z = Buffer.from(zstdOf(main()));
    assert.equal((z[4]! >> 5) & 1, 0, 'a frame with a window descriptor');
    z[5] = (31 - 10) << 3; // windowLog 31: 2 GiB
    const got = await readInitramfs(bufferBytes(Buffer.concat([earlyMicrocode(dir), z])));
    assert.match((got.incomplete ? english(got.incomplete) : ''), /2048 MiB window, more than the 128 MiB/);
  });

  test('a damaged Huffman table that makes fzstd loop for ever is stopped by the time limit', async () => {
    // Found by fuzzing: `zstd -t` says "Data corruption detected"; fzstd alone never returns.
    const z = readFileSync(join(__dirname, '../fixtures/guest/zstd-huffman-loop.zst'));
    const got = await readInitramfs(bufferBytes(Buffer.concat([earlyMicrocode(dir), z])));
    assert.match((got.incomplete ? english(got.incomplete) : ''), /did not decode within 5 s \(damaged\)/);
  });

  test('a block larger than a block may be is damage', async () => {
    const z = Buffer.from(zstdOf(Buffer.alloc(10, 1), ['--no-check']));
    const headerEnd = 6; // magic, descriptor, window byte: no dictionary, no content size from a pipe
    const word = 1 | (0 << 1) | (200_000 << 3); // last, raw, 200 000 bytes
    z.writeUIntLE(word, headerEnd, 3);
    const got = await readInitramfs(bufferBytes(Buffer.concat([earlyMicrocode(dir), z])));
    assert.match((got.incomplete ? english(got.incomplete) : ''), /more than the \d+ a block may hold/);
  });
});

function execZstdFile(data: Buffer): Buffer {
  const src = join(dir, 'single.cpio');
  writeFileSync(src, data);
  execFileSync('zstd', ['-q', '-f', src, '-o', `${src}.zst`]);
  return readFileSync(`${src}.zst`);
}
