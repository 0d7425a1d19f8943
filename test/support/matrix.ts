// One input, converted into each subformat, each output checked against the truth.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Adapter, Subformat } from '../../shared/options';
import { ALL_SUBFORMATS, assertOutputHoldsTruth, convertTo, rawOf, type Truth } from './oracle';
import { sha256File } from './hash';
import { tempDir } from './tmp';

export interface MatrixInput {
  /** The VHD to convert (its parents, if any, beside it). */
  source: string;
  truth: Truth;
  /** Warnings the conversion must report (substrings), if any. */
  warnings?: RegExp[];
}

export interface MatrixOptions {
  subformats?: readonly Subformat[];
  adapter?: Adapter;
  timeoutMs?: number;
  /** Each conversion (verification included) must finish within this many seconds. */
  maxSeconds?: number;
  /** Subformats converted with --no-verify (to keep a run short where verifying is known slow). */
  noVerify?: readonly Subformat[];
  /** Compare only windows around the data (see OutputCheck.compareWindows). */
  compareWindows?: (truth: Truth) => Array<[number, number]>;
}

/**
 * `describe(title)`: builds the input once, then one test per subformat proving that the
 * conversion holds the input's bytes (qemu-img compare against the raw truth, sizes, qemu-img
 * check, vmdkinfo, structure) and leaves the source untouched.
 */
export function convertsExactly(title: string, build: (dir: string) => MatrixInput | Promise<MatrixInput>, opts: MatrixOptions = {}): void {
  describe(title, () => {
    const dir = tempDir({ after }, 'ferry-oracle');
    let input: MatrixInput;
    let raw: string;
    let sourceHash: string;
    before(async () => {
      input = await build(dir);
      raw = rawOf(input.truth, join(dir, 'truth.raw'));
      sourceHash = sha256File(input.source);
    });
    for (const subformat of opts.subformats ?? ALL_SUBFORMATS) {
      it(`→ ${subformat}: holds exactly the source's bytes`, { timeout: opts.timeoutMs ?? 120_000 }, async () => {
        const out = join(dir, subformat);
        mkdirSync(out);
        const verify = !(opts.noVerify ?? []).includes(subformat);
        const started = performance.now();
        const result = await convertTo(input.source, join(out, 'disk.vmdk'), subformat, { verify, ...(opts.adapter ? { adapter: opts.adapter } : {}) });
        const seconds = (performance.now() - started) / 1000;
        if (opts.maxSeconds !== undefined) assert.ok(seconds < opts.maxSeconds, `converted in ${seconds.toFixed(1)} s (limit ${opts.maxSeconds} s)`);
        assert.equal(result.virtualSize, input.truth.size, 'the engine reports the true virtual size');
        assert.equal(result.verified, verify);
        for (const w of input.warnings ?? []) assert.ok(result.warnings.some((x) => w.test(x)), `warning ${w} reported (got ${JSON.stringify(result.warnings)})`);
        if (!input.warnings) assert.deepEqual(result.warnings, [], 'no warnings for a healthy disk');
        assertOutputHoldsTruth({
          dir: out,
          name: 'disk.vmdk',
          subformat,
          truth: input.truth,
          raw,
          ...(opts.adapter ? { adapter: opts.adapter } : {}),
          ...(opts.compareWindows ? { compareWindows: opts.compareWindows(input.truth) } : {}),
        });
        assert.equal(sha256File(input.source), sourceHash, 'the source file is unchanged');
        assert.deepEqual(readdirSync(dir).filter((n) => n.includes('ferry-partial')), [], 'no staging folder left beside the source');
      });
    }
  });
}
