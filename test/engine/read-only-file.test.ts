// ReadOnlyFile reads what the page cache holds in place (the addon's readCached: Linux's preadv2
// with RWF_NOWAIT) and the rest through libuv; every byte must come back whichever path took it,
// including a file whose pages were dropped from the cache, wholly or in part.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ReadOnlyFile } from '../../worker/engine/io/read-only-file';
import { nativeAddon } from '../../worker/engine/io/native-addon';
import { tempDir } from '../support/tmp';
import { KiB, MiB, pseudoRandom } from '../support/vhd-writer';

const requireTools = process.env.FERRY_REQUIRE_TOOLS === '1';

/** Writes `data` to `path` and makes it clean on disk, so the kernel may drop its cached pages. */
function writeClean(path: string, data: Buffer): void {
  writeFileSync(path, data);
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Drops the file's pages from the page cache (coreutils dd: posix_fadvise DONTNEED). */
function dropCache(path: string): void {
  const r = spawnSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** Reads the whole file through ReadOnlyFile at a mix of offsets and lengths, one piece and several. */
async function readBack(path: string, data: Buffer): Promise<void> {
  const file = await ReadOnlyFile.open(path);
  try {
    for (const [pos, len] of [
      [0, data.length],
      [1, 3 * MiB + 5],
      [data.length - 777, 777],
      [512 * KiB + 3, 2 * MiB + 1],
    ] as const) {
      const got = await file.readExact(pos, len, 'test bytes');
      assert.ok(got.equals(data.subarray(pos, pos + len)), `bytes ${pos}..${pos + len}`);
    }
  } finally {
    await file.close();
  }
}

for (const backend of ['addon', 'libuv only'] as const) {
  describe(`ReadOnlyFile (${backend})`, { skip: backend === 'addon' && !nativeAddon() && !requireTools && 'the native addon is not built here' }, () => {
    const before_ = process.env.FERRY_NATIVE;
    before(() => {
      if (backend === 'libuv only') process.env.FERRY_NATIVE = 'off';
      else assert.ok(nativeAddon(), 'the native addon is built and loads (FERRY_REQUIRE_TOOLS=1)');
    });
    after(() => {
      if (before_ === undefined) delete process.env.FERRY_NATIVE;
      else process.env.FERRY_NATIVE = before_;
    });

    it('reads a file just written (its pages cached) exactly, at odd offsets and across pieces', async (t) => {
      const path = join(tempDir(t), 'cached');
      const data = pseudoRandom(5 * MiB + 777, 3);
      writeFileSync(path, data);
      await readBack(path, data);
    });

    it('reads a file whose pages were dropped from the cache, and one with only its head cached, exactly', async (t) => {
      const path = join(tempDir(t), 'dropped');
      const data = pseudoRandom(5 * MiB + 777, 4);
      writeClean(path, data);
      dropCache(path);
      await readBack(path, data);
      dropCache(path);
      const fd = openSync(path, 'r');
      try {
        readSync(fd, Buffer.alloc(MiB), 0, MiB, 0);
      } finally {
        closeSync(fd);
      }
      await readBack(path, data);
    });
  });
}

describe('the addon reads only what the page cache holds', { skip: !nativeAddon() && !requireTools && 'the native addon is not built here' }, () => {
  it('all of a cached file, none of a dropped one, the head once it is read again; to the end and no further', async (t) => {
    const addon = nativeAddon()!.addon;
    const path = join(tempDir(t), 'f');
    const data = pseudoRandom(8 * MiB, 5);
    writeClean(path, data);
    const fd = openSync(path, 'r');
    t.after(() => closeSync(fd));
    const buf = Buffer.alloc(data.length + 10);
    const cached = addon.readCached(fd, buf, 10, data.length, 0);
    if (cached < 0) {
      assert.ok(process.platform !== 'linux' || !requireTools, 'Linux with RWF_NOWAIT is what CI runs on');
      t.skip('this system cannot read from the page cache without waiting');
      return;
    }
    assert.equal(cached, data.length);
    assert.ok(buf.subarray(10).equals(data));
    assert.equal(addon.readCached(fd, buf, 0, 100, data.length - 40), 40, 'a read past the end stops at it');
    assert.equal(addon.readCached(fd, buf, 0, 100, data.length), 0);

    dropCache(path);
    const none = addon.readCached(fd, buf, 0, data.length, 0);
    if (none === data.length) {
      t.skip('this file system keeps every page in memory (tmpfs?): nothing to drop');
      return;
    }
    assert.ok(none < MiB, `a dropped file gives (nearly) nothing from the cache, not ${none} bytes`);
    readSync(fd, Buffer.alloc(MiB), 0, MiB, 0);
    // At least the MiB read is cached; the kernel's read-ahead may have brought in any part of the rest.
    const head = addon.readCached(fd, buf, 0, data.length, 0);
    assert.ok(head >= MiB, `the head read is cached (${head} bytes)`);
    assert.ok(buf.subarray(0, head).equals(data.subarray(0, head)));
  });

  it('throws on arguments it cannot take', () => {
    const addon = nativeAddon()!.addon;
    assert.throws(() => addon.readCached(-1, Buffer.alloc(10), 0, 10, 0), /readCached/);
    assert.throws(() => addon.readCached(0, Buffer.alloc(10), 5, 10, 0), /readCached/);
    assert.throws(() => addon.readCached(0, 'x' as never, 0, 1, 0), /readCached/);
  });
});
