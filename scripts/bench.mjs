// `npm run bench`: Ferry's CLI against `qemu-img convert` on the same inputs, same machine.
// Prints medians, the Ferry/qemu-img time ratio, the output-size ratio and peak RSS, and the time
// of `cp` of the input as the physical floor. Never a pass/fail: it measures.
//   BENCH_RUNS=5 (runs per tool after one warm-up)   BENCH_QUICK=1 (small inputs, 1 run)
//   BENCH_ONLY=substring (run only matching jobs)     BENCH_DIR=/path (where inputs and outputs go)
//   BENCH_VERBOSE=1 (every run's time on stderr)    BENCH_COLD=1 (drop the page cache before every run; Linux, root)
//   BENCH_OS_IMAGE=/path/disk.raw (a real OS image, raw, for the streamOptimized rows)
//   BENCH_OPEN_VMDK_SRC=/path (a checkout of vmware/open-vmdk's public sources, to build vmdk-convert from)
// Rows for VMware's own writer (`vmdk-convert` from open-vmdk, fed the raw image) use the one built
// from BENCH_OPEN_VMDK_SRC when a C compiler and zlib's headers are there, else one on PATH, else
// they are skipped; the bench never fetches anything.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, writeSync, writeFileSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const quick = process.env.BENCH_QUICK === '1';
const runs = quick ? 1 : Number(process.env.BENCH_RUNS ?? 5);
const only = process.env.BENCH_ONLY;
const verbose = process.env.BENCH_VERBOSE === '1';
const dir = process.env.BENCH_DIR ?? join(root, 'bench-results');
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const scale = quick ? 1 / 16 : 1;
const cold = process.env.BENCH_COLD === '1';
const osImage = process.env.BENCH_OS_IMAGE;
const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/**
 * NODE_EXTRA_CA_CERTS makes every Node process (Ferry's runs among them, never qemu-img's) read
 * and parse that file of certificates as it starts: a cost of the environment, not of Ferry,
 * which makes no TLS connection. The bench takes it out of every run's environment and says how
 * much a start costs with it.
 */
function dropExtraCaCerts() {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return undefined;
  delete process.env.NODE_EXTRA_CA_CERTS;
  const start = (env) => {
    const times = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      spawnSync(process.execPath, ['-e', '0'], { env });
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b)[3];
  };
  const withIt = start({ ...process.env, NODE_EXTRA_CA_CERTS: file });
  const without = start(process.env);
  return `NODE_EXTRA_CA_CERTS (${file}) was set; it is removed for every run: a Node start here takes ${Math.round(withIt)} ms with it, ${Math.round(without)} ms without`;
}
const extraCaNote = dropExtraCaCerts();

/** vmdk-convert built from BENCH_OPEN_VMDK_SRC (its `vmdk/` folder or the checkout holding it), else the one on PATH. */
function findVmdkConvert() {
  const src = process.env.BENCH_OPEN_VMDK_SRC;
  if (src) {
    const vmdkDir = existsSync(join(src, 'vmdk', 'sparse.c')) ? join(src, 'vmdk') : src;
    const files = ['flat.c', 'sparse.c', 'mkdisk.c'].map((f) => join(vmdkDir, f));
    const cc = ['cc', 'gcc', 'clang'].find(onPath);
    if (!files.every((f) => existsSync(f))) console.error(`BENCH_OPEN_VMDK_SRC: no open-vmdk sources (vmdk/flat.c, sparse.c, mkdisk.c) in ${src}.`);
    else if (!cc) console.error('BENCH_OPEN_VMDK_SRC: no C compiler (cc, gcc or clang) to build vmdk-convert with.');
    else {
      const exe = join(dir, 'vmdk-convert');
      // open-vmdk's own Makefile flags, without its fixed output folder.
      const res = spawnSync(cc, ['-O2', '-o', exe, ...files, '-lz', '-pthread'], { encoding: 'utf8' });
      if (res.status === 0) return exe;
      console.error(`BENCH_OPEN_VMDK_SRC: building vmdk-convert failed (zlib's headers, e.g. zlib1g-dev, are needed):\n${res.stderr}`);
    }
  }
  return onPath('vmdk-convert') ? 'vmdk-convert' : undefined;
}

mkdirSync(dir, { recursive: true });
const vmdkConvert = findVmdkConvert();
if (!existsSync(join(root, 'out/main/cli.js'))) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });

/** A seeded generator of uniform [0, 1) numbers (mulberry32): the same inputs on every machine. */
function seeded(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `bytes` of made-up prose: sentences of words drawn by Zipf's law from a seeded vocabulary of
 * 20 000. Deflate finds in it what it finds in real text (short, frequent matches; ~0.4 of the
 * size), where the repeated sentence of the 'text' kind gives it one long match after another.
 */
function prose(bytes, seed) {
  const rand = seeded(seed);
  const letters = 'etaoinshrdlcumwfgypbvkjxqz';
  const vocabulary = Array.from({ length: 20_000 }, () => {
    const length = 1 + (Math.floor(-Math.log(1 - rand()) * 4.5) % 14);
    let word = '';
    for (let k = 0; k < length; k++) word += letters[Math.floor(letters.length * rand() * rand())];
    return word;
  });
  const cumulative = new Float64Array(vocabulary.length);
  let total = 0;
  for (let r = 0; r < vocabulary.length; r++) cumulative[r] = total += 1 / (r + 1);
  const out = Buffer.allocUnsafe(bytes + 64);
  let o = 0;
  let words = 0;
  while (o < bytes) {
    const x = rand() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    const word = vocabulary[lo];
    o += out.write(words === 0 ? word[0].toUpperCase() + word.slice(1) : word, o, 'latin1');
    words++;
    if (words > 4 && rand() < 0.1) {
      o += out.write(rand() < 0.2 ? '.\n' : '. ', o, 'latin1');
      words = 0;
    } else out[o++] = rand() < 0.05 ? 0x2c : 0x20;
  }
  return out.subarray(0, bytes);
}

/** A raw image of `size` bytes holding `chunks` pieces of data at scattered, seeded offsets. */
function makeRaw(path, size, dataBytes, kind) {
  const fd = openSync(path, 'w');
  const piece = 4 * MiB;
  const slots = Math.floor(size / piece);
  const count = Math.round(dataBytes / piece);
  // Spread the pieces evenly with a fixed stride so every run of the bench sees the same layout.
  const stride = Math.max(1, Math.floor(slots / count));
  const text = Buffer.from('The quick brown fox jumps over the lazy dog; ferry carries disks across. '.repeat(58_000).slice(0, piece));
  for (let i = 0; i < count; i++) {
    const buf = kind === 'text' ? text : kind === 'prose' ? prose(piece, i + 1) : randomBytes(piece);
    writeSync(fd, buf, 0, piece, ((i * stride) % slots) * piece);
  }
  closeSync(fd);
  execFileSync('truncate', ['-s', String(size), path]);
}

/** The VHD of a generated raw image; the raw image stays beside it for the tools that take raw. */
function makeVhd(name, size, dataBytes, kind, subformat) {
  const vhd = join(dir, `${name}.vhd`);
  const raw = join(dir, `${name}.raw`);
  if (existsSync(vhd) && existsSync(raw)) return { vhd, raw };
  makeRaw(raw, size, dataBytes, kind);
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'vpc', '-o', `subformat=${subformat},force_size=on`, raw, vhd]);
  return { vhd, raw };
}

/** Empties the page cache, so the run reads from the disk (needs root; `sync` first, as the kernel asks). */
function dropCaches() {
  spawnSync('sync');
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
  } catch (err) {
    throw new Error(`BENCH_COLD=1 needs Linux and root to drop the page cache: ${err.message}`);
  }
}

function timed(cmd, args) {
  const res = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', cmd, ...args], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${res.stderr}`);
  const [secs, kb, user, sys] = res.stderr.trim().split('\n').pop().split(' ').map(Number);
  // A tool that reports its own time (the app path, without tsx's start-up) is taken at its word.
  const own = /seconds=([\d.]+)/.exec(res.stdout ?? '');
  return { secs: own ? Number(own[1]) : secs, cpu: user + sys, rssMB: kb / 1024 };
}

function outputBytes(prefix) {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .reduce((n, f) => n + statSync(join(dir, f)).blocks * 512, 0);
}

function clean(prefix) {
  for (const f of readdirSync(dir)) if (f.startsWith(prefix)) rmSync(join(dir, f), { recursive: true, force: true });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const inputs = {
  'dyn4g-512m-random': () => makeVhd('dyn4g-512m-random', 4 * GiB * scale, 512 * MiB * scale, 'random', 'dynamic'),
  'fixed1g-random': () => makeVhd('fixed1g-random', 1 * GiB * scale, 1 * GiB * scale, 'random', 'fixed'),
  'fixed2g-random': () => makeVhd('fixed2g-random', 2 * GiB * scale, 2 * GiB * scale, 'random', 'fixed'),
  'os-image': () => ({ vhd: osImage, raw: osImage }),
  'dyn1g-256m-text': () => makeVhd('dyn1g-256m-text', 1 * GiB * scale, 256 * MiB * scale, 'text', 'dynamic'),
  'dyn1g-256m-prose': () => makeVhd('dyn1g-256m-prose', 1 * GiB * scale, 256 * MiB * scale, 'prose', 'dynamic'),
  'dyn8g-empty': () => makeVhd('dyn8g-empty', 8 * GiB * scale, 0, 'random', 'dynamic'),
};

const jobs = [
  ['dyn4g-512m-random', 'monolithicSparse'],
  ['dyn4g-512m-random', 'twoGbMaxExtentSparse'],
  ['dyn4g-512m-random', 'streamOptimized'],
  ['fixed1g-random', 'monolithicSparse'],
  ['fixed1g-random', 'monolithicFlat'],
  ['fixed2g-random', 'monolithicFlat'],
  ['dyn1g-256m-text', 'streamOptimized'],
  ['dyn1g-256m-prose', 'streamOptimized'],
  ...(osImage ? [['os-image', 'streamOptimized']] : []),
  ['dyn8g-empty', 'monolithicSparse'],
].filter(([i, s]) => !only || `${i} ${s}`.includes(only));
const threads = cpus().length;

const ferry = join(root, 'bin/ferry.js');
const appPath = join(root, 'scripts/bench-app-path.ts');
const rows = [];
const paired = [];
for (const [input, subformat] of jobs) {
  const { vhd: src, raw } = inputs[input]();
  const srcFormat = src.endsWith('.vhd') ? 'vpc' : 'raw';
  const tools = {
    ferry: (out) => timed(process.execPath, [ferry, 'convert', src, out, '--subformat', subformat]),
    'ferry --no-verify': (out) => timed(process.execPath, [ferry, 'convert', src, out, '--subformat', subformat, '--no-verify']),
    'ferry (app: JobService + worker thread)': (out) => timed(process.execPath, ['--import', 'tsx', appPath, src, out, subformat]),
    'qemu-img': (out) => timed('qemu-img', ['convert', '-f', srcFormat, '-O', 'vmdk', '-o', `subformat=${subformat}`, src, out]),
  };
  if (subformat === 'streamOptimized' && vmdkConvert) {
    tools[`vmdk-convert -n ${threads} -c 6 (open-vmdk, raw input)`] = (out) => timed(vmdkConvert, ['-n', String(threads), '-c', '6', raw, out]);
  }
  tools['cp (floor)'] = (out) => timed('cp', ['--sparse=always', src, out]);
  const results = Object.fromEntries(Object.keys(tools).map((t) => [t, { secs: [], cpu: [], rss: [], bytes: 0 }]));
  const names = Object.keys(tools);
  for (let r = -1; r < runs; r++) {
    // Each round starts one tool later, so no tool always runs right after the same other one
    // (the page cache and the file system's writeback carry over from run to run).
    const order = names.map((_, i) => names[(i + Math.max(0, r)) % names.length]);
    for (const name of order) {
      const prefix = `out-${name.replace(/\W+/g, '_')}`;
      clean(prefix);
      // Start every run with no dirty pages: the last run's writeback is not this one's cost.
      spawnSync('sync');
      if (cold) dropCaches();
      const t = tools[name](join(dir, `${prefix}.vmdk`));
      if (r >= 0) {
        results[name].secs.push(t.secs);
        results[name].cpu.push(t.cpu);
        results[name].rss.push(t.rssMB);
        results[name].bytes = outputBytes(prefix);
        if (verbose) console.error(`${input} ${subformat} round ${r}: ${name} ${t.secs.toFixed(2)} s`);
      }
      clean(prefix);
    }
  }
  const q = median(results['qemu-img'].secs);
  const job = `${input} → ${subformat}${cold ? ' (cold)' : ''}`;
  // The ratios issue 16 sets targets for, taken round by round: the range shows how far one
  // pair of runs can stray on this host, which two medians taken apart hide.
  const vc = names.find((n) => n.startsWith('vmdk-convert'));
  const pairs = [
    ['ferry', 'ferry --no-verify', 'secs', 'verified / unverified, wall'],
    ...(subformat.endsWith('Flat') ? [['ferry --no-verify', 'cp (floor)', 'secs', 'unverified / cp, wall']] : []),
    ...(vc ? [['ferry', vc, 'secs', 'ferry / vmdk-convert, wall'], ['ferry', vc, 'cpu', 'ferry / vmdk-convert, CPU']] : []),
    ...(cold ? [['ferry', 'qemu-img', 'secs', 'verified / qemu-img, wall']] : []),
  ];
  for (const [a, b, field, label] of pairs) {
    const each = results[a][field].map((x, i) => x / results[b][field][i]);
    paired.push({ job, label, median: median(each), min: Math.min(...each), max: Math.max(...each) });
  }
  if (vc) paired.push({ job, label: 'ferry / vmdk-convert, size', median: results.ferry.bytes / results[vc].bytes });
  for (const [name, r] of Object.entries(results)) {
    const floor = name === 'cp (floor)';
    rows.push({
      job,
      tool: name,
      secs: median(r.secs),
      best: Math.min(...r.secs),
      cpu: median(r.cpu),
      ratio: median(r.secs) / q,
      sizeRatio: floor ? NaN : r.bytes / results['qemu-img'].bytes,
      rssMB: floor ? NaN : Math.max(...r.rss),
    });
  }
}

/**
 * What on this machine makes a run's kernel time depend on its luck: a VM that pages out page
 * cache left idle (DAMON's pageout scheme) or hands freed memory back to its host at once (free
 * page reporting), so that a run writing into fresh pages pays for the host faulting them in.
 */
function memoryReturnNotes() {
  const read = (p) => {
    try {
      return readFileSync(p, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const notes = [];
  const damon = '/sys/kernel/mm/damon/admin/kdamonds';
  const kdamonds = Number(read(join(damon, 'nr_kdamonds')) ?? 0);
  for (let k = 0; k < kdamonds; k++) if (read(join(damon, String(k), 'state')) === 'on') notes.push(`DAMON kdamond ${k} is on (it may page out idle page cache)`);
  if (read('/sys/module/page_reporting/parameters/min_free_ms') === '0') notes.push('free page reporting returns freed memory to the host at once (min_free_ms=0)');
  return notes;
}

const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '–');
console.log(`\nFerry vs qemu-img — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / GiB)} GiB, node ${process.version}, ${execFileSync('qemu-img', ['--version']).toString().split('\n')[0]}`);
console.log(`median of ${runs} run(s) after a warm-up${quick ? ' (quick mode: inputs 1/16 size)' : ''}${cold ? ', page cache dropped before every run' : ''}; ratio = time / qemu-img's time; CPU = user + system seconds\n`);
for (const note of memoryReturnNotes()) console.log(`note: ${note}; kernel time then varies from run to run.`);
if (extraCaNote) console.log(`note: ${extraCaNote}.`);
console.log('| job | tool | seconds | fastest s | ratio | CPU s | output size ratio | peak RSS MB |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.job} | ${r.tool} | ${fmt(r.secs)} | ${fmt(r.best)} | ${fmt(r.ratio)} | ${fmt(r.cpu)} | ${fmt(r.sizeRatio)} | ${fmt(r.rssMB, 0)} |`);
if (paired.length > 0) {
  console.log(`\nPaired ratios: each round's ratio of the two runs it made, then the median over the rounds and the lowest–highest\n`);
  console.log('| job | ratio | median | range |');
  console.log('|---|---|---:|---:|');
  for (const p of paired) console.log(`| ${p.job} | ${p.label} | ${fmt(p.median)} | ${p.min === undefined ? '–' : `${fmt(p.min)}–${fmt(p.max)}`} |`);
}
