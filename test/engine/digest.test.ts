// The digest a conversion keeps of what it read, and the verification that checks the output
// against it without reading the source again, yet names the byte of a mismatch.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DiskDigest, REGION_SIZE, loadHasher, nativeHasher, wasmHasher, type DigestHasher } from '../../worker/engine/copy/digest';
import { markZeroGrains } from '../../worker/engine/copy/grains';
import { verifyWritten, writeVmdk } from '../../worker/engine/copy/write-disk';
import { planVmdk } from '../../worker/engine/writers/vmdk/vmdk-writer';
import { openSource } from '../../worker/engine/sources/open';
import type { DiskSource } from '../../worker/engine/sources/source';
import { tempDir } from '../support/tmp';
import { KiB, MiB, pseudoRandom, writeDynamicVhd } from '../support/vhd-writer';

const GRAIN = 64 * KiB;

/** The digest of `disk` fed in chunks of `chunk` bytes, from `from`. */
async function digestOf(disk: Buffer, chunk: number, maxRegions?: number, from = 0, hasher?: DigestHasher): Promise<DiskDigest> {
  const digest = new DiskDigest(hasher ?? (await loadHasher()), maxRegions);
  for (let at = from; at < disk.length; at += chunk) {
    const data = disk.subarray(at, Math.min(disk.length, at + chunk));
    const zero = new Uint8Array(Math.ceil(chunk / GRAIN));
    markZeroGrains(data, zero);
    digest.add({ offset: at, data, zero });
  }
  digest.finish();
  return digest;
}

describe('DiskDigest', () => {
  const disk = Buffer.alloc(3 * REGION_SIZE + 5000);
  pseudoRandom(3 * GRAIN, 1).copy(disk, 10 * GRAIN);
  pseudoRandom(GRAIN, 2).copy(disk, REGION_SIZE + 63 * GRAIN);
  pseudoRandom(5000, 3).copy(disk, 3 * REGION_SIZE);

  it('does not depend on how the disk was cut into chunks, nor on zero grains read or skipped', async () => {
    const whole = await digestOf(disk, REGION_SIZE);
    assert.equal(whole.compare(await digestOf(disk, GRAIN)), undefined);
    assert.equal(whole.compare(await digestOf(disk, 3 * GRAIN, undefined, 2 * GRAIN)), undefined);
  });

  it('tells apart the same bytes in other grains of a region, at every one of its 64 places', async () => {
    // Only the zero mask records where in its region a non-zero grain sits.
    const grain = pseudoRandom(GRAIN, 11);
    const digests: DiskDigest[] = [];
    for (let place = 0; place < 64; place++) {
      const one = Buffer.alloc(REGION_SIZE);
      grain.copy(one, place * GRAIN);
      digests.push(await digestOf(one, REGION_SIZE));
    }
    for (let a = 0; a < 64; a++) {
      for (let b = a + 1; b < 64; b++) assert.ok(digests[a]!.compare(digests[b]!), `the grain at places ${a} and ${b} gives the same digest`);
    }
  });

  it('catches a flipped byte, a grain moved, lost or made up, and names the region', async () => {
    const want = await digestOf(disk, REGION_SIZE);
    const flipped = Buffer.from(disk);
    flipped[REGION_SIZE + 63 * GRAIN + 9] = flipped[REGION_SIZE + 63 * GRAIN + 9]! ^ 1;
    assert.deepEqual(want.compare(await digestOf(flipped, REGION_SIZE)), { offset: REGION_SIZE });
    const moved = Buffer.from(disk);
    moved.copy(moved, 9 * GRAIN, 10 * GRAIN, 13 * GRAIN);
    moved.fill(0, 12 * GRAIN, 13 * GRAIN);
    assert.deepEqual(want.compare(await digestOf(moved, REGION_SIZE)), { offset: 0 });
    const lost = Buffer.from(disk).fill(0, 3 * REGION_SIZE);
    assert.deepEqual(want.compare(await digestOf(lost, REGION_SIZE)), { offset: 3 * REGION_SIZE });
    const madeUp = Buffer.from(disk);
    madeUp[2 * REGION_SIZE + 7] = 1;
    assert.deepEqual(want.compare(await digestOf(madeUp, REGION_SIZE)), { offset: 2 * REGION_SIZE });
  });

  it('past its list, folds the rest into one running digest that still catches a flipped byte', async () => {
    const want = await digestOf(disk, REGION_SIZE, 1);
    assert.equal(want.compare(await digestOf(disk, GRAIN, 1)), undefined);
    const flipped = Buffer.from(disk);
    flipped[3 * REGION_SIZE + 4999] = flipped[3 * REGION_SIZE + 4999]! ^ 0x80;
    assert.ok(want.compare(await digestOf(flipped, REGION_SIZE, 1)));
  });

  it('the native XXH3 is the one used where the addon is built; the WebAssembly XXH64 catches the same changes', { skip: !nativeHasher() && process.env.FERRY_REQUIRE_TOOLS !== '1' && 'the native addon is not built here' }, async () => {
    const native = nativeHasher();
    assert.ok(native, 'the native addon is built and loads (FERRY_REQUIRE_TOOLS=1)');
    assert.equal((await loadHasher()).name, native.name);
    // XXH3-64 of the empty input, from xxHash's own test vectors; a cut makes no difference.
    assert.equal(native.create64().digest(), 0x2d06800538d394c2n);
    const bytes = pseudoRandom(3 * GRAIN + 7, 9);
    assert.equal(native.create64().update(bytes.subarray(0, 100)).update(bytes.subarray(100)).digest(), native.create64().update(bytes).digest());
    assert.notEqual(native.create64().update(bytes.subarray(1)).digest(), native.create64().update(bytes).digest());
    const wasm = await wasmHasher();
    assert.equal(wasm.create64().digest(), 0xef46db3751d8e999n, 'XXH64 of the empty input');
    for (const hasher of [native, wasm]) {
      const want = await digestOf(disk, REGION_SIZE, undefined, 0, hasher);
      assert.equal(want.compare(await digestOf(disk, GRAIN, undefined, 0, hasher)), undefined, hasher.name);
      const flipped = Buffer.from(disk);
      flipped[10 * GRAIN + 1] = flipped[10 * GRAIN + 1]! ^ 4;
      assert.deepEqual(want.compare(await digestOf(flipped, GRAIN, undefined, 0, hasher)), { offset: 0 }, hasher.name);
    }
  });
});

describe("the addon's XXH3 against xxHash's own xxhsum", () => {
  const xxhsum = spawnSync('xxhsum', ['-V'], { encoding: 'utf8' }).status === 0;
  const requireTools = process.env.FERRY_REQUIRE_TOOLS === '1';
  it('gives xxhsum -H3 of every length and split, on whichever build (SSE2, AVX2) this CPU runs', { skip: (!nativeHasher() || !xxhsum) && !requireTools && 'needs the native addon and xxhsum (Debian: xxhash)' }, (t) => {
    const native = nativeHasher();
    assert.ok(native && xxhsum, 'the addon and xxhsum are here (FERRY_REQUIRE_TOOLS=1)');
    const dir = tempDir(t, 'xxh3');
    const bytes = pseudoRandom(3 * MiB + 4321, 77);
    // Every path of XXH3: short inputs, 129–240 bytes, stripes, whole 1 KiB blocks and the tail.
    const lengths = [0, 1, 3, 16, 17, 128, 129, 240, 241, 1023, 1024, 1025, 64 * KiB, 64 * KiB + 1, 3 * MiB + 4321];
    for (const length of lengths) {
      const input = bytes.subarray(0, length);
      const file = join(dir, `${length}.bin`);
      writeFileSync(file, input);
      const out = spawnSync('xxhsum', ['-H3', file], { encoding: 'utf8' });
      const want = BigInt(`0x${/([0-9a-f]{16})/.exec(out.stdout)![1]}`);
      assert.equal(native.create64().update(input).digest(), want, `${length} bytes in one update`);
      // Split where buffering inside the state starts and ends.
      for (const cut of [1, 63, 256, 1024 + 7]) {
        if (cut >= length) continue;
        assert.equal(native.create64().update(input.subarray(0, cut)).update(input.subarray(cut)).digest(), want, `${length} bytes cut at ${cut}`);
      }
    }
  });
});

describe('verification by digest of a VMDK the engine wrote', () => {
  /** Flips one byte of `file` at `at`. */
  function flip(file: string, at: number): void {
    const fd = openSync(file, 'r+');
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] = b[0]! ^ 0xff;
    writeSync(fd, b, 0, 1, at);
    closeSync(fd);
  }

  /** `source`, counting the bytes read from it. */
  function counted(source: DiskSource): DiskSource & { bytesRead: number } {
    const wrapped = {
      path: source.path,
      size: source.size,
      info: source.info,
      bytesRead: 0,
      runs: () => source.runs(),
      read: async (offset: number, length: number, into: Buffer) => {
        wrapped.bytesRead += length;
        await source.read(offset, length, into);
      },
      close: () => source.close(),
    };
    return wrapped;
  }

  for (const subformat of ['monolithicSparse', 'monolithicFlat', 'streamOptimized'] as const) {
    it(`${subformat}: passes without reading the source again; a flipped output byte is named`, async (t) => {
      const dir = tempDir(t);
      const vhd = writeDynamicVhd(`${dir}/d.vhd`, { size: 8 * MiB, pieces: [{ offset: 3 * MiB, data: pseudoRandom(256 * KiB, 7) }] });
      const source = counted(await openSource(vhd.path));
      try {
        const written = await writeVmdk(source, dir, planVmdk('o.vmdk', subformat, source.size), { adapter: 'lsilogic', hwVersion: 4 }, {});
        const readByConversion = source.bytesRead;
        await verifyWritten(written, source, {});
        assert.equal(source.bytesRead, readByConversion, 'the source is not read by a verification that passes');
        if (subformat !== 'monolithicFlat') return;
        flip(written.files.at(-1)!, 3 * MiB + 1234);
        await assert.rejects(verifyWritten(written, source, {}), { code: 'E_VERIFY', message: new RegExp(`at byte ${3 * MiB + 1234} of the virtual disk`) });
      } finally {
        await source.close();
      }
    });
  }
});
