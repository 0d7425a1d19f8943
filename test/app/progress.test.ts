// The one overall progress bar (renderer and taskbar) built from per-phase progress.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { overallFraction, plannedPhases } from '../../shared/progress';

test('the phases a job goes through', () => {
  assert.deepEqual(plannedPhases({ compressed: false, verify: true }), ['converting', 'verifying']);
  assert.deepEqual(plannedPhases({ compressed: true, verify: true }), ['decompressing', 'converting', 'verifying']);
  assert.deepEqual(plannedPhases({ compressed: false, verify: false }), ['converting']);
});

test('the overall bar fills phase by phase and never runs backwards', () => {
  const plan = plannedPhases({ compressed: true, verify: true });
  const samples = [
    { phase: 'decompressing', done: 0, total: 10 },
    { phase: 'decompressing', done: 10, total: 10 },
    { phase: 'converting', done: 0, total: 100 },
    { phase: 'converting', done: 50, total: 100 },
    { phase: 'converting', done: 100, total: 100 },
    { phase: 'verifying', done: 0, total: 100 },
    { phase: 'verifying', done: 100, total: 100 },
  ] as const;
  const values = samples.map((s) => overallFraction(s, plan));
  assert.deepEqual(values, [0, 0.25, 0.25, 0.5, 0.75, 0.75, 1]);
  assert.equal(overallFraction({ phase: 'converting', done: 5, total: 10 }, ['converting']), 0.5);
  assert.equal(overallFraction({ phase: 'converting', done: 0, total: 0 }, ['converting']), 1, 'an empty disk is done at once');
});

test('a phase the plan did not expect still yields a fraction within bounds', () => {
  const v = overallFraction({ phase: 'decompressing', done: 5, total: 10 }, ['converting']);
  assert.ok(v >= 0 && v <= 1);
});
