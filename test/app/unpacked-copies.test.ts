// The unpacked copy an inspection keeps for the job: when main lets it go. The host with the real
// JobService and worker (as built), over compressed VHDs made with qemu-img and gzip.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { HostEvent } from '../../shared/host-contract';
import type { JobEvent } from '../../shared/jobs';
import { FerryHost } from '../../electron/host';
import { JobService } from '../../electron/jobs';
import { THREAD, entries, keptCopies, makeSlowVhd, makeVhd, sameContent, tempDir } from '../harness/fixtures';
import { withTmpfs } from '../support/tmp';

/** A fresh 16 MiB tmpfs, unmounted after the test; undefined (the test skipped) where mounting is refused. */
function smallTmpfs(t: TestContext): string | undefined {
  return withTmpfs(t, '16m');
}

function gzip(file: string, level = 6): string {
  execFileSync('sh', ['-c', `gzip -${level} -c "${file}" > "${file}.gz"`]);
  return `${file}.gz`;
}

/** A host whose sources are granted up front and whose suggested destination is `dest`. */
function hostFor(dest: string, sources: string[]): { host: FerryHost; jobs: JobService; events: HostEvent[] } {
  const jobs = new JobService({ createWorker: () => new Worker(THREAD), cancelGraceMs: 2000 });
  const host = new FerryHost({
    jobs,
    dialogs: { pickSource: async () => null, pickDestination: async () => null },
    shell: { showInFolder: () => undefined, openPath: async () => '' },
    suggestDestination: () => dest,
    acceptDrop: () => true,
  });
  for (const s of sources) host.grants.sources.add(s);
  const events: HostEvent[] = [];
  host.onEvent((e) => events.push(e));
  return { host, jobs, events };
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(check(), what);
}

function finalOf(events: HostEvent[], jobId: string): JobEvent | undefined {
  return events.flatMap((e) => (e.name === 'jobEvent' && e.payload.jobId === jobId && e.payload.type !== 'progress' ? [e.payload] : [])).at(0);
}

describe('the kept copy of a compressed source', () => {
  test('goes when another disk is inspected, when the page goes away, and on shutdown', async (t) => {
    const dir = tempDir(t);
    const dest = join(dir, 'dest');
    mkdirSync(dest);
    const packed = gzip(makeVhd(join(dir, 'a.vhd')));
    const plain = makeVhd(join(dir, 'b.vhd'));
    const { host, jobs } = hostFor(dest, [packed, plain]);
    t.after(async () => {
      await jobs.cancelAll();
      await host.shutdown();
    });

    assert.ok((await host.inspect(packed)).ok);
    assert.equal(keptCopies(dest, 'a.vhd.gz').length, 1);
    assert.ok((await host.inspect(plain)).ok);
    await eventually(() => keptCopies(dest, 'a.vhd.gz').length === 0, 'another disk releases it');

    assert.ok((await host.inspect(packed)).ok);
    assert.equal(keptCopies(dest, 'a.vhd.gz').length, 1);
    host.rendererGone();
    await eventually(() => keptCopies(dest, 'a.vhd.gz').length === 0, 'the page going away releases it');

    assert.ok((await host.inspect(packed)).ok);
    assert.equal(keptCopies(dest, 'a.vhd.gz').length, 1);
    await host.shutdown();
    assert.deepEqual(entries(dest), [], 'shutdown removes it before it resolves');
  });

  test('a newer inspection cancels the one still unpacking, and nothing of it is left', async (t) => {
    const dir = tempDir(t);
    const dest = join(dir, 'dest');
    mkdirSync(dest);
    const big = gzip(makeSlowVhd(join(dir, 'big.vhd')), 1);
    const plain = makeVhd(join(dir, 'b.vhd'));
    const { host, jobs, events } = hostFor(dest, [big, plain]);
    t.after(async () => {
      await jobs.cancelAll();
      await host.shutdown();
    });

    const first = host.inspect(big);
    // Its first progress is sent as unpacking begins; writing the 400 MB inside takes a while after that.
    await eventually(() => events.some((e) => e.name === 'inspectProgress'), 'the big one is unpacking');
    const second = await host.inspect(plain);
    assert.ok(second.ok);
    const superseded = await first;
    assert.equal(!superseded.ok && superseded.error.code, 'E_CANCELLED');
    assert.deepEqual(entries(dest), [], 'its half-unpacked copy is gone');
  });

  test('no room to keep it beside the destination: inspect as before, and the job unpacks for itself', async (t) => {
    const dir = tempDir(t);
    const dest = join(dir, 'dest');
    mkdirSync(dest);
    const vhd = makeVhd(join(dir, 'c.vhd'));
    const packed = gzip(vhd);
    // A suggested folder that is not there: keeping the copy fails (E_IO), as it would for no space or no permission.
    const { host, jobs, events } = hostFor(join(dir, 'gone'), [packed]);
    host.grants.destinations.add(dest);
    t.after(async () => {
      await jobs.cancelAll();
      await host.shutdown();
    });

    const inspection = await host.inspect(packed);
    assert.ok(inspection.ok, JSON.stringify(inspection));
    assert.equal(inspection.value.disk.compression?.format, 'gzip');
    assert.ok(
      inspection.value.disk.warnings.some((w) => w.includes(join(dir, 'gone')) && w.includes("unpacked it into the system's temporary folder") && /needs up to [\d.]+ MiB free/.test(w)),
      `the answer says it unpacked elsewhere: ${JSON.stringify(inspection.value.disk.warnings)}`,
    );
    const started = await host.start({ kind: 'convert', source: packed, output: join(dest, 'c.vmdk'), subformat: 'monolithicSparse', adapter: 'ide', verify: true, overwrite: false });
    assert.ok(started.ok);
    assert.deepEqual(host.phasesOf(started.value), ['decompressing', 'converting', 'verifying'], 'the taskbar plans its unpacking');
    await eventually(() => finalOf(events, started.value) !== undefined, 'the job ends');
    assert.equal(finalOf(events, started.value)?.type, 'done');
    const phases = new Set(events.flatMap((e) => (e.name === 'jobEvent' && e.payload.jobId === started.value && e.payload.type === 'progress' ? [e.payload.phase] : [])));
    assert.ok(phases.has('decompressing'));
    assert.deepEqual(entries(dest), ['c.vmdk']);
    assert.ok(sameContent(vhd, 'vpc', join(dest, 'c.vmdk'), 'vmdk').same);
  });

  test('no space beside the destination: the fallback to the temporary folder is said, with what the job needs', async (t) => {
    const dir = tempDir(t);
    const dest = smallTmpfs(t);
    if (!dest) return;
    const packed = gzip(makeVhd(join(dir, 'big.vhd'), { size: '64M', data: '40M' }), 1);
    const { host, jobs } = hostFor(dest, [packed]);
    t.after(async () => {
      await jobs.cancelAll();
      await host.shutdown();
    });
    const inspection = await host.inspect(packed);
    assert.ok(inspection.ok, JSON.stringify(inspection));
    const said = inspection.value.disk.warnings.find((w) => w.startsWith('There was not enough room to unpack it beside the destination'));
    assert.ok(said, JSON.stringify(inspection.value.disk.warnings));
    assert.ok(said.includes(dest) && said.includes(tmpdir()), said);
    assert.match(said, /needs up to [\d.]+ MiB free there/);
    assert.deepEqual(entries(dest), [], 'nothing left beside the destination');
  });

  test('no space in the temporary folder either: E_NO_SPACE naming both places, nothing left', async (t) => {
    const dir = tempDir(t);
    const dest = smallTmpfs(t);
    const temp = dest && smallTmpfs(t);
    if (!dest || !temp) return;
    const packed = gzip(makeVhd(join(dir, 'big.vhd'), { size: '64M', data: '40M' }), 1);
    const { host, jobs } = hostFor(dest, [packed]);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = temp; // read by each new worker
    t.after(async () => {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await jobs.cancelAll();
      await host.shutdown();
    });
    const inspection = await host.inspect(packed);
    assert.ok(!inspection.ok, 'refused');
    assert.equal(inspection.error.code, 'E_NO_SPACE');
    assert.ok(inspection.error.message.includes(dest) && inspection.error.message.includes(temp), inspection.error.message);
    assert.deepEqual(entries(dest), []);
    assert.deepEqual(entries(temp), []);
  });

  test('a job that reads the copy plans no unpacking; its final event comes once the copy is removed', async (t) => {
    const dir = tempDir(t);
    const dest = join(dir, 'dest');
    mkdirSync(dest);
    const packed = gzip(makeVhd(join(dir, 'd.vhd')));
    const { host, jobs, events } = hostFor(dest, [packed]);
    host.grants.destinations.add(dest);
    t.after(async () => {
      await jobs.cancelAll();
      await host.shutdown();
    });

    assert.ok((await host.inspect(packed)).ok);
    const started = await host.start({ kind: 'vm', source: packed, destDir: dest, name: 'D', subformat: 'monolithicSparse', zeroCopy: false, verify: true, overwrite: false });
    assert.ok(started.ok);
    assert.deepEqual(host.phasesOf(started.value), ['converting', 'verifying']);
    let copiesAtFinal = -1;
    host.onEvent((e) => {
      if (e.name === 'jobEvent' && e.payload.type !== 'progress') copiesAtFinal = keptCopies(dest, 'd.vhd.gz').length;
    });
    await eventually(() => finalOf(events, started.value) !== undefined, 'the job ends');
    assert.equal(finalOf(events, started.value)?.type, 'done');
    assert.equal(copiesAtFinal, 0);
    assert.deepEqual(entries(dest), ['D']);
  });

  test('keeps the download\'s permissions: a private 0600 download is not unpacked readable by others', async (t) => {
    const dir = tempDir(t);
    const dest = join(dir, 'dest');
    mkdirSync(dest);
    for (const [name, mode] of [['p.vhd', 0o600], ['q.vhd', 0o640]] as const) {
      const packed = gzip(makeVhd(join(dir, name)));
      chmodSync(packed, mode);
      const { host, jobs } = hostFor(dest, [packed]);
      const answer = await host.inspect(packed);
      assert.ok(answer.ok, JSON.stringify(answer));
      const [folder] = keptCopies(dest, `${name}.gz`);
      assert.ok(folder, 'the copy is kept');
      const files = readdirSync(join(dest, folder));
      assert.deepEqual(files, [name]);
      assert.equal(statSync(join(dest, folder, name)).mode & 0o777, mode, `${name}.gz is ${mode.toString(8)}`);
      await jobs.cancelAll();
      await host.shutdown();
    }
  });

  test('a download changed since it was inspected is unpacked again rather than trusted', async (t) => {
    const dir = tempDir(t);
    const dest = join(dir, 'dest');
    mkdirSync(dest);
    const vhd = makeVhd(join(dir, 'e.vhd'));
    const packed = gzip(vhd);
    const { host, jobs, events } = hostFor(dest, [packed]);
    host.grants.destinations.add(dest);
    t.after(async () => {
      await jobs.cancelAll();
      await host.shutdown();
    });

    assert.ok((await host.inspect(packed)).ok);
    utimesSync(packed, new Date(), new Date(Date.now() + 5000));
    const started = await host.start({ kind: 'convert', source: packed, output: join(dest, 'e.vmdk'), subformat: 'monolithicSparse', adapter: 'ide', verify: true, overwrite: false });
    assert.ok(started.ok);
    await eventually(() => finalOf(events, started.value) !== undefined, 'the job ends');
    assert.equal(finalOf(events, started.value)?.type, 'done');
    assert.ok(events.some((e) => e.name === 'jobEvent' && e.payload.jobId === started.value && e.payload.type === 'progress' && e.payload.phase === 'decompressing'));
    assert.deepEqual(entries(dest), ['e.vmdk'], 'both copies are gone');
    assert.ok(sameContent(vhd, 'vpc', join(dest, 'e.vmdk'), 'vmdk').same);
  });
});
