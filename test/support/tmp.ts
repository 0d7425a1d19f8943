// Per-test temporary folders under os.tmpdir(), removed when the test ends.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The subset of node:test's TestContext (and SuiteContext hooks) we need. */
export interface Cleanable {
  after(fn: () => void | Promise<void>): void;
}

/** A fresh tmpfs of `size` (mount's syntax: 16m), unmounted after the test; undefined, the test skipped, where mounting is refused. */
export function withTmpfs(t: Cleanable & { skip(why: string): void }, size: string, label = 'ferry-small-fs'): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), `${label}-`));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    t.skip(`cannot mount a tmpfs here (${(r.stderr || r.error?.message || '').trim()})`);
    return undefined;
  }
  t.after(() => {
    if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** A fresh folder for one test (or suite); removed after it, whatever the outcome. */
export function tempDir(t: Cleanable, label = 'ferry-test'): string {
  const dir = mkdtempSync(join(tmpdir(), `${label.replace(/[^A-Za-z0-9_-]/g, '_')}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Names in `dir` that look like the engine's hidden staging folders. */
export function partialLeftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.includes('.ferry-partial-'));
}
