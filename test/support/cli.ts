// Runs the built `ferry` command (bin/ferry.js over out/main/cli.js) as a user would.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = process.env.FERRY_ROOT ?? join(__dirname, '..', '..');
export const FERRY_BIN = join(ROOT, 'bin', 'ferry.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Every stdout line parsed as JSON (only meaningful with --json). */
  json: Array<Record<string, unknown>>;
}

export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'out', 'main', 'cli.js'))) throw new Error('out/main/cli.js is missing: run `npm run build` first');
}

function parseLines(stdout: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // Not JSON: the caller asserts on the text instead.
    }
  }
  return out;
}

/** Runs `ferry <args>` to completion (asynchronously, so several may run at once). */
export function ferry(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FERRY_BIN, ...args], { cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, json: parseLines(stdout) });
    });
  });
}

/** The last `{"type": ...}` line of a --json run. */
export function lastEvent(r: CliRun): Record<string, unknown> {
  const last = r.json[r.json.length - 1];
  if (!last) throw new Error(`no JSON on stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return last;
}
