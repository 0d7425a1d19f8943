// JobService with the real worker (out/main/thread.js, as built), plus workers that misbehave
// on purpose: silent on cancel, crashing, exiting, talking nonsense, leaving staging behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { JobService } from '../../electron/jobs';
import type { JobEvent, JobRequest } from '../../shared/jobs';
import { THREAD, entries, makeSlowVhd, makeVhd, sameContent, tempDir } from '../harness/fixtures';

const realWorker = (): Worker => new Worker(THREAD);
const evalWorker = (code: string) => (): Worker => new Worker(code, { eval: true });

/** Resolves with every event of `jobId` once its final one has arrived. */
function collect(service: JobService, until: (e: JobEvent) => void = () => undefined): { events: JobEvent[]; ended: Promise<JobEvent[]> } {
  const events: JobEvent[] = [];
  let resolveEnded!: (e: JobEvent[]) => void;
  const ended = new Promise<JobEvent[]>((r) => (resolveEnded = r));
  service.onEvent((e) => {
    events.push(e);
    until(e);
    if (e.type !== 'progress') setTimeout(() => resolveEnded(events), 50); // catch anything that (wrongly) follows
  });
  return { events, ended };
}

function convertRequest(source: string, output: string, extra: Partial<JobRequest> = {}): JobRequest {
  return { kind: 'convert', source, output, subformat: 'monolithicSparse', adapter: 'lsilogic', verify: true, overwrite: false, ...extra } as JobRequest;
}

describe('JobService with the real worker', () => {
  test('inspect answers the DiskInfo, or a typed failure for a file that is not a disk', async (t) => {
    const dir = tempDir(t);
    const service = new JobService({ createWorker: realWorker });
    const vhd = makeVhd(join(dir, 'a.vhd'));
    const good = await service.inspect(vhd);
    assert.ok(good.ok, JSON.stringify(good));
    assert.equal(good.value.disk.format, 'vhd');
    assert.equal(good.value.disk.variant, 'dynamic');
    assert.ok(good.value.disk.virtualSize >= 64 * 1024 * 1024, 'qemu rounds the size up to its CHS geometry');
    assert.equal(good.value.unpacked, undefined, 'nothing to keep for a disk that is not compressed');

    writeFileSync(join(dir, 'junk.vhd'), 'this is not a disk');
    const bad = await service.inspect(join(dir, 'junk.vhd'));
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.error.code, 'E_NOT_A_DISK');
  });

  test('a conversion reports progress in order, then done once, and the output holds the source', async (t) => {
    const dir = tempDir(t);
    const vhd = makeVhd(join(dir, 'src.vhd'), { size: '256M', data: '32M' });
    const service = new JobService({ createWorker: realWorker });
    const { ended } = collect(service);
    const output = join(dir, 'out.vmdk');
    const id = await service.start(convertRequest(vhd, output));
    const events = await ended;

    assert.ok(events.every((e) => e.jobId === id));
    const finals = events.filter((e) => e.type !== 'progress');
    assert.equal(finals.length, 1, 'exactly one final event');
    assert.equal(events.at(-1)!.type, 'done', JSON.stringify(events.at(-1)));
    const progress = events.filter((e): e is Extract<JobEvent, { type: 'progress' }> => e.type === 'progress');
    assert.ok(progress.length >= 2, 'some progress');
    const order = ['converting', 'verifying'];
    for (let i = 1; i < progress.length; i++) {
      const [a, b] = [progress[i - 1]!, progress[i]!];
      assert.ok(order.indexOf(b.phase) >= order.indexOf(a.phase), `phases never go back (${a.phase} → ${b.phase})`);
      if (a.phase === b.phase) assert.ok(b.done >= a.done, 'done never decreases within a phase');
    }
    assert.deepEqual([...new Set(progress.map((p) => p.phase))], order);
    const last = progress.at(-1)!;
    assert.equal(last.done, last.total, 'the last progress of a phase is complete');
    assert.equal(service.running, 0);
    assert.ok(sameContent(vhd, 'vpc', output, 'vmdk').same);
  });

  test('cancel mid-way ends with cancelled and leaves nothing behind', async (t) => {
    const dir = tempDir(t);
    const src = join(dir, 'src');
    const dest = join(dir, 'dest');
    mkdirSync(src);
    mkdirSync(dest);
    writeFileSync(join(dest, 'unrelated.txt'), 'keep me');
    const vhd = makeSlowVhd(join(src, 'big.vhd'));
    const service = new JobService({ createWorker: realWorker });
    let id = '';
    const { ended } = collect(service, (e) => {
      if (e.type === 'progress' && e.done > 0) service.cancel(id);
    });
    id = await service.start(convertRequest(vhd, join(dest, 'big.vmdk')));
    const events = await ended;
    assert.equal(events.at(-1)!.type, 'cancelled');
    assert.ok(events.some((e) => e.type === 'progress' && e.done > 0 && e.done < e.total), 'it was cancelled part-way');
    assert.deepEqual(entries(dest), ['unrelated.txt']);
  });

  test('a worker terminated before it can clean up: main removes its staging and partial files', async (t) => {
    const dir = tempDir(t);
    const dest = join(dir, 'dest');
    mkdirSync(dest);
    const vhd = makeSlowVhd(join(dir, 'big.vhd'));
    // No grace at all: the worker is terminated the moment cancel is asked, mid-write.
    const service = new JobService({ createWorker: realWorker, cancelGraceMs: 0 });
    let id = '';
    const { ended } = collect(service, (e) => {
      if (e.type === 'progress' && e.done > 0) service.cancel(id);
    });
    id = await service.start({ kind: 'vm', source: vhd, destDir: dest, name: 'Big VM', subformat: 'monolithicSparse', zeroCopy: false, verify: true, overwrite: false });
    const events = await ended;
    assert.equal(events.at(-1)!.type, 'cancelled');
    assert.deepEqual(entries(dest), []);
  });
});

describe('a worker killed while it unpacks a compressed source', () => {
  test('its scratch copy is removed, and a look-alike made by someone else meanwhile stays', async (t) => {
    const dir = tempDir(t);
    const dest = join(dir, 'dest');
    mkdirSync(dest);
    const vhd = makeSlowVhd(join(dir, 'big.vhd'));
    execFileSync('sh', ['-c', `gzip -1 -c "${vhd}" > "${vhd}.gz"`]);
    const lookalike = join(dest, '.big.vhd.gz.ferry-partial-0000cafe');
    const service = new JobService({ createWorker: realWorker, cancelGraceMs: 0 });
    let id = '';
    const { ended } = collect(service, (e) => {
      if (e.type === 'progress' && e.phase === 'decompressing' && e.done > 0 && !existsSync(lookalike)) {
        mkdirSync(lookalike);
        service.cancel(id);
      }
    });
    id = await service.start({ kind: 'vm', source: `${vhd}.gz`, destDir: dest, name: 'Big', subformat: 'monolithicSparse', zeroCopy: false, verify: false, overwrite: false });
    const events = await ended;
    assert.equal(events.at(-1)!.type, 'cancelled');
    assert.deepEqual(entries(dest), ['.big.vhd.gz.ferry-partial-0000cafe']);
  });
});

describe('one job at a time', () => {
  test('a job started while another runs waits its turn: its events begin after the first one ends; a waiting job cancelled leaves the queue with its cancelled end', async (t) => {
    const dir = tempDir(t);
    const first = makeVhd(join(dir, 'first.vhd'), { size: '256M', data: '64M' });
    const second = makeVhd(join(dir, 'second.vhd'));
    const service = new JobService({ createWorker: realWorker });
    const events: JobEvent[] = [];
    const finals = new Map<string, () => void>();
    const ended = (id: string): Promise<void> => new Promise((r) => finals.set(id, r));
    service.onEvent((e) => {
      events.push(e);
      if (e.type !== 'progress') finals.get(e.jobId)?.();
    });
    const a = await service.start(convertRequest(first, join(dir, 'a.vmdk')));
    const b = await service.start(convertRequest(second, join(dir, 'b.vmdk')));
    const c = await service.start(convertRequest(second, join(dir, 'c.vmdk')));
    const [aEnded, bEnded] = [ended(a), ended(b)];
    assert.equal(new Set([a, b, c]).size, 3, 'each has its own id at once');
    assert.equal(service.running, 3, 'one running, two waiting');

    assert.equal(service.cancel(c), true);
    assert.deepEqual(events.filter((e) => e.jobId === c).map((e) => e.type), ['cancelled'], 'taken off the queue at once');
    assert.equal(events.some((e) => e.jobId === b), false, 'still waiting');
    assert.equal(service.cancel(c), false, 'nothing left to cancel');

    await aEnded;
    await bEnded;
    const endOfA = events.findIndex((e) => e.jobId === a && e.type !== 'progress');
    const firstOfB = events.findIndex((e) => e.jobId === b);
    assert.equal(events[endOfA]!.type, 'done', JSON.stringify(events[endOfA]));
    assert.ok(firstOfB > endOfA, 'the second job starts only when the first has ended');
    assert.ok(events.slice(endOfA + 1).every((e) => e.jobId === b), 'and nothing of the first follows');
    assert.equal(events.at(-1)!.type, 'done');
    assert.ok(sameContent(second, 'vpc', join(dir, 'b.vmdk'), 'vmdk').same);
    assert.deepEqual(entries(dir), ['a.vmdk', 'b.vmdk', 'first.vhd', 'second.vhd'], 'the cancelled one never ran');
    assert.equal(service.running, 0);
  });
});

describe('cancel at seeded random moments', () => {
  const SEED = process.env.FERRY_CANCEL_SEED ? Number(process.env.FERRY_CANCEL_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  /** mulberry32: a small seeded generator, so a failing run can be replayed with FERRY_CANCEL_SEED. */
  const random = (() => {
    let a = SEED;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
  })();
  const KINDS = ['monolithicSparse', 'monolithicFlat', 'streamOptimized', 'vm', 'vm from .vhd.gz', 'ova'] as const;

  test(`every job kind, cancelled anywhere from the start to the end: cancelled with nothing left, or done and whole (seed ${SEED})`, async (t) => {
    const dir = tempDir(t);
    const vhd = makeVhd(join(dir, 'src.vhd'), { size: '512M', data: '160M' });
    const gz = join(dir, 'src.vhd.gz');
    writeFileSync(gz, gzipSync(readFileSync(vhd), { level: 1 }));
    const service = new JobService({ createWorker: realWorker });
    const outcomes: string[] = [];
    for (let trial = 0; trial < 10; trial++) {
      const kind = KINDS[Math.floor(random() * KINDS.length)]!;
      const delayMs = Math.floor(random() * 1200);
      const dest = join(dir, `dest-${trial}`);
      mkdirSync(dest);
      writeFileSync(join(dest, 'unrelated.txt'), 'keep me');
      const request: JobRequest =
        kind === 'vm' || kind === 'vm from .vhd.gz'
          ? { kind: 'vm', source: kind === 'vm' ? vhd : gz, destDir: dest, name: 'VM', subformat: 'monolithicSparse', zeroCopy: false, verify: true, overwrite: false }
          : kind === 'ova'
            ? { kind: 'ova', source: vhd, output: join(dest, 'x.ova'), verify: true, overwrite: false }
            : convertRequest(vhd, join(dest, 'x.vmdk'), { subformat: kind });
      const { ended } = collect(service);
      const id = await service.start(request);
      const timer = setTimeout(() => service.cancel(id), delayMs);
      const events = (await ended).filter((e) => e.jobId === id);
      clearTimeout(timer);
      const last = events.at(-1)!;
      const label = `trial ${trial}: ${kind}, cancel after ${delayMs} ms → ${last.type}`;
      outcomes.push(label);
      assert.equal(events.filter((e) => e.type !== 'progress').length, 1, `${label}: exactly one final event`);
      if (last.type === 'cancelled') {
        assert.deepEqual(entries(dest), ['unrelated.txt'], `${label}: nothing left behind`);
        assert.deepEqual(entries(dir).filter((n) => n.includes('.ferry-')), [], `${label}: no unpacked copy left`);
      } else {
        assert.equal(last.type, 'done', `${label}: ${JSON.stringify(last)}`);
        const made = kind === 'ova' ? ['x.ova'] : kind.startsWith('vm') ? ['VM'] : kind === 'monolithicFlat' ? ['x-flat.vmdk', 'x.vmdk'] : ['x.vmdk'];
        assert.deepEqual(entries(dest), [...made, 'unrelated.txt'].sort(), label);
        if (kind.startsWith('vm')) assert.ok(sameContent(vhd, 'vpc', join(dest, 'VM', 'VM.vmdk'), 'vmdk').same, label);
        else if (kind !== 'ova') assert.ok(sameContent(vhd, 'vpc', join(dest, 'x.vmdk'), 'vmdk').same, label);
      }
    }
    assert.equal(service.running, 0);
    t.diagnostic(outcomes.join('; '));
  });
});

describe('JobService with workers that misbehave', () => {
  const request = (dir: string): JobRequest => convertRequest(join(dir, 'in.vhd'), join(dir, 'out.vmdk'));

  test('a worker that ignores cancel is terminated after the grace period, and the job is cancelled', async (t) => {
    const dir = tempDir(t);
    const service = new JobService({ createWorker: evalWorker('setInterval(() => {}, 1000)'), cancelGraceMs: 150 });
    const { ended } = collect(service);
    const id = await service.start(request(dir));
    const started = Date.now();
    assert.equal(service.cancel(id), true);
    const events = await ended;
    assert.deepEqual(events.map((e) => e.type), ['cancelled']);
    assert.ok(Date.now() - started >= 140, 'waited for the grace period first');
    assert.equal(service.cancel(id), false, 'nothing left to cancel');
  });

  test('a worker that throws is a failed job with E_INTERNAL, not a hang', async (t) => {
    const dir = tempDir(t);
    const service = new JobService({ createWorker: evalWorker("require('worker_threads').parentPort.on('message', () => { throw new Error('boom'); })") });
    const { ended } = collect(service);
    await service.start(request(dir));
    const [event] = await ended;
    assert.equal(event?.type, 'failed');
    assert.equal(event?.type === 'failed' && event.error.code, 'E_INTERNAL');
    assert.match(event?.type === 'failed' ? event.error.message : '', /boom/);
  });

  test('a worker that exits without answering is a failed job that says so', async (t) => {
    const dir = tempDir(t);
    const service = new JobService({ createWorker: evalWorker("require('worker_threads').parentPort.on('message', () => process.exit(3))") });
    const { ended } = collect(service);
    await service.start(request(dir));
    const [event] = await ended;
    assert.equal(event?.type, 'failed');
    assert.match(event?.type === 'failed' ? event.error.message : '', /exit code 3/);
  });

  test('a malformed message from the worker fails the job instead of reaching the renderer', async (t) => {
    const dir = tempDir(t);
    const service = new JobService({
      createWorker: evalWorker("const p = require('worker_threads').parentPort; p.on('message', () => p.postMessage({ type: 'progress', progress: { phase: 'warp', done: -1 } }))"),
    });
    const { ended } = collect(service);
    await service.start(request(dir));
    const events = await ended;
    assert.deepEqual(events.map((e) => e.type), ['failed']);
  });

  test('leftovers of a killed worker are removed; files that were there before are kept', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'out-old.txt'), 'not ours');
    writeFileSync(join(dir, '.out.vmdk.ferry-partial-0badf00d'), 'was there before the job');
    // Stages output the way the engine does (announcing each path it creates), then hangs: only main can clean up after it.
    const code = `
      const { parentPort } = require('worker_threads');
      const fs = require('fs'); const path = require('path');
      parentPort.on('message', (m) => {
        if (m.type !== 'run') return;
        const dir = path.dirname(m.request.output);
        const staging = path.join(dir, '.out.vmdk.ferry-partial-12345678');
        fs.mkdirSync(staging);
        parentPort.postMessage({ type: 'created', path: staging });
        fs.writeFileSync(path.join(staging, 'out.vmdk'), 'partial');
        parentPort.postMessage({ type: 'created', path: path.join(dir, 'out-s001.vmdk') });
        fs.writeFileSync(path.join(dir, 'out-s001.vmdk'), 'an extent renamed before the crash');
        parentPort.postMessage({ type: 'progress', progress: { phase: 'converting', done: 1, total: 2, rate: 1 } });
        setInterval(() => {}, 1000);
      });`;
    const service = new JobService({ createWorker: evalWorker(code), cancelGraceMs: 50 });
    let id = '';
    const { ended } = collect(service, (e) => {
      if (e.type === 'progress') service.cancel(id);
    });
    id = await service.start(request(dir));
    const events = await ended;
    assert.equal(events.at(-1)!.type, 'cancelled');
    assert.deepEqual(entries(dir), ['.out.vmdk.ferry-partial-0badf00d', 'out-old.txt']);
  });

  test('a killed job removes only what its worker created: look-alikes made by others meanwhile stay', async (t) => {
    const dir = tempDir(t);
    // Ferry's own staging, plus files named the way Ferry names its output and staging that
    // someone else makes while the job runs (announced by nobody): only the first may go.
    const code = `
      const { parentPort } = require('worker_threads');
      const fs = require('fs'); const path = require('path');
      parentPort.on('message', (m) => {
        if (m.type !== 'run') return;
        const dir = path.dirname(m.request.output);
        const staging = path.join(dir, '.out.vmdk.ferry-partial-12345678');
        fs.mkdirSync(staging);
        parentPort.postMessage({ type: 'created', path: staging });
        fs.mkdirSync(path.join(dir, '.out.vmdk.ferry-partial-cafebabe'));
        fs.writeFileSync(path.join(dir, 'out-s001.vmdk'), 'someone else');
        fs.writeFileSync(path.join(dir, 'out.vmdk'), 'someone else');
        parentPort.postMessage({ type: 'progress', progress: { phase: 'converting', done: 1, total: 2, rate: 1 } });
        setInterval(() => {}, 1000);
      });`;
    for (const how of ['cancelled', 'crashed'] as const) {
      const sub = join(dir, how);
      mkdirSync(sub);
      const worker = how === 'cancelled' ? code : code.replace('setInterval(() => {}, 1000);', 'setTimeout(() => process.exit(7), 20);');
      const service = new JobService({ createWorker: evalWorker(worker), cancelGraceMs: 50 });
      let id = '';
      const { ended } = collect(service, (e) => {
        if (e.type === 'progress' && how === 'cancelled') service.cancel(id);
      });
      id = await service.start(convertRequest(join(sub, 'in.vhd'), join(sub, 'out.vmdk')));
      const events = await ended;
      assert.equal(events.at(-1)!.type, how === 'cancelled' ? 'cancelled' : 'failed');
      assert.deepEqual(entries(sub), ['.out.vmdk.ferry-partial-cafebabe', 'out-s001.vmdk', 'out.vmdk'], how);
    }
  });

  test('a created path the worker reports must be absolute: a relative one fails the task', async (t) => {
    const dir = tempDir(t);
    const service = new JobService({
      createWorker: evalWorker("const p = require('worker_threads').parentPort; p.on('message', () => p.postMessage({ type: 'created', path: 'relative/x' }))"),
    });
    const { ended } = collect(service);
    await service.start(request(dir));
    const events = await ended;
    assert.deepEqual(events.map((e) => e.type), ['failed']);
  });

  test('cancelAll stops every job and resolves once they have all ended', async (t) => {
    const dir = tempDir(t);
    const service = new JobService({ createWorker: evalWorker('setInterval(() => {}, 1000)'), cancelGraceMs: 50 });
    const { events } = collect(service);
    await service.start(request(dir));
    await service.start(request(dir));
    assert.equal(service.running, 2);
    await service.cancelAll();
    assert.equal(service.running, 0);
    assert.deepEqual(events.map((e) => e.type), ['cancelled', 'cancelled']);
  });
});
