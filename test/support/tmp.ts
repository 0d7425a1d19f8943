// Per-test temporary folders under os.tmpdir(), removed when the test ends.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The subset of node:test's TestContext (and SuiteContext hooks) we need. */
export interface Cleanable {
  after(fn: () => void | Promise<void>): void;
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
