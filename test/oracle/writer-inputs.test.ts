// VHDs from the test's own writer, for shapes qemu-img does not make: block sizes and layouts,
// creator-specific size rules, 511-byte footers, damaged footers, saved state. Each converted into
// every subformat and compared with the bytes the writer says the disk holds.
import { join } from 'node:path';
import { convertsExactly, type MatrixInput } from '../support/matrix';
import {
  KiB,
  MiB,
  SECTOR,
  chsBytes,
  chsForSectors,
  pseudoRandom,
  roundUpToChs,
  writeDynamicVhd,
  writeFixedVhd,
  type DynamicOptions,
  type Piece,
} from '../support/vhd-writer';

/** Data in the first and last sectors and here and there between: enough to tell any shift. */
function spread(size: number, seed: number): Piece[] {
  return [
    { offset: 0, data: pseudoRandom(4 * KiB, seed) },
    { offset: 100 * KiB + 17, data: pseudoRandom(5000, seed + 1) },
    { offset: Math.floor(size / 3 / SECTOR) * SECTOR, data: pseudoRandom(200 * KiB, seed + 2) },
    { offset: size - SECTOR, data: pseudoRandom(SECTOR, seed + 3) },
  ];
}

function dynamic(size: number, o: Omit<DynamicOptions, 'size' | 'pieces'> & { pieces?: Piece[] }, seed: number) {
  return (dir: string): MatrixInput => {
    const pieces = o.pieces ?? spread(size, seed);
    const source = join(dir, 'src.vhd');
    writeDynamicVhd(source, { ...o, size, pieces });
    return { source, truth: { size, pieces } };
  };
}

// Layouts: block sizes, physical order of blocks, BAT placement.
convertsExactly('writer dynamic VHD, 512 KiB blocks stored in shuffled order', dynamic(5 * MiB + 512, { blockSize: 512 * KiB, blockOrder: 'shuffled' }, 1));
convertsExactly('writer dynamic VHD, 2 MiB blocks stored in descending order, BAT after a gap', dynamic(9 * MiB - 1024, { blockOrder: 'descending', tableOffset: 64 * KiB }, 2));
convertsExactly('writer dynamic VHD, 32 KiB blocks (smaller than a 64 KiB grain), half the blocks of a grain allocated', dynamic(MiB + 3 * SECTOR, { blockSize: 32 * KiB, pieces: [
  { offset: 32 * KiB, data: pseudoRandom(32 * KiB, 3) }, // the second half of grain 0 only
  { offset: 5 * 64 * KiB, data: pseudoRandom(10 * KiB, 4) }, // the first half of grain 5 only
  { offset: MiB + 2 * SECTOR, data: pseudoRandom(SECTOR, 5) }, // the last sector
] }, 3));
convertsExactly('writer dynamic VHD, allocated blocks that hold only zeros, spare BAT entries', dynamic(4 * MiB, { blockSize: 512 * KiB, extraBlocks: [1, 2, 7], spareTableEntries: 9 }, 4));
// A grain table covers 32 MiB: data every 16 MiB fills seven of them, each finished (and written
// out beside the grains) while the writer goes on with the next.
convertsExactly('writer dynamic VHD, data in seven grain tables of the output', dynamic(224 * MiB, { pieces: Array.from({ length: 14 }, (_, i) => ({ offset: i * 16 * MiB + i * 4 * KiB, data: pseudoRandom(80 * KiB, 40 + i) })) }, 5));

// The creator-aware size rule (docs/vhd.md#which-size): current size vs CHS geometry.
/** A disk whose footer says `currentSize` and `geometry`; the data runs to the larger of the two. */
function sizeRule(creatorApp: string, currentSize: number, geometry: ReturnType<typeof chsForSectors>, expected: 'current' | 'chs', seed: number) {
  return (dir: string): MatrixInput => {
    const size = expected === 'chs' ? chsBytes(geometry) : currentSize;
    const coverage = Math.max(currentSize, Math.min(chsBytes(geometry), 64 * MiB));
    // Bytes up to the end of both candidate sizes: the truth keeps those inside the chosen one.
    const pieces: Piece[] = [
      { offset: 0, data: pseudoRandom(SECTOR, seed) },
      { offset: Math.min(currentSize, chsBytes(geometry)) - SECTOR, data: pseudoRandom(SECTOR, seed + 1) },
      { offset: coverage - SECTOR, data: pseudoRandom(SECTOR, seed + 2) },
    ];
    const source = join(dir, 'src.vhd');
    writeDynamicVhd(source, { size: currentSize, currentSize, geometry, coverage, creatorApp, pieces });
    return { source, truth: { size, pieces } };
  };
}

const fourMiB = 4 * MiB; // 8192 sectors: CHS 120/4/17 = 8160 sectors, 32 fewer than the current size
const chs4 = chsForSectors(fourMiB / SECTOR);
const bigger = roundUpToChs(fourMiB + 10 * KiB); // a CHS size above the current size

convertsExactly('creator "vpc " (Virtual PC) is sized by CHS, smaller than the current size', sizeRule('vpc ', fourMiB, chs4, 'chs', 10));
convertsExactly('creator "qemu" is sized by CHS, larger than the current size', sizeRule('qemu', fourMiB, bigger.geometry, 'chs', 11));
convertsExactly('creator "win " (Hyper-V) is sized by the current size', sizeRule('win ', fourMiB, chs4, 'current', 12));
convertsExactly('creator "qem2" (qemu force_size) is sized by the current size', sizeRule('qem2', fourMiB, chs4, 'current', 13));
convertsExactly('creator "d2v " (Disk2vhd) is sized by the current size', sizeRule('d2v ', fourMiB, bigger.geometry, 'current', 14));
convertsExactly('creator "wa\\0\\0" (Azure) is sized by the current size', sizeRule('wa\0\0', fourMiB, chs4, 'current', 15));
convertsExactly('an unknown creator is sized by the current size', sizeRule('zzzz', fourMiB, chs4, 'current', 16));
convertsExactly('creator "vpc " with the maximum geometry 65535/16/255 is sized by the current size', sizeRule('vpc ', fourMiB + 7 * SECTOR, { cylinders: 65535, heads: 16, sectorsPerTrack: 255 }, 'current', 17));

// Footers.
convertsExactly('fixed VHD with the 511-byte footer of Virtual PC before 2004', (dir) => {
  const { size, geometry } = roundUpToChs(3 * MiB);
  const pieces = spread(size, 20);
  const source = join(dir, 'old.vhd');
  writeFixedVhd(source, { size, geometry, pieces, footerLength: 511, creatorApp: 'vpc ', creatorVersion: 0x00040000 });
  return { source, truth: { size, pieces } };
});
convertsExactly('dynamic VHD whose footer at the end has a bad checksum converts from the copy at 0, with a warning', (dir) => {
  const size = 3 * MiB;
  const pieces = spread(size, 30);
  const source = join(dir, 'src.vhd');
  writeDynamicVhd(source, { size, pieces, blockSize: 512 * KiB, corrupt: { eofFooterChecksum: true } });
  return { source, truth: { size, pieces }, warnings: [/checksum/i] };
});
convertsExactly('dynamic VHD missing its footer at the end (truncated) converts from the copy at 0, with a warning', (dir) => {
  const size = 3 * MiB;
  const pieces = spread(size, 31);
  const source = join(dir, 'src.vhd');
  writeDynamicVhd(source, { size, pieces, blockSize: 512 * KiB, corrupt: { dropEofFooter: true } });
  return { source, truth: { size, pieces }, warnings: [/missing|truncated/i] };
});
convertsExactly('dynamic VHD whose footer copy at 0 has a bad checksum converts from the footer at the end', (dir) => {
  const size = 3 * MiB;
  const pieces = spread(size, 32);
  const source = join(dir, 'src.vhd');
  writeDynamicVhd(source, { size, pieces, corrupt: { copyFooterChecksum: true } });
  return { source, truth: { size, pieces }, warnings: [] };
});
convertsExactly('fixed VHD of a saved virtual machine converts, with a saved-state warning', (dir) => {
  const size = 2 * MiB;
  const pieces = spread(size, 40);
  const source = join(dir, 'src.vhd');
  writeFixedVhd(source, { size, pieces, savedState: true });
  return { source, truth: { size, pieces }, warnings: [/saved/i] };
});
