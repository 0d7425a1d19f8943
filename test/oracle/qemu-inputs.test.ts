// VHDs made by qemu-img / qemu-io (a writer nobody here wrote), of awkward sizes and contents,
// converted into every subformat and checked against the raw bytes they were made from.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertsExactly, type MatrixInput } from '../support/matrix';
import { qemuConvertRawToVpc, qemuCreateVpc, qemuInfo, qemuIo, type VpcSubformat } from '../support/tools';
import { KiB, MiB, SECTOR, pseudoRandom, roundUpToChs, writeRaw, type Piece } from '../support/vhd-writer';

/** The size qemu gives a VHD asked to be `requested` bytes (checked against qemu itself). */
function qemuSize(vhd: string, requested: number, forceSize: boolean): number {
  const size = qemuInfo(vhd, 'vpc')['virtual-size'];
  const expected = forceSize ? requested : roundUpToChs(requested).size;
  assert.equal(size, expected, `qemu sized the ${requested}-byte request as ${size}`);
  return size;
}

/** Writes each piece with qemu-io, in the order given (so qemu allocates blocks out of order). */
function qemuIoWrites(dir: string, vhd: string, pieces: Piece[]): void {
  const cmds = pieces.map((p, i) => {
    const file = join(dir, `piece-${i}.bin`);
    writeFileSync(file, p.data);
    return `write -q -s ${file} ${p.offset} ${p.data.length}`;
  });
  qemuIo(vhd, 'vpc', cmds);
}

/** An empty qemu-img VHD, then scattered qemu-io writes (including the very last sector). */
function scattered(requested: number, subformat: VpcSubformat, forceSize: boolean, seed: number) {
  return (dir: string): MatrixInput => {
    const vhd = join(dir, 'src.vhd');
    qemuCreateVpc(vhd, requested, subformat, forceSize);
    const size = qemuSize(vhd, requested, forceSize);
    const pieces: Piece[] = [
      { offset: size - SECTOR, data: pseudoRandom(SECTOR, seed) }, // the last sector, first
      { offset: 70001, data: pseudoRandom(3000, seed + 1) }, // odd offset and length
      { offset: 0, data: pseudoRandom(SECTOR, seed + 2) }, // the first sector
      { offset: Math.floor(size / 2 / SECTOR) * SECTOR - 4096, data: pseudoRandom(8192, seed + 3) },
      { offset: 65536 - 512, data: pseudoRandom(1024, seed + 4) }, // straddles a grain boundary
      { offset: 70001 + 1000, data: Buffer.alloc(700) }, // zeros over data written before
    ];
    qemuIoWrites(dir, vhd, pieces);
    return { source: vhd, truth: { size, pieces } };
  };
}

/** A raw file of `requested` bytes holding `pieces`, turned into a VHD by `qemu-img convert`. */
function fromRaw(requested: number, subformat: VpcSubformat, forceSize: boolean, pieces: (size: number) => Piece[]) {
  return (dir: string): MatrixInput => {
    const raw = join(dir, 'made-from.raw');
    const content = pieces(requested);
    writeRaw(raw, requested, content);
    const vhd = join(dir, 'src.vhd');
    qemuConvertRawToVpc(raw, vhd, subformat, forceSize);
    const size = qemuSize(vhd, requested, forceSize);
    return { source: vhd, truth: { size, pieces: content } };
  };
}

const full = (seed: number) => (size: number): Piece[] => [{ offset: 0, data: pseudoRandom(size, seed) }];
const none = (): Piece[] => [];
/** Data with holes: random 64 KiB runs every 320 KiB, a zero-filled stretch, and the tail. */
const holes = (seed: number) => (size: number): Piece[] => {
  const out: Piece[] = [];
  for (let at = 0; at + 64 * KiB <= size; at += 320 * KiB) out.push({ offset: at + 4096, data: pseudoRandom(60 * KiB, seed + at) });
  out.push({ offset: size - 3 * SECTOR, data: pseudoRandom(3 * SECTOR, seed) });
  return out;
};

convertsExactly('qemu-img dynamic VHD, 1 MiB + 512 bytes (CHS-rounded), scattered qemu-io writes', scattered(MiB + 512, 'dynamic', false, 11));
convertsExactly('qemu-img dynamic VHD, 33 MiB − 512 bytes, force_size=on, scattered qemu-io writes', scattered(33 * MiB - 512, 'dynamic', true, 21));
convertsExactly('qemu-img fixed VHD, 1 MiB + 512 bytes, force_size=on, scattered qemu-io writes', scattered(MiB + 512, 'fixed', true, 31));
convertsExactly('qemu-img fixed VHD, 5 MiB + 1536 bytes (CHS-rounded), scattered qemu-io writes', scattered(5 * MiB + 1536, 'fixed', false, 41));
convertsExactly('qemu-img dynamic VHD, 7 MiB + 1536 bytes, force_size=on, full of random data', fromRaw(7 * MiB + 1536, 'dynamic', true, full(51)));
convertsExactly('qemu-img dynamic VHD, 33 MiB − 512 bytes (CHS-rounded), full of random data', fromRaw(33 * MiB - 512, 'dynamic', false, full(61)));
convertsExactly('qemu-img fixed VHD, 3 MiB − 512 bytes, force_size=on, full of random data', fromRaw(3 * MiB - 512, 'fixed', true, full(71)));
convertsExactly('qemu-img dynamic VHD, 9 MiB + 512 bytes, force_size=on, empty', fromRaw(9 * MiB + 512, 'dynamic', true, none));
convertsExactly('qemu-img fixed VHD, 2 MiB + 3 KiB (CHS-rounded), empty', fromRaw(2 * MiB + 3 * KiB, 'fixed', false, none));
convertsExactly('qemu-img dynamic VHD, 37 MiB + 7680 bytes (CHS-rounded), data with holes', fromRaw(37 * MiB + 7680, 'dynamic', false, holes(81)));
