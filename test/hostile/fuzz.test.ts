// A seeded fuzz loop over the headers and tables of valid VHD, VHDX and VMDK files: bit flips,
// byte sets, boundary integers (0, 1, 2^31-1, 2^32-1, 2^63, …), truncations, checksums resealed
// or not. Each mutant goes through `inspect` and `convert` in-process (in a worker thread, so a
// hang can be cut off), and every 25th also through the CLI. The properties: every run ends within
// the per-case timeout; it succeeds or throws a FerryError whose code is a bad-input code (never
// E_INTERNAL, never a plain Error); nothing is left in the output folder but a finished disk; the
// source folder is byte-identical afterwards.
//
// FERRY_FUZZ_SEED replays a run, FERRY_FUZZ_CASE=<n> replays one case of it, FERRY_FUZZ_SECONDS
// bounds it (default 60).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { exitCodeFor, type ErrorCode } from '../../shared/errors';
import { ROOT } from '../support/cli';
import { buildBases, fuzzBases, writeSparse, type FuzzBase } from './corpus';
import type { FuzzReply, FuzzTask, Outcome } from './fuzz-worker';
import { MAX_RSS_KB, ferryLimited, snapshot, stackFrames } from './run';

const SEED = process.env.FERRY_FUZZ_SEED ? Number(process.env.FERRY_FUZZ_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
const SECONDS = Number(process.env.FERRY_FUZZ_SECONDS ?? 60);
const ONLY = process.env.FERRY_FUZZ_CASE === undefined ? undefined : Number(process.env.FERRY_FUZZ_CASE);
const CASE_TIMEOUT_MS = Number(process.env.FERRY_FUZZ_CASE_TIMEOUT_MS ?? 10_000);
const CLI_EVERY = 25;
const MIN_LENGTH = Number(process.env.FERRY_FUZZ_MIN_LENGTH ?? 1);
/** The answers a hostile input may get: bad input, or a destination too small for what it claims. */
const ALLOWED = new Set<string>(['E_NOT_FOUND', 'E_NOT_A_DISK', 'E_UNSUPPORTED', 'E_CORRUPT', 'E_PARENT_MISSING', 'E_PARENT_MISMATCH', 'E_PARENT_LOOP', 'E_NO_SPACE'] satisfies ErrorCode[]);

// ---------------------------------------------------------------------------------------------
// Deterministic randomness: every case has its own generator, so one case replays alone.

type Rng = () => number;

function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function caseRng(seed: number, index: number): Rng {
  return mulberry32((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

function pick<T>(rnd: Rng, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)]!;
}

// ---------------------------------------------------------------------------------------------
// Mutations

const BOUNDARY = [0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x200n, 0x1000n, 0x7fffn, 0xffffn, 0x100000n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 1n << 53n, (1n << 63n) - 1n, 1n << 63n, 0xffffffffffffffffn];

function writeInt(b: Buffer, at: number, width: 2 | 4 | 8, value: bigint, be: boolean): void {
  const v = value & ((1n << BigInt(width * 8)) - 1n);
  if (width === 8) (be ? b.writeBigUInt64BE(v, at) : b.writeBigUInt64LE(v, at));
  else if (width === 4) (be ? b.writeUInt32BE(Number(v), at) : b.writeUInt32LE(Number(v), at));
  else be ? b.writeUInt16BE(Number(v), at) : b.writeUInt16LE(Number(v), at);
}

function readInt(b: Buffer, at: number, width: 2 | 4 | 8, be: boolean): bigint {
  if (width === 8) return be ? b.readBigUInt64BE(at) : b.readBigUInt64LE(at);
  if (width === 4) return BigInt(be ? b.readUInt32BE(at) : b.readUInt32LE(at));
  return BigInt(be ? b.readUInt16BE(at) : b.readUInt16LE(at));
}

interface Mutant {
  files: Map<string, Buffer>;
  notes: string[];
}

/** One to three mutations of `base`'s main file, in its headers and tables; maybe resealed. */
function mutate(base: FuzzBase, rnd: Rng): Mutant {
  let bytes = Buffer.from(base.files.get(base.main)!);
  const be = base.name.startsWith('vhd-');
  const notes: string[] = [];
  const count = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < count; k++) {
    const spot = pick(rnd, base.hotspots);
    const at = Math.min(bytes.length - 1, spot.offset + Math.floor(rnd() * spot.length));
    if (at < 0) break;
    const kind = rnd();
    if (kind < 0.25) {
      const bit = Math.floor(rnd() * 8);
      bytes[at] = bytes[at]! ^ (1 << bit);
      notes.push(`flip bit ${bit} at ${at} (${spot.what})`);
    } else if (kind < 0.4) {
      const v = Math.floor(rnd() * 256);
      bytes[at] = v;
      notes.push(`byte ${v} at ${at} (${spot.what})`);
    } else if (kind < 0.85) {
      const width = pick(rnd, [2, 4, 8] as const);
      const aligned = rnd() < 0.8 ? at - (at % width) : at;
      const where = Math.max(0, Math.min(bytes.length - width, aligned));
      if (where + width > bytes.length) continue;
      const old = readInt(bytes, where, width, be);
      const value = rnd() < 0.75 ? pick(rnd, BOUNDARY) : old + (rnd() < 0.5 ? 1n : -1n);
      writeInt(bytes, where, width, value < 0n ? 0n : value, be);
      notes.push(`u${width * 8}${be ? 'be' : 'le'} ${value} at ${where} (${spot.what})`);
    } else if (kind < 0.93) {
      // Text fields (descriptors): a number becomes a boundary one.
      const text = bytes.toString('latin1', spot.offset, Math.min(bytes.length, spot.offset + spot.length));
      const runs = [...text.matchAll(/\d+/g)];
      if (runs.length === 0) continue;
      const run = pick(rnd, runs);
      const replacement = String(pick(rnd, BOUNDARY));
      const start = spot.offset + run.index!;
      bytes = Buffer.concat([bytes.subarray(0, start), Buffer.from(replacement, 'latin1'), bytes.subarray(start + run[0].length)]);
      notes.push(`number ${run[0]} → ${replacement} at ${start} (${spot.what})`);
    } else {
      // Cut inside the first structures half the time, where the boundaries are.
      const length = Math.max(MIN_LENGTH, Math.floor(rnd() * (rnd() < 0.5 ? Math.min(bytes.length, 2048) : bytes.length)));
      bytes = bytes.subarray(0, length);
      notes.push(`truncated to ${length}`);
    }
  }
  if (base.reseal && rnd() < 0.7) {
    base.reseal(bytes);
    notes.push('checksums resealed');
  }
  const files = new Map(base.files);
  files.set(base.main, bytes);
  return { files, notes };
}

// ---------------------------------------------------------------------------------------------
// The engine in a worker thread, behind a watchdog

type Verdict = { kind: 'reply'; reply: FuzzReply } | { kind: 'hang' } | { kind: 'crash'; error: string };

class EngineWorker {
  private worker: Worker;

  constructor() {
    this.worker = EngineWorker.spawn();
  }

  private static spawn(): Worker {
    const code = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(join(ROOT, 'test', 'hostile', 'fuzz-worker.ts'))});`;
    // The heap cap makes an allocation sized by an untrusted field fail loudly instead of swapping.
    return new Worker(code, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 256 } });
  }

  run(task: FuzzTask, timeoutMs: number): Promise<Verdict> {
    const w = this.worker;
    return new Promise((resolve) => {
      const done = (v: Verdict) => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        resolve(v);
      };
      const restart = () => {
        void w.terminate();
        this.worker = EngineWorker.spawn();
      };
      const onMessage = (m: FuzzReply) => {
        if (m.id === task.id) done({ kind: 'reply', reply: m });
      };
      const onError = (err: Error) => {
        restart();
        done({ kind: 'crash', error: `${err.name}: ${err.message}` });
      };
      const onExit = (code: number) => {
        restart();
        done({ kind: 'crash', error: `the worker exited (${code})` });
      };
      const timer = setTimeout(() => {
        restart();
        done({ kind: 'hang' });
      }, timeoutMs);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage(task);
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

function judge(op: string, o: Outcome): string | undefined {
  if (o.ok) return undefined;
  if (!o.ferry) return `${op} threw something other than a FerryError (${o.code ?? 'no code'}): ${o.message}\n${o.stack ?? ''}`;
  if (o.code === undefined || !ALLOWED.has(o.code)) return `${op} failed with ${o.code}: ${o.message}`;
  if (o.message.includes('\n')) return `${op}'s message spans lines: ${JSON.stringify(o.message)}`;
  return undefined;
}

/** The CLI on the same mutant: same verdict as in-process, clean output, bounded memory. */
async function cliCheck(source: string, out: string, inProcess: Outcome): Promise<string[]> {
  const problems: string[] = [];
  const r = await ferryLimited(['convert', source, join(out, 'disk.vmdk'), '--json'], { timeoutMs: CASE_TIMEOUT_MS });
  if (r.timedOut) return ['the CLI did not finish in time'];
  if (r.maxRssKb !== undefined && r.maxRssKb >= MAX_RSS_KB) problems.push(`the CLI peaked at ${Math.round(r.maxRssKb / 1024)} MiB resident`);
  if (stackFrames(r.stdout + r.stderr).length) problems.push(`a stack trace reached the user:\n${r.stderr}`);
  const last = r.json[r.json.length - 1];
  if (!last) return [...problems, `no JSON from the CLI (exit ${r.code}): ${r.stderr}`];
  if (last.type === 'result') {
    if (r.code !== 0) problems.push(`result with exit ${r.code}`);
    if (!inProcess.ok) problems.push(`the CLI converted what the engine refused (${inProcess.ok ? '' : inProcess.code})`);
  } else {
    const code = String(last.code);
    if (r.code !== exitCodeFor(code as ErrorCode)) problems.push(`exit ${r.code} for ${code}`);
    if (!ALLOWED.has(code)) problems.push(`the CLI answered ${code}: ${String(last.message)}`);
    if (inProcess.ok || inProcess.code !== code) problems.push(`the CLI answered ${code} where the engine said ${inProcess.ok ? 'ok' : inProcess.code}`);
    if (readdirSync(out).length) problems.push(`the CLI left ${readdirSync(out).join(', ')}`);
  }
  return problems;
}

test(`fuzz: mutated headers and tables never crash, hang, leak or write (seed ${SEED})`, { timeout: (SECONDS + 300) * 1000 }, async (t) => {
  const replay = `FERRY_FUZZ_SEED=${SEED}`;
  t.diagnostic(`seed ${SEED}: replay with ${replay}${ONLY !== undefined ? ` FERRY_FUZZ_CASE=${ONLY}` : ''}; ${SECONDS} s`);
  const root = mkdtempSync(join(tmpdir(), 'ferry-fuzz-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const bases = fuzzBases(await buildBases(join(root, 'bases')));
  const engine = new EngineWorker();
  const failures: string[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  let index = ONLY ?? 0;
  let runs = 0;
  let cliRuns = 0;
  let converted = 0;
  let peakBuffers = 0;
  try {
    while (ONLY !== undefined ? runs < 1 : performance.now() < deadline) {
      const rnd = caseRng(SEED, index);
      const base = pick(rnd, bases);
      const mutant = mutate(base, rnd);
      const dir = join(root, 'case');
      const out = join(root, 'out');
      rmSync(dir, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
      mkdirSync(dir);
      mkdirSync(out);
      for (const [name, bytes] of mutant.files) writeSparse(join(dir, name), bytes);
      const before = snapshot(dir);
      const source = join(dir, base.main);
      const label = `case ${index} of ${replay} (${base.name}: ${mutant.notes.join('; ') || 'unchanged'})`;
      const problems: string[] = [];

      const verdict = await engine.run({ id: index, source, output: join(out, 'disk.vmdk') }, CASE_TIMEOUT_MS);
      if (verdict.kind === 'hang') problems.push(`no answer within ${CASE_TIMEOUT_MS} ms`);
      else if (verdict.kind === 'crash') problems.push(`the engine's thread died: ${verdict.error}`);
      else {
        const { inspect, convert, arrayBuffers } = verdict.reply;
        peakBuffers = Math.max(peakBuffers, arrayBuffers);
        for (const p of [judge('inspect', inspect), judge('convert', convert)]) if (p) problems.push(p);
        if (convert.ok && !inspect.ok) problems.push(`inspect refused (${inspect.code}: ${inspect.message}) a disk that converts`);
        const left = readdirSync(out);
        if (convert.ok ? left.join() !== 'disk.vmdk' : left.length > 0) problems.push(`the output folder holds ${JSON.stringify(left)}`);
        if (convert.ok) converted++;
        if (index % CLI_EVERY === 0 && problems.length === 0) {
          const cliOut = join(root, 'cli-out');
          rmSync(cliOut, { recursive: true, force: true });
          mkdirSync(cliOut);
          problems.push(...(await cliCheck(source, cliOut, convert)));
          cliRuns++;
        }
      }
      const after = snapshot(dir);
      if (JSON.stringify(after) !== JSON.stringify(before)) problems.push('the source folder changed');
      if (problems.length) {
        failures.push(`${label}:\n  ${problems.join('\n  ')}`);
        // Keep the input for whoever reads the report.
        const keep = join(tmpdir(), `ferry-fuzz-failure-${SEED}-${index}`);
        mkdirSync(keep, { recursive: true });
        for (const [name, bytes] of mutant.files) writeFileSync(join(keep, name), bytes);
      }
      index++;
      runs++;
    }
  } finally {
    await engine.close();
  }
  t.diagnostic(`${runs} cases (${converted} converted, the rest refused), ${cliRuns} also through the CLI; peak Buffer memory in the engine ${Math.round(peakBuffers / 1024 / 1024)} MiB`);
  assert.ok(runs > 0, 'at least one case ran');
  assert.ok(peakBuffers < 256 * 1024 * 1024, `Buffer memory stays bounded (peak ${peakBuffers} bytes)`);
  assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${runs} cases failed (inputs kept under ${tmpdir()}/ferry-fuzz-failure-${SEED}-*)`);
});

// The fuzz loop draws a fresh seed each CI run, so a mutation the harness itself cannot handle
// (a reseal over a cut-short structure) would fail CI only now and then. Run the mutator alone
// over many cases of this run's seed and a fixed one, so such a defect shows on every run.
test('fuzz: the mutator handles every case it draws (no harness errors)', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ferry-fuzz-mutator-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const bases = fuzzBases(await buildBases(join(root, 'bases')));
  for (const seed of [SEED, 3229201933]) {
    for (let index = 0; index < 3000; index++) {
      const rnd = caseRng(seed, index);
      assert.doesNotThrow(() => mutate(pick(rnd, bases), rnd), `seed ${seed} case ${index}`);
    }
  }
});
