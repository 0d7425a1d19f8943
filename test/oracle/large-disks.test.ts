// Large virtual disks with little data: conversion must follow the data (a 100 GiB disk with a
// few MiB converts in seconds), offsets past 4 GiB must survive, split outputs must cut at
// VMware's 2047 MiB with data straddling the cut.
import assert from 'node:assert/strict';
import { readdirSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FERRY_BIN, ferry, lastEvent } from '../support/cli';
import { convertsExactly, type MatrixInput } from '../support/matrix';
import { tempDir } from '../support/tmp';
import { qemuCompare, qemuCreateVpc, qemuInfo, qemuIo, run, runOk } from '../support/tools';
import { GiB, MiB, SECTOR, pseudoRandom, writeDynamicVhd, type Piece } from '../support/vhd-writer';

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

const MAX_VHD = 0xff000000 * SECTOR; // 2040 GiB, the largest VHD

/** 8 MiB windows around each piece: the grain map check proves everything else is unallocated. */
function around(truth: { pieces: Piece[] }): Array<[number, number]> {
  return truth.pieces.map((p) => {
    const start = Math.max(0, Math.floor(p.offset / MiB) * MiB - 4 * MiB);
    return [start, Math.min(8 * MiB + p.data.length, MAX_VHD - start)];
  });
}

convertsExactly(
  'writer dynamic VHD of the maximum 2040 GiB with data at both ends and past 2 TiB of sectors',
  (dir): MatrixInput => {
    const vhd = join(dir, 'max.vhd');
    const pieces: Piece[] = [
      { offset: 0, data: pseudoRandom(SECTOR, 11) },
      { offset: 1024 * GiB + 3 * SECTOR, data: pseudoRandom(4096, 12) },
      { offset: MAX_VHD - 2 * SECTOR, data: pseudoRandom(2 * SECTOR, 13) },
    ];
    writeDynamicVhd(vhd, { size: MAX_VHD, pieces });
    return { source: vhd, truth: { size: MAX_VHD, pieces } };
  },
  // (twoGbMaxExtentSparse would be 1021 files: the 100 GiB case covers splitting sparse disks.)
  { subformats: ['monolithicSparse', 'streamOptimized'], maxSeconds: 60, timeoutMs: 240_000, compareWindows: around },
);

describe('a flat output larger than the free space', () => {
  it('is refused before writing with E_NO_SPACE saying how much is needed (exit 3)', async (t) => {
    const dir = tempDir(t);
    const free = Number(statfsSync(dir).bavail) * Number(statfsSync(dir).bsize);
    if (free > MAX_VHD) {
      t.skip(`this file system has ${free} bytes free, more than a 2040 GiB disk needs`);
      return;
    }
    const vhd = join(dir, 'max.vhd');
    writeDynamicVhd(vhd, { size: MAX_VHD, pieces: [] });
    const r = await ferry(['convert', vhd, join(dir, 'flat.vmdk'), '--type', 'fixed', '--json']);
    assert.equal(r.code, 3);
    const ev = lastEvent(r);
    assert.equal(ev.code, 'E_NO_SPACE');
    assert.match(String(ev.message), /TiB|GiB/);
    assert.deepEqual(readdirSync(dir), ['max.vhd']);
  });
});

// A split disk has one file per 2047 MiB: 221 for 440 GiB, 32 768 for the 64 TiB a VHDX can hold,
// more than the open-file limit of many systems. Run with a limit of 200 open files: writing,
// verifying and reading such a disk back must keep only a bounded number open.
describe('a split disk with more extent files than the process may open', () => {
  it('440 GiB VHDX → twoGbMaxExtentSparse (221 files) and back, under `ulimit -n 200`', async (t) => {
    const dir = tempDir(t);
    const vhdx = join(dir, 'big.vhdx');
    runOk('qemu-img', ['create', '-q', '-f', 'vhdx', vhdx, '440G']);
    qemuIo(vhdx, 'vhdx', ['write -q -P 0x11 0 1M', 'write -q -P 0x22 300G 1M', 'write -q -P 0x33 450559M 1M']);
    const limited = (args: string[]) =>
      run('bash', ['-c', 'ulimit -n 200 && exec "$0" "$@"', process.execPath, FERRY_BIN, ...args, '--json'], { timeoutMs: 240_000 });
    const split = limited(['convert', vhdx, join(dir, 'split.vmdk'), '--subformat', 'twoGbMaxExtentSparse']);
    assert.equal(split.code, 0, split.stdout.slice(-2000) + split.stderr);
    assert.equal(readdirSync(dir).filter((n) => /^split-s\d+\.vmdk$/.test(n)).length, Math.ceil(440 * GiB / SPLIT));
    assert.equal(qemuCompare(vhdx, 'vhdx', join(dir, 'split.vmdk'), 'vmdk').code, 0);
    const back = limited(['convert', join(dir, 'split.vmdk'), join(dir, 'back.vmdk')]);
    assert.equal(back.code, 0, back.stdout.slice(-2000) + back.stderr);
    // (qemu-img compare costs about a minute per TiB here, so the read-back is checked against the split disk.)
    assert.equal(qemuCompare(join(dir, 'split.vmdk'), 'vmdk', join(dir, 'back.vmdk'), 'vmdk').code, 0);
  });
});

