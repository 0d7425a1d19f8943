// Inputs for the compressed/raw/VMDK-input suites: made with qemu-img, qemu-io and the system's
// own gzip, bzip2, xz, zip and tar (writers nobody here wrote), plus a way to interrupt a run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FERRY_BIN, assertBuilt, type CliRun } from '../support/cli';
import { qemuCompare, runOk } from '../support/tools';
import { MiB, SECTOR, pseudoRandom, writeRaw, type Piece } from '../support/vhd-writer';

/** Scattered data over a 24 MiB disk: first and last sectors, odd spans, a run crossing grains. */
export function scatteredPieces(size: number, seed: number): Piece[] {
  return [
    { offset: 0, data: pseudoRandom(SECTOR, seed) },
    { offset: 65536 - 512, data: pseudoRandom(4096, seed + 1) },
    { offset: 3 * MiB + 4096, data: pseudoRandom(300 * 1024, seed + 2) },
    { offset: 11 * MiB, data: Buffer.alloc(64 * 1024, 0x5a) },
    { offset: size - SECTOR, data: pseudoRandom(SECTOR, seed + 3) },
  ];
}

export const DISK_SIZE = 24 * MiB;

/** A raw image with scattered data; returns its path. */
export function makeRaw(dir: string, name = 'disk.img', seed = 11): string {
  const path = join(dir, name);
  writeRaw(path, DISK_SIZE, scatteredPieces(DISK_SIZE, seed));
  return path;
}

/** A VHD made from `raw` by qemu-img (dynamic or fixed). */
export function makeVhd(raw: string, vhd: string, subformat: 'dynamic' | 'fixed'): string {
  runOk('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vpc', '-o', `subformat=${subformat}`, raw, vhd]);
  return vhd;
}

export type Container = 'gz' | 'bz2' | 'xz' | 'zip' | 'tar' | 'tar.gz';
export const CONTAINERS: Container[] = ['gz', 'bz2', 'xz', 'zip', 'tar', 'tar.gz'];

/** Packs `file` (in `dir`) with the system's tools; returns the packed file's path. */
export function pack(dir: string, file: string, container: Container, outName?: string): string {
  const out = join(dir, outName ?? `${file}.${container}`);
  const sh = (cmd: string) => runOk('sh', ['-c', cmd], { cwd: dir });
  switch (container) {
    case 'gz':
      sh(`gzip -c '${file}' > '${out}'`);
      break;
    case 'bz2':
      sh(`bzip2 -c '${file}' > '${out}'`);
      break;
    case 'xz':
      sh(`xz -c '${file}' > '${out}'`);
      break;
    case 'zip':
      runOk('zip', ['-q', out, file], { cwd: dir });
      break;
    case 'tar':
      runOk('tar', ['-cf', out, file], { cwd: dir });
      break;
    case 'tar.gz':
      runOk('tar', ['-czf', out, file], { cwd: dir });
      break;
  }
  return out;
}

export function assertIdentical(expected: string, expectedFormat: string, actual: string, actualFormat: string): void {
  const r = qemuCompare(expected, expectedFormat, actual, actualFormat);
  assert.equal(r.code, 0, `qemu-img compare ${expected} ${actual}: ${r.stdout}${r.stderr}`);
  assert.doesNotMatch(r.stdout + r.stderr, /size mismatch/i);
}

/** Hidden scratch or staging folders left in `dir`. */
export function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.includes('.ferry-partial-'));
}

/**
 * Runs `ferry <args> --json` and sends SIGINT once a progress line of `phase` has been printed.
 */
export function ferryInterrupted(args: string[], phase: string, timeoutMs = 60_000): Promise<CliRun & { interrupted: boolean }> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FERRY_BIN, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!interrupted && stdout.includes(`"phase":"${phase}"`) && /"done":[1-9]/.test(stdout)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const json = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, signal, stdout, stderr, json, interrupted });
    });
  });
}

export function writeText(path: string, text: string): string {
  writeFileSync(path, text);
  return path;
}
