// One machine of several disks reports one bar: `--json` progress keeps its shape, each phase
// counts across all the disks (done never goes back, total is their sum) and the phases come once.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ferry } from '../support/cli';
import { tempDir } from '../support/tmp';
import { runOk } from '../support/tools';

/** The machine's disks together, as the result states them (qemu-img rounds each VHD up to its geometry). */
const virtualSizeOf = (events: Array<Record<string, unknown>>): number => Number(events.find((e) => e.type === 'result')?.virtualSize);

function threeDisks(dir: string): string[] {
  return [16, 24, 8].map((mb, i) => {
    const path = join(dir, `d${i + 1}.vhd`);
    runOk('qemu-img', ['create', '-q', '-f', 'vpc', '-o', 'subformat=fixed', path, `${mb}M`]);
    runOk('qemu-io', ['-f', 'vpc', '-c', `write -P 0x4${i} 0 2M`, path]);
    return path;
  });
}

type ProgressLine = { type: 'progress'; phase: string; done: number; total: number; rate: number };

function checkOneBar(events: Array<Record<string, unknown>>, totalBytes: number): void {
  const progress = events.filter((e) => e.type === 'progress') as ProgressLine[];
  assert.ok(progress.length > 0, 'progress was reported');
  for (const p of progress) assert.deepEqual(Object.keys(p).sort(), ['done', 'phase', 'rate', 'total', 'type']);
  const phases = progress.map((p) => p.phase).filter((ph, i, all) => ph !== all[i - 1]);
  assert.deepEqual(phases, ['converting', 'verifying'], 'each phase once, across every disk');
  for (const phase of ['converting', 'verifying']) {
    const of = progress.filter((p) => p.phase === phase);
    for (const p of of) assert.equal(p.total, totalBytes, `${phase}: total is all the disks`);
    for (let i = 1; i < of.length; i++) assert.ok(of[i]!.done >= of[i - 1]!.done, `${phase}: done went back from ${of[i - 1]!.done} to ${of[i]!.done}`);
    assert.equal(of.at(-1)!.done, totalBytes, `${phase} ends at the whole machine`);
  }
}

describe('progress of a machine with several disks', () => {
  it('vm: converting then verifying, each over the three disks together', async (t) => {
    const dir = tempDir(t);
    const out = join(dir, 'out');
    mkdirSync(out);
    const r = await ferry(['vm', ...threeDisks(dir), out, '--name', 'Three', '--subformat', 'monolithicSparse', '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    checkOneBar(r.json, virtualSizeOf(r.json));
  });

  it('ova: the same for the stream-optimized disks of an OVA', async (t) => {
    const dir = tempDir(t);
    const r = await ferry(['ova', ...threeDisks(dir), join(dir, 'three.ova'), '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    checkOneBar(r.json, virtualSizeOf(r.json));
  });
});
