// The verification pass: which spans it reads (the union of both disks' data, grain aligned) and
// that it fails, at the right byte, whenever the output does not hold the source's bytes — a
// changed byte, a grain the output lost, a grain the output made up — through in-memory disks and
// through a real VMDK written by the engine and then damaged.
import assert from 'node:assert/strict';
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { describe, it } from 'node:test';
import { verifyWritten, writeVmdk } from '../../worker/engine/copy/write-disk';
import { convert } from '../../worker/engine/jobs/convert';
import { planVmdk } from '../../worker/engine/writers/vmdk/vmdk-writer';
import { FerryError } from '../../worker/engine/errors';
import { DataMap } from '../../worker/engine/copy/grains';
import { dataSpans, forEachChunk, unionDataSpans, type Span } from '../../worker/engine/copy/pipeline';
import { openSource } from '../../worker/engine/sources/open';
import type { DiskSource, Run } from '../../worker/engine/sources/source';
import { verifyAgainst } from '../../worker/engine/copy/verify';
import { tempDir } from '../support/tmp';
import { KiB, MiB, pseudoRandom, writeDynamicVhd, writeFixedVhd } from '../support/vhd-writer';

const GRAIN = 64 * KiB;

/** A disk in memory whose extent map says `data` exactly over `dataRuns`. */
function memoryDisk(bytes: Buffer, dataRuns: Span[], reads: Span[] = []): DiskSource {
  const extents: Run[] = [];
  let at = 0;
  for (const r of dataRuns) {
    if (r.offset > at) extents.push({ offset: at, length: r.offset - at, kind: 'zero' });
    extents.push({ offset: r.offset, length: r.length, kind: 'data' });
    at = r.offset + r.length;
  }
  if (at < bytes.length) extents.push({ offset: at, length: bytes.length - at, kind: 'zero' });
  return {
    path: '/memory',
    size: bytes.length,
    info: {} as DiskSource['info'],
    async *runs() {
      yield* extents;
    },
    async read(offset, length, into) {
      reads.push({ offset, length });
      // Outside its data runs a disk reads zero, whatever the buffer holds.
      into.fill(0, 0, length);
      for (const r of dataRuns) {
        const from = Math.max(offset, r.offset);
        const to = Math.min(offset + length, r.offset + r.length);
        if (from < to) bytes.copy(into, from - offset, from, to);
      }
    },
    close: async () => undefined,
  };
}

async function collect(spans: AsyncIterable<Span>): Promise<Span[]> {
  const out: Span[] = [];
  for await (const s of spans) out.push(s);
  return out;
}

async function verifyError(output: DiskSource, expected: DiskSource): Promise<FerryError> {
  try {
    await verifyAgainst(output, expected);
  } catch (err) {
    assert.ok(err instanceof FerryError, `a FerryError, not ${String(err)}`);
    return err;
  }
  assert.fail('verification passed');
}

describe('spans read by the conversion and the verification', () => {
  it('aligns data runs to grains, merges runs that touch, and cuts them into chunks', async () => {
    const disk = memoryDisk(Buffer.alloc(64 * GRAIN), [
      { offset: 100, length: 10 },
      { offset: GRAIN + 5, length: GRAIN },
      { offset: 10 * GRAIN, length: 5 * GRAIN },
    ]);
    assert.deepEqual(await collect(dataSpans(disk, 2 * GRAIN)), [
      { offset: 0, length: 2 * GRAIN },
      { offset: 2 * GRAIN, length: GRAIN },
      { offset: 10 * GRAIN, length: 2 * GRAIN },
      { offset: 12 * GRAIN, length: 2 * GRAIN },
      { offset: 14 * GRAIN, length: GRAIN },
    ]);
  });

  it('ends the last span at the end of a disk whose size is not whole grains', async () => {
    const size = 3 * GRAIN + 512;
    const disk = memoryDisk(Buffer.alloc(size), [{ offset: 3 * GRAIN, length: 512 }]);
    assert.deepEqual(await collect(dataSpans(disk)), [{ offset: 3 * GRAIN, length: 512 }]);
  });

  it('reads where either disk holds data, once', async () => {
    const size = 32 * GRAIN;
    const a = memoryDisk(Buffer.alloc(size), [
      { offset: 0, length: GRAIN },
      { offset: 8 * GRAIN, length: 4 * GRAIN },
      { offset: 30 * GRAIN, length: GRAIN },
    ]);
    const b = memoryDisk(Buffer.alloc(size), [
      { offset: GRAIN, length: GRAIN },
      { offset: 10 * GRAIN, length: 4 * GRAIN },
      { offset: 20 * GRAIN, length: GRAIN },
    ]);
    const want = [
      { offset: 0, length: 2 * GRAIN },
      { offset: 8 * GRAIN, length: 6 * GRAIN },
      { offset: 20 * GRAIN, length: GRAIN },
      { offset: 30 * GRAIN, length: GRAIN },
    ];
    assert.deepEqual(await collect(unionDataSpans(a, b)), want);
    assert.deepEqual(await collect(unionDataSpans(b, a)), want);
  });
});

describe('reading ahead', () => {
  it('a read that fails while the consumer is still busy ends the run with that error, not an unhandled rejection', async () => {
    const disk = memoryDisk(Buffer.alloc(16 * MiB, 1), [{ offset: 0, length: 16 * MiB }]);
    const failing: DiskSource = {
      ...disk,
      runs: () => disk.runs(),
      read: async (offset, length, into) => {
        if (offset > 0) throw new FerryError('E_CORRUPT', `cannot read at ${offset}`);
        await disk.read(offset, length, into);
      },
    };
    const consumed: number[] = [];
    await assert.rejects(
      forEachChunk(failing, { chunkSize: MiB }, async (chunk) => {
        consumed.push(chunk.offset);
        // Slower than the reads ahead of it, which fail meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }),
      { code: 'E_CORRUPT', message: `cannot read at ${MiB}` },
    );
    assert.deepEqual(consumed, [0]);
  });
});

describe('verification against the source', () => {
  const size = 16 * GRAIN + 1000;
  const source = Buffer.alloc(size);
  pseudoRandom(3 * GRAIN, 1).copy(source, 2 * GRAIN);
  pseudoRandom(1000, 2).copy(source, 16 * GRAIN);
  const sourceRuns = [
    { offset: 2 * GRAIN, length: 3 * GRAIN },
    { offset: 16 * GRAIN, length: 1000 },
  ];

  it('passes when the output holds the same bytes, whatever its own map says', async () => {
    await verifyAgainst(memoryDisk(source, sourceRuns), memoryDisk(source, sourceRuns));
    // The output stored a zero grain the source left unallocated: the same bytes.
    await verifyAgainst(memoryDisk(source, [...sourceRuns, { offset: 8 * GRAIN, length: GRAIN }].sort((x, y) => x.offset - y.offset)), memoryDisk(source, sourceRuns));
  });

  it('names the first byte that differs', async () => {
    const changed = Buffer.from(source);
    changed[3 * GRAIN + 77] = changed[3 * GRAIN + 77]! ^ 0x10;
    changed[4 * GRAIN] = changed[4 * GRAIN]! ^ 0x01;
    const err = await verifyError(memoryDisk(changed, sourceRuns), memoryDisk(source, sourceRuns));
    assert.equal(err.code, 'E_VERIFY');
    assert.match(err.message, new RegExp(`at byte ${3 * GRAIN + 77} of the virtual disk`));
  });

  it('fails when the output lost a grain the source has', async () => {
    const err = await verifyError(memoryDisk(source, [sourceRuns[0]!]), memoryDisk(source, sourceRuns));
    assert.match(err.message, new RegExp(`at byte ${16 * GRAIN} `));
  });

  it('fails when the output holds data where the source reads zero', async () => {
    const extra = Buffer.from(source);
    extra[9 * GRAIN + 3] = 1;
    const err = await verifyError(memoryDisk(extra, [...sourceRuns, { offset: 9 * GRAIN, length: GRAIN }].sort((x, y) => x.offset - y.offset)), memoryDisk(source, sourceRuns));
    assert.match(err.message, new RegExp(`at byte ${9 * GRAIN + 3} `));
  });

  it('fails on a size that differs', async () => {
    const err = await verifyError(memoryDisk(source.subarray(0, size - 512), sourceRuns.slice(0, 1)), memoryDisk(source, sourceRuns));
    assert.equal(err.code, 'E_VERIFY');
  });

  it('reads a flat output written in this run only where the source has data', async () => {
    const reads: Span[] = [];
    await verifyAgainst(memoryDisk(source, [{ offset: 0, length: size }], reads), memoryDisk(source, sourceRuns), { writtenOnlyAtSourceData: true });
    assert.deepEqual(reads, [
      { offset: 2 * GRAIN, length: 3 * GRAIN },
      { offset: 16 * GRAIN, length: 1000 },
    ]);
  });

  it("reads the source again only where the conversion's map says it held data, and still catches output data elsewhere", async () => {
    // The map as a conversion of a fixed disk leaves it: all grains read, only the non-zero ones marked.
    const map = new DataMap(size);
    const zero = new Uint8Array(Math.ceil(size / GRAIN)).fill(1);
    for (const r of sourceRuns) for (let g = Math.floor(r.offset / GRAIN); g * GRAIN < r.offset + r.length; g++) zero[g] = 0;
    map.mark(0, size, zero);
    const whole = [{ offset: 0, length: size }];
    const reads: Span[] = [];
    await verifyAgainst(memoryDisk(source, sourceRuns), memoryDisk(source, whole, reads), { sourceData: map });
    assert.deepEqual(reads, [
      { offset: 2 * GRAIN, length: 3 * GRAIN },
      { offset: 16 * GRAIN, length: 1000 },
    ]);
    const extra = Buffer.from(source);
    extra[9 * GRAIN + 3] = 1;
    const withExtra = [...sourceRuns, { offset: 9 * GRAIN, length: GRAIN }].sort((x, y) => x.offset - y.offset);
    await assert.rejects(verifyAgainst(memoryDisk(extra, withExtra), memoryDisk(source, whole), { sourceData: map }), new RegExp(`at byte ${9 * GRAIN + 3} `));
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(verifyAgainst(memoryDisk(source, sourceRuns), memoryDisk(source, sourceRuns), { signal: ac.signal }), { code: 'E_CANCELLED' });
  });
});

describe('DataMap: where the conversion found data', () => {
  it('lists the marked grains as merged extents, the last one cut at the end of the disk', async () => {
    const size = 10 * GRAIN + 512;
    const map = new DataMap(size);
    assert.equal(map.cell, GRAIN);
    map.mark(0, 4 * GRAIN, Uint8Array.from([1, 0, 0, 1]));
    map.mark(4 * GRAIN, 2 * GRAIN, Uint8Array.from([1, 0]));
    map.mark(8 * GRAIN, 2 * GRAIN + 512, Uint8Array.from([1, 1, 0]));
    assert.deepEqual(await collect(dataSpans(map)), [
      { offset: GRAIN, length: 2 * GRAIN },
      { offset: 5 * GRAIN, length: GRAIN },
      { offset: 10 * GRAIN, length: 512 },
    ]);
  });

  it('stays within 4 MiB for the largest disks by marking cells of several grains', async () => {
    const size = 64 * 2 ** 40;
    const map = new DataMap(size);
    assert.equal(map.cell, 32 * GRAIN);
    map.mark(size - GRAIN, GRAIN, Uint8Array.from([0]));
    assert.deepEqual(await collect(dataSpans(map, 1 << 30)), [{ offset: size - 32 * GRAIN, length: 32 * GRAIN }]);
  });

  it('a conversion fills it from the grains it read, so a fixed disk with little data verifies reading little', async (t) => {
    const dir = tempDir(t);
    const vhd = writeFixedVhd(`${dir}/f.vhd`, { size: 8 * MiB, pieces: [{ offset: 5 * MiB + 100, data: pseudoRandom(1000, 3) }] });
    const source = await openSource(vhd.path);
    try {
      const written = await writeVmdk(source, dir, planVmdk('o.vmdk', 'monolithicSparse', source.size), { adapter: 'lsilogic', hwVersion: 4 }, {});
      assert.deepEqual(await collect(dataSpans(written.dataMap)), [{ offset: 5 * MiB, length: GRAIN }]);
      await verifyWritten(written, source, {});
    } finally {
      await source.close();
    }
  });
});

describe('verification of a VMDK the engine wrote', () => {
  /** Flips one byte of `file` at `at`. */
  function flip(file: string, at: number): void {
    const fd = openSync(file, 'r+');
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] = b[0]! ^ 0xff;
    writeSync(fd, b, 0, 1, at);
    closeSync(fd);
  }

  for (const subformat of ['monolithicSparse', 'monolithicFlat', 'streamOptimized'] as const) {
    it(`${subformat}: a byte changed in the written data fails verification`, async (t) => {
      const dir = tempDir(t);
      const vhd = writeDynamicVhd(`${dir}/d.vhd`, { size: 8 * MiB, pieces: [{ offset: 3 * MiB, data: pseudoRandom(256 * KiB, 7) }] });
      const source = await openSource(vhd.path);
      try {
        const written = await writeVmdk(source, dir, planVmdk('o.vmdk', subformat, source.size), { adapter: 'lsilogic', hwVersion: 4 }, {});
        await verifyWritten(written, source, {});
        // Flat: the data sits at its own offset. Sparse: the grains are the file's last part.
        // Stream: the first grain follows the 64 KiB of header and descriptor.
        const target = written.files.at(-1)!;
        if (subformat === 'monolithicFlat') flip(target, 3 * MiB + 1234);
        else if (subformat === 'monolithicSparse') flip(target, statSync(target).size - 100 * KiB);
        else flip(target, 64 * KiB + 512 + 20);
        await assert.rejects(verifyWritten(written, source, {}), (err: unknown) => err instanceof FerryError && (err.code === 'E_VERIFY' || err.code === 'E_CORRUPT'));
      } finally {
        await source.close();
      }
    });
  }

  it('a conversion reports verified, and its output holds the data bytes it counted', async (t) => {
    const dir = tempDir(t);
    const vhd = writeDynamicVhd(`${dir}/d.vhd`, { size: 8 * MiB, pieces: [{ offset: MiB, data: pseudoRandom(200 * KiB, 8) }] });
    const r = await convert({ kind: 'convert', source: vhd.path, output: `${dir}/o.vmdk`, subformat: 'monolithicSparse', adapter: 'lsilogic', verify: true, overwrite: false });
    assert.equal(r.verified, true);
    assert.equal(r.dataBytes, 4 * GRAIN, '200 KiB from a grain boundary touches four grains');
  });
});
