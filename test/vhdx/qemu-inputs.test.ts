// VHDX made by qemu-img / qemu-io (a writer nobody here wrote): dynamic and fixed, 1/8/32 MiB
// blocks, odd sizes, empty, large and sparse; each converted into the sparse, flat and
// stream-optimized subformats and compared with the raw bytes it was made from.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Subformat } from '../../shared/options';
import { inspectDisk } from '../../worker/engine/inspect/inspect';
import { convertsExactly, type MatrixInput } from '../support/matrix';
import { tempDir } from '../support/tmp';
import { qemuInfo, qemuIo, runOk } from '../support/tools';
import { KiB, MiB, SECTOR, pseudoRandom, writeRaw, type Piece } from '../support/vhd-writer';

const SUBFORMATS: readonly Subformat[] = ['monolithicSparse', 'monolithicFlat', 'streamOptimized'];
type Sub = 'dynamic' | 'fixed';

function qemuCreateVhdx(path: string, size: number, subformat: Sub, blockSize: number): void {
  runOk('qemu-img', ['create', '-q', '-f', 'vhdx', '-o', `subformat=${subformat},block_size=${blockSize}`, path, String(size)]);
}

function vhdxSize(path: string, requested: number): number {
  const size = qemuInfo(path, 'vhdx')['virtual-size'];
  assert.equal(size, requested, 'qemu kept the requested (sector-multiple) size');
  return size;
}

/** An empty qemu-img VHDX, then scattered qemu-io writes in an awkward order (the last sector first). */
function scattered(requested: number, subformat: Sub, blockSize: number, seed: number) {
  return (dir: string): MatrixInput => {
    const vhdx = join(dir, 'src.vhdx');
    qemuCreateVhdx(vhdx, requested, subformat, blockSize);
    const size = vhdxSize(vhdx, requested);
    const pieces: Piece[] = [
      { offset: size - SECTOR, data: pseudoRandom(SECTOR, seed) },
      { offset: 70001, data: pseudoRandom(3000, seed + 1) },
      { offset: 0, data: pseudoRandom(SECTOR, seed + 2) },
      { offset: blockSize - 1536, data: pseudoRandom(4096, seed + 3) }, // across a block boundary
      { offset: Math.floor(size / 2 / SECTOR) * SECTOR - 4096, data: pseudoRandom(8192, seed + 4) },
      { offset: 70001 + 1000, data: Buffer.alloc(700) }, // zeros over data written before
    ];
    const cmds = pieces.map((p, i) => {
      const file = join(dir, `piece-${i}.bin`);
      writeFileSync(file, p.data);
      return `write -q -s ${file} ${p.offset} ${p.data.length}`;
    });
    qemuIo(vhdx, 'vhdx', cmds);
    return { source: vhdx, truth: { size, pieces } };
  };
}

/** A raw file turned into a VHDX by `qemu-img convert` (zeros skipped, blocks in order). */
function fromRaw(requested: number, subformat: Sub, blockSize: number, pieces: Piece[]) {
  return (dir: string): MatrixInput => {
    const raw = join(dir, 'made-from.raw');
    writeRaw(raw, requested, pieces);
    const vhdx = join(dir, 'src.vhdx');
    runOk('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vhdx', '-o', `subformat=${subformat},block_size=${blockSize}`, raw, vhdx]);
    return { source: vhdx, truth: { size: vhdxSize(vhdx, requested), pieces } };
  };
}

/** Random 48 KiB runs every 700 KiB and the tail: holes inside blocks and whole empty blocks. */
function holes(size: number, seed: number): Piece[] {
  const out: Piece[] = [];
  for (let at = 0; at + 64 * KiB <= size; at += 700 * KiB) out.push({ offset: at + 4096, data: pseudoRandom(48 * KiB, seed + at) });
  out.push({ offset: size - 3 * SECTOR, data: pseudoRandom(3 * SECTOR, seed) });
  return out;
}

const opts = { subformats: SUBFORMATS };
convertsExactly('qemu-img dynamic VHDX, 1 MiB blocks, 5 MiB + 1536 bytes, scattered qemu-io writes', scattered(5 * MiB + 1536, 'dynamic', MiB, 101), opts);
convertsExactly('qemu-img fixed VHDX, 1 MiB blocks, 3 MiB − 512 bytes, scattered qemu-io writes', scattered(3 * MiB - 512, 'fixed', MiB, 111), opts);
convertsExactly('qemu-img dynamic VHDX, 8 MiB blocks, 21 MiB + 512 bytes, scattered qemu-io writes', scattered(21 * MiB + 512, 'dynamic', 8 * MiB, 121), opts);
convertsExactly('qemu-img fixed VHDX, 8 MiB blocks, 17 MiB − 3584 bytes, data with holes', fromRaw(17 * MiB - 3584, 'fixed', 8 * MiB, holes(17 * MiB - 3584, 131)), opts);
convertsExactly('qemu-img dynamic VHDX, 32 MiB blocks, 70 MiB − 512 bytes, data with holes', fromRaw(70 * MiB - 512, 'dynamic', 32 * MiB, holes(70 * MiB - 512, 141)), opts);
convertsExactly('qemu-img dynamic VHDX, 32 MiB blocks, 40 MiB + 2560 bytes, full of random data', fromRaw(40 * MiB + 2560, 'dynamic', 32 * MiB, [{ offset: 0, data: pseudoRandom(40 * MiB + 2560, 151) }]), opts);
convertsExactly('qemu-img dynamic VHDX, 32 MiB blocks, 100 MiB, empty', fromRaw(100 * MiB, 'dynamic', 32 * MiB, []), opts);
convertsExactly('qemu-img fixed VHDX, 1 MiB blocks, 9 MiB + 512 bytes, empty', fromRaw(9 * MiB + 512, 'fixed', MiB, []), opts);

const GiB = 1024 * MiB;
// Sparse outputs only: a monolithicFlat disk is preallocated by design, 64 GiB of real disk space.
convertsExactly('qemu-img dynamic VHDX, 64 GiB with a few MiB of data at the start, middle and end (must be fast)', (dir) => scatteredLarge(dir, 64 * GiB), {
  subformats: ['monolithicSparse', 'streamOptimized'],
  timeoutMs: 30_000,
});

function scatteredLarge(dir: string, size: number): MatrixInput {
  const vhdx = join(dir, 'big.vhdx');
  qemuCreateVhdx(vhdx, size, 'dynamic', 32 * MiB);
  const pieces: Piece[] = [
    { offset: 0, data: pseudoRandom(MiB, 161) },
    { offset: 33 * GiB + 12345 * SECTOR, data: pseudoRandom(2 * MiB + 512, 162) },
    { offset: size - 64 * KiB - SECTOR, data: pseudoRandom(64 * KiB + SECTOR, 163) },
  ];
  const cmds = pieces.map((p, i) => {
    const file = join(dir, `piece-${i}.bin`);
    writeFileSync(file, p.data);
    return `write -q -s ${file} ${p.offset} ${p.data.length}`;
  });
  qemuIo(vhdx, 'vhdx', cmds);
  return { source: vhdx, truth: { size: vhdxSize(vhdx, size), pieces } };
}

describe('inspect on qemu-img VHDX', () => {
  const dir = tempDir({ after }, 'ferry-vhdx-inspect');
  it('reports format, variant, block size, creator and the disk id', async () => {
    for (const [sub, bs] of [
      ['dynamic', 8 * MiB],
      ['fixed', MiB],
    ] as const) {
      const path = join(dir, `${sub}.vhdx`);
      qemuCreateVhdx(path, 5 * MiB, sub, bs);
      const info = await inspectDisk(path);
      assert.equal(info.format, 'vhdx');
      assert.equal(info.variant, sub);
      assert.equal(info.virtualSize, 5 * MiB);
      assert.equal(info.blockSize, bs);
      assert.match(info.creator?.app ?? '', /^QEMU v\d/);
      assert.match(info.uuid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.deepEqual(info.parents, []);
      assert.deepEqual(info.warnings, []);
    }
  });
});
