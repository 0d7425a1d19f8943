// Running the built `ferry` under the limits the hostile suites hold it to: a hard timeout that
// kills the whole process group, a V8 heap cap, and the peak resident memory (/usr/bin/time).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, assertBuilt } from '../support/cli';

/** Peak resident memory a run may reach (the engine's buffers are a fixed pool of a few MiB). */
export const MAX_RSS_KB = 200 * 1024;
/** The V8 heap cap every run gets: an allocation sized by an untrusted field fails, not swaps. */
export const HEAP_MB = 192;
export const CASE_TIMEOUT_MS = Number(process.env.FERRY_HOSTILE_TIMEOUT_MS ?? 15_000);

const TIME = '/usr/bin/time';
const haveTime = existsSync(TIME);

let snapshotBin: string | undefined;

/**
 * The built CLI, copied once per test process: other work may rebuild out/ while a suite of
 * hundreds of runs is going, and every run must meet the same, complete build.
 */
export function ferryBin(): string {
  if (snapshotBin) return snapshotBin;
  assertBuilt();
  const src = join(ROOT, 'out', 'main');
  for (let attempt = 0; attempt < 50; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-cli-'));
    try {
      cpSync(src, join(dir, 'main'), { recursive: true, filter: (p) => !p.endsWith('.map') });
      // A copy taken half-way through a rebuild names chunks it does not hold: take another.
      const cli = readFileSync(join(dir, 'main', 'cli.js'), 'utf8');
      const chunks = [...cli.matchAll(/require\("\.\/(chunks\/[^"]+)"\)/g)].map((m) => m[1]!);
      if (chunks.every((c) => existsSync(join(dir, 'main', c)))) {
        writeFileSync(join(dir, 'ferry.js'), "'use strict';\nrequire('./main/cli.js').runCli();\n");
        process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
        snapshotBin = join(dir, 'ferry.js');
        return snapshotBin;
      }
    } catch {
      // Mid-rebuild: files vanished under the copy.
    }
    rmSync(dir, { recursive: true, force: true });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
  throw new Error('could not take a consistent copy of out/main (is a build running?)');
}

/** The environment a snapshot run needs: its packages (yauzl, seek-bzip…) still come from the project. */
export function ferryEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_PATH: join(ROOT, 'node_modules') };
}

export interface LimitedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  json: Array<Record<string, unknown>>;
  /** Peak RSS in KiB, when /usr/bin/time is there to measure it. */
  maxRssKb: number | undefined;
  timedOut: boolean;
  ms: number;
}

export interface RunOptions {
  timeoutMs?: number;
  /** Measure peak memory through /usr/bin/time (default); off, the child is node itself (to signal it). */
  measure?: boolean;
  /** Called with the child once it runs (to signal it, for instance). */
  onSpawn?: (pid: number) => void;
  /** Called with each JSON line of stdout as it arrives (progress events, with --json). */
  onJson?: (event: Record<string, unknown>) => void;
}

/** Runs `ferry <args>` with a heap cap and a hard timeout; never rejects for the child's sake. */
export function ferryLimited(args: string[], opts: RunOptions = {}): Promise<LimitedRun> {
  const bin = ferryBin();
  const started = performance.now();
  const rssDir = haveTime && opts.measure !== false ? mkdtempSync(join(tmpdir(), 'ferry-rss-')) : undefined;
  const rssFile = rssDir ? join(rssDir, 'rss') : undefined;
  const node = [process.execPath, `--max-old-space-size=${HEAP_MB}`, bin, ...args];
  const argv = rssFile ? [TIME, '-f', '%M', '-o', rssFile, ...node] : node;
  return new Promise((resolve, reject) => {
    // A process group of its own, so a timeout kills node and not only /usr/bin/time.
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: ferryEnv() });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!opts.onJson) return;
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const event of parseJsonLines(lines.join('\n'))) opts.onJson(event);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, opts.timeoutMs ?? CASE_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let maxRssKb: number | undefined;
      if (rssFile && existsSync(rssFile)) {
        // /usr/bin/time writes "Command exited with non-zero status N" before the number.
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
        const n = Number(lines[lines.length - 1]);
        if (Number.isFinite(n) && n > 0) maxRssKb = n;
      }
      if (rssDir) rmSync(rssDir, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, json: parseJsonLines(stdout), maxRssKb, timedOut, ms: performance.now() - started });
    });
  });
}

function parseJsonLines(stdout: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // Not JSON; assertions look at the text.
    }
  }
  return out;
}

/**
 * What a folder holds, deeply: file contents by hash, links by target, FIFOs and folders by kind.
 * Never opens anything but regular files (a FIFO would block the reader).
 */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, r));
      if (st.isSymbolicLink()) out[r] = `link → ${readlinkSync(join(dir, r))}`;
      else if (st.isDirectory()) {
        out[r] = 'folder';
        walk(r);
      } else if (st.isFile()) out[r] = createHash('sha256').update(readFileSync(join(dir, r))).digest('hex');
      else out[r] = st.isFIFO() ? 'fifo' : 'special';
    }
  };
  if (existsSync(dir)) walk('');
  return out;
}

/** Every line of `text` that looks like a JavaScript stack frame. */
export function stackFrames(text: string): string[] {
  return text.split('\n').filter((l) => /^\s+at\s/.test(l));
}
