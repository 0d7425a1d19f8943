// Runs the built `ferry` with a preloaded hook that puts something at an output path in the
// instant between Ferry's checks and its commit (the engine's BEFORE_COMMIT test seam), so the
// race "the target appeared meanwhile" happens every time.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FERRY_BIN, assertBuilt, type CliRun } from '../support/cli';

export interface Intruder {
  /** Which of the commit's final paths (in commit order; -1 = the last) gets the intruder. */
  at: number;
  kind: 'file' | 'folder';
  /** What the intruding file holds. */
  content?: string;
}

const HOOK = `
import { mkdirSync, writeFileSync } from 'node:fs';
const intruder = JSON.parse(process.env.FERRY_TEST_INTRUDER);
let done = false;
globalThis[Symbol.for('ferry.test.beforeCommit')] = (targets) => {
  if (done) return;
  done = true;
  const target = targets.at(intruder.at);
  if (intruder.kind === 'folder') mkdirSync(target);
  else writeFileSync(target, intruder.content ?? 'not Ferry\\'s');
};
`;

export function ferryWithIntruder(dir: string, args: string[], intruder: Intruder): Promise<CliRun> {
  assertBuilt();
  const hook = join(dir, 'intruder-hook.mjs');
  writeFileSync(hook, HOOK);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', pathToFileURL(hook).href, FERRY_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FERRY_TEST_INTRUDER: JSON.stringify(intruder) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, json: [] }));
  });
}
