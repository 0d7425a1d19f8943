// Every case of the hostile corpus through the built CLI, as a user would meet it: `convert` into
// a fresh folder and `inspect`, each under a hard timeout, a heap cap and a memory ceiling.
// Refused inputs must exit 2 with one stable code and a one-line message naming the file (no stack,
// no "Internal error") and leave nothing behind; damaged-but-whole inputs must convert and warn.
// Either way the source folder must be exactly as it was.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exitCodeFor } from '../../shared/errors';
import { buildCorpus, type CorpusCase } from './corpus';
import { CASE_TIMEOUT_MS, MAX_RSS_KB, ferryLimited, snapshot, stackFrames, type LimitedRun } from './run';

function within(run: LimitedRun, what: string): void {
  assert.ok(!run.timedOut, `${what} did not finish within ${CASE_TIMEOUT_MS} ms (killed)`);
  assert.equal(run.signal, null, `${what} was killed by ${run.signal}`);
  if (run.maxRssKb !== undefined) assert.ok(run.maxRssKb < MAX_RSS_KB, `${what} peaked at ${Math.round(run.maxRssKb / 1024)} MiB resident`);
}

function describeRun(run: LimitedRun): string {
  return `exit ${run.code}${run.timedOut ? ' (timed out)' : ''}\nstdout: ${run.stdout.slice(-2000)}\nstderr: ${run.stderr.slice(-2000)}`;
}

/** What `convert` and `inspect` must do with one case. */
async function check(c: CorpusCase): Promise<void> {
  const before = snapshot(c.dir);
  const out = mkdtempSync(join(tmpdir(), 'ferry-hostile-out-'));
  try {
    const convert = await ferryLimited(['convert', c.source, join(out, 'disk.vmdk'), '--json']);
    const inspect = await ferryLimited(['inspect', c.source]);
    within(convert, 'convert');
    within(inspect, 'inspect');
    const last = convert.json[convert.json.length - 1];
    assert.ok(last, `convert printed no JSON\n${describeRun(convert)}`);
    assert.deepEqual(stackFrames(convert.stderr + convert.stdout), [], 'no stack frames anywhere');

    if (c.expect.outcome === 'refused') {
      assert.equal(last.type, 'error', `convert must refuse\n${describeRun(convert)}`);
      assert.equal(last.code, c.expect.code, `error code (message: ${String(last.message)})`);
      assert.equal(convert.code, exitCodeFor(c.expect.code), 'exit code');
      assert.equal(convert.code, 2, 'bad input exits 2');
      const message = String(last.message);
      assert.doesNotMatch(message, /Internal error/);
      assert.ok(!message.includes('\n'), 'the message is one line');
      assert.ok(message.includes(c.dir) || message.includes(c.source.slice(0, 100)), `the message names the file: ${message}`);
      if (c.expect.mentions) assert.match(message, c.expect.mentions, 'the message says what is wrong');
      assert.deepEqual(readdirSync(out), [], 'nothing is left in the output folder');

      if ((c.expect.inspect ?? 'refused') === 'refused') {
        assert.equal(inspect.code, 2, `inspect must refuse\n${describeRun(inspect)}`);
        const lines = inspect.stderr.trimEnd().split('\n');
        assert.ok(lines.length >= 1 && lines.length <= 2, `one or two lines on stderr:\n${inspect.stderr}`);
        assert.match(lines[0]!, /^ferry: /);
        assert.doesNotMatch(inspect.stderr, /Internal error/);
        assert.deepEqual(stackFrames(inspect.stderr), [], 'no stack frames');
      } else {
        assert.equal(inspect.code, 0, `inspect reads only the structures and first sectors\n${describeRun(inspect)}`);
      }
    } else {
      assert.equal(last.type, 'result', `convert must succeed\n${describeRun(convert)}`);
      assert.equal(convert.code, 0);
      const warnings = last.warnings as string[];
      if (c.expect.warning) assert.ok(warnings.some((w) => c.expect.outcome === 'converted' && c.expect.warning!.test(w)), `a warning matching ${c.expect.warning}: ${JSON.stringify(warnings)}`);
      assert.deepEqual(readdirSync(out), ['disk.vmdk'], 'only the finished output, no staging folder');
      assert.equal(inspect.code, 0, describeRun(inspect));
    }
    assert.deepEqual(snapshot(c.dir), before, 'the source folder is byte-identical afterwards');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

test('hostile corpus: every broken or lying input is refused cleanly, or converted with a warning', { concurrency: 2 }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ferry-hostile-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const cases = await buildCorpus(root);
  assert.ok(cases.length >= 200, `at least 200 cases (${cases.length})`);
  t.diagnostic(`${cases.length} cases under ${root}`);
  await Promise.all(cases.map((c) => t.test(c.id, c.todo ? { todo: c.todo } : {}, () => check(c))));
});
