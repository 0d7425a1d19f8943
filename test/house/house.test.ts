// The house rules, held by CI: the layers (dependency-cruiser, .dependency-cruiser.cjs), the size
// budgets, and no comment or page pointing at a document the repository does not have.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';

const root = process.env.FERRY_ROOT ?? resolve(__dirname, '../..');
const tracked = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && existsSync(join(root, f)));
const PRODUCT = /^(shared|worker|electron|renderer|scripts)\//;

test('imports follow the layers: no circles, readers and writers apart, electron and the renderer in their place', () => {
  const run = spawnSync(process.execPath, [join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), '--config', '.dependency-cruiser.cjs', 'shared', 'worker', 'electron', 'renderer', 'scripts'], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});

test('no source file over 450 lines, no stylesheet over 500', () => {
  const over: string[] = [];
  for (const f of tracked.filter((f) => PRODUCT.test(f))) {
    const lines = readFileSync(join(root, f), 'utf8').split('\n').length - 1;
    if (/\.(ts|tsx|mjs|js|cjs)$/.test(f) && lines > 450) over.push(`${f}: ${lines} lines`);
    if (f.endsWith('.css') && lines > 500) over.push(`${f}: ${lines} lines`);
  }
  assert.deepEqual(over, []);
});

test('no comment or page points at a research note or checklist the repository does not hold', () => {
  const bad: string[] = [];
  for (const f of tracked.filter((f) => /\.(ts|tsx|mjs|cjs|css|md|yml|html)$/.test(f) && !f.startsWith('test/house/'))) {
    const text = readFileSync(join(root, f), 'utf8');
    text.split('\n').forEach((line, i) => {
      const namesNote = /\b(FORMATS|DESIGN|PEERS|ELECTRON)\.md\b/.test(line);
      const bareChecklist = /checklist item \d/i.test(line) && !/Electron/.test(line);
      if (namesNote || bareChecklist) bad.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(bad, []);
});

test('every docs/ page that code or docs name exists', () => {
  const missing: string[] = [];
  for (const f of tracked.filter((f) => /\.(ts|tsx|mjs|cjs|css|md)$/.test(f) && !f.startsWith('node_modules/'))) {
    const text = readFileSync(join(root, f), 'utf8');
    for (const m of text.matchAll(/(?:^|[\s(`'"\[])((?:\.\.?\/)*docs\/[\w./-]+\.md)/g)) {
      const named = m[1]!;
      const path = named.startsWith('.') ? resolve(root, dirname(f), named) : join(root, named.replace(/^\/+/, ''));
      if (!existsSync(path)) missing.push(`${f}: ${named}`);
    }
  }
  assert.deepEqual(missing, []);
});
