// Large virtual disks with little data: conversion must follow the data (a 100 GiB disk with a
// few MiB converts in seconds), offsets past 4 GiB must survive, split outputs must cut at
// VMware's 2047 MiB with data straddling the cut.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertsExactly, type MatrixInput } from '../support/matrix';
import { qemuCreateVpc, qemuInfo, qemuIo } from '../support/tools';
import { GiB, MiB, SECTOR, pseudoRandom, type Piece } from '../support/vhd-writer';

const SPLIT = 4192256 * SECTOR; // 2047 MiB, VMware's extent size

function qemuWrites(dir: string, vhd: string, pieces: Piece[]): void {
  qemuIo(
    vhd,
    'vpc',
    pieces.map((p, i) => {
      const file = join(dir, `piece-${i}.bin`);
      writeFileSync(file, p.data);
      return `write -q -s ${file} ${p.offset} ${p.data.length}`;
    }),
  );
}

convertsExactly(
  'qemu-img 100 GiB dynamic VHD holding a few MiB (past 4 GiB, across extent cuts, the last sector) converts in seconds',
  (dir): MatrixInput => {
    const vhd = join(dir, 'big.vhd');
    qemuCreateVpc(vhd, 100 * GiB, 'dynamic');
    const size = qemuInfo(vhd, 'vpc')['virtual-size'];
    const pieces: Piece[] = [
      { offset: size - SECTOR, data: pseudoRandom(SECTOR, 1) },
      { offset: 50 * GiB + 12345 * SECTOR, data: pseudoRandom(MiB, 2) },
      { offset: SPLIT - 64 * 1024, data: pseudoRandom(192 * 1024, 3) }, // straddles the first extent cut
      { offset: 7 * SPLIT - SECTOR, data: pseudoRandom(2 * SECTOR, 4) }, // two sectors across the 7th cut
      { offset: 0, data: pseudoRandom(64 * 1024, 5) },
      { offset: 4 * GiB - 4096, data: pseudoRandom(8192, 6) }, // across the 4 GiB line
    ];
    qemuWrites(dir, vhd, pieces);
    return { source: vhd, truth: { size, pieces } };
  },
  { subformats: ['monolithicSparse', 'twoGbMaxExtentSparse', 'streamOptimized'], maxSeconds: 30, timeoutMs: 180_000 },
);

convertsExactly(
  'qemu-img dynamic VHD of 2047 MiB + 1 MiB + 512 bytes splits into a full extent and a short one, data straddling the cut',
  (dir): MatrixInput => {
    const vhd = join(dir, 'mid.vhd');
    const size = SPLIT + MiB + SECTOR;
    qemuCreateVpc(vhd, size, 'dynamic', true);
    assert.equal(qemuInfo(vhd, 'vpc')['virtual-size'], size);
    const pieces: Piece[] = [
      { offset: SPLIT - 3 * SECTOR, data: pseudoRandom(5 * SECTOR, 7) },
      { offset: size - SECTOR, data: pseudoRandom(SECTOR, 8) },
      { offset: 1000 * MiB, data: pseudoRandom(MiB, 9) },
    ];
    qemuWrites(dir, vhd, pieces);
    return { source: vhd, truth: { size, pieces } };
  },
  // Verifying a flat output reads the whole virtual size (see work-follows-data.test.ts): skip it here.
  { timeoutMs: 180_000, noVerify: ['monolithicFlat', 'twoGbMaxExtentFlat'] },
);
