// One suite of bridge scenarios, run over two transports: direct calls (with a structured clone
// each way, as IPC does) and the harness's WebSocket. The renderer-facing contract must not
// depend on how it travels. Both run the real host, JobService and worker.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { FerryApi, InspectProgress } from '../../shared/api';
import { createFerryApi } from '../../shared/client';
import type { JobEvent, JobRequest } from '../../shared/jobs';
import { createHandlers } from '../../electron/handlers';
import { entries, keptCopies, makeSlowVhd, makeVhd, sameContent } from './fixtures';
import { memoryTransport } from './memory-transport';
import { confirmAnswerFrom, createHarnessHost, startHarness, type HarnessOptions, type ShellCall } from './server';
import { TOKEN_PARAM, WS_PATH, socketUrlFor } from './ws-protocol';
import { webSocketTransport, type SocketLike } from './ws-transport';

interface Connected {
  api: FerryApi;
  shellCalls: ShellCall[];
  confirmCalls: string[];
  close(): Promise<void>;
}

type Connect = (opts: HarnessOptions) => Promise<Connected>;

const dropPath = (dropDir: string | null) => (file: { name: string }) => (dropDir ? join(dropDir, file.name) : '');

const transports: [string, Connect][] = [
  [
    'in memory',
    async (opts) => {
      const { host, jobs, shellCalls, confirmCalls, dropDir } = createHarnessHost(opts);
      const transport = memoryTransport(createHandlers(host), host);
      return {
        api: createFerryApi(transport, dropPath(dropDir)),
        shellCalls,
        confirmCalls,
        async close() {
          transport.close();
          await jobs.cancelAll();
          await host.shutdown();
          host.dispose();
        },
      };
    },
  ],
  [
    'over the WebSocket',
    async (opts) => {
      const harness = await startHarness(opts);
      // As the page does: its own origin, and the token from its URL.
      const socket = new WebSocket(socketUrlFor(harness.url), { origin: new URL(harness.url).origin });
      const transport = webSocketTransport(socket as unknown as SocketLike);
      return {
        api: createFerryApi(transport, dropPath(opts.dropDir ?? null)),
        shellCalls: harness.shellCalls,
        confirmCalls: harness.confirmCalls,
        async close() {
          transport.close();
          await harness.close();
        },
      };
    },
  ],
];

/** Every event of the job, through its final one. */
function jobEvents(api: FerryApi, onEach: (e: JobEvent) => void = () => undefined): { forJob(id: string): Promise<JobEvent[]> } {
  const seen: JobEvent[] = [];
  const waiters: (() => void)[] = [];
  api.onJobEvent((e) => {
    seen.push(e);
    onEach(e);
    for (const w of waiters.splice(0)) w();
  });
  return {
    async forJob(id) {
      for (;;) {
        const mine = seen.filter((e) => e.jobId === id);
        if (mine.some((e) => e.type !== 'progress')) return mine;
        await new Promise<void>((r) => waiters.push(r));
      }
    },
  };
}

for (const [name, connect] of transports) {
  describe(`bridge contract ${name}`, () => {
    let dir: string;
    let src: string;
    let dest: string;
    let vhd: string;
    let slow: string;
    let conn: Connected;
    let launched: string;
    let compressed: string;
    let slowCompressed: string;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'ferry-contract-'));
      src = join(dir, 'src');
      dest = join(dir, 'dest');
      mkdirSync(src);
      mkdirSync(dest);
      vhd = makeVhd(join(src, 'disk.vhd'));
      slow = makeSlowVhd(join(src, 'slow.vhd'));
      launched = makeVhd(join(src, 'launched.vhd'));
      compressed = join(src, 'packed.vhd.gz');
      execFileSync('sh', ['-c', `gzip -c "${vhd}" > "${compressed}"`]);
      slowCompressed = join(src, 'slow.vhd.gz');
      execFileSync('sh', ['-c', `gzip -1 -c "${slow}" > "${slowCompressed}"`]);
      writeFileSync(join(src, 'broken.vhd'), 'definitely not a disk');
      conn = await connect({ pickSource: vhd, pickDest: dest, dropDir: src, launchFiles: [launched] });
    });
    after(async () => {
      await conn.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('launch files arrive once the renderer listens', async () => {
      const paths = await new Promise<string[]>((resolve) => conn.api.onOpenFiles(resolve));
      assert.deepEqual(paths, [launched]);
    });

    test('pick → inspect → start → progress → done; the output holds the source', async () => {
      const { api } = conn;
      const events = jobEvents(api);
      const picked = await api.pickSource();
      assert.equal(picked, vhd);
      const inspection = await api.inspect(picked!);
      assert.ok(inspection.ok, JSON.stringify(inspection));
      assert.equal(inspection.value.disk.format, 'vhd');
      assert.equal(inspection.value.suggestedDestination, dest);
      const request: JobRequest = {
        kind: 'convert',
        source: vhd,
        output: join(dest, 'disk.vmdk'),
        subformat: 'monolithicSparse',
        adapter: 'lsilogic',
        verify: true,
        overwrite: false,
      };
      const started = await api.start(request);
      assert.ok(started.ok, JSON.stringify(started));
      const all = await events.forJob(started.value);
      const last = all.at(-1)!;
      assert.equal(last.type, 'done', JSON.stringify(last));
      assert.ok(all.some((e) => e.type === 'progress'));
      if (last.type !== 'done') return;
      assert.equal(last.result.output, join(dest, 'disk.vmdk'));
      assert.ok(sameContent(vhd, 'vpc', last.result.output, 'vmdk').same);

      assert.deepEqual(await api.showInFolder(last.result.output), { ok: true, value: null });
      assert.deepEqual(conn.shellCalls.at(-1), { action: 'showInFolder', path: last.result.output });
    });

    test('a VM folder job, then Open in VMware on its .vmx', async () => {
      const { api } = conn;
      const events = jobEvents(api);
      const started = await api.start({ kind: 'vm', source: vhd, destDir: dest, name: 'Contract VM', subformat: 'monolithicSparse', zeroCopy: false, verify: true, overwrite: false });
      assert.ok(started.ok, JSON.stringify(started));
      const last = (await events.forJob(started.value)).at(-1)!;
      assert.equal(last.type, 'done', JSON.stringify(last));
      if (last.type !== 'done') return;
      assert.ok(last.result.vmx?.endsWith('Contract VM.vmx'));
      assert.deepEqual(await api.openInVmware(last.result.vmx!), { ok: true, value: null });
      assert.deepEqual(conn.shellCalls.at(-1), { action: 'openPath', path: last.result.vmx });
    });

    test('an OVA job writes one .ova where the user chose', async () => {
      const { api } = conn;
      const events = jobEvents(api);
      const started = await api.start({ kind: 'ova', source: vhd, output: join(dest, 'Contract.ova'), name: 'Contract', verify: true, overwrite: false });
      assert.ok(started.ok, JSON.stringify(started));
      const last = (await events.forJob(started.value)).at(-1)!;
      assert.equal(last.type, 'done', JSON.stringify(last));
      assert.deepEqual(last.type === 'done' && last.result.files, [join(dest, 'Contract.ova')]);
      const wrongExtension = await api.start({ kind: 'ova', source: vhd, output: join(dest, 'Contract.vmdk'), verify: true, overwrite: false });
      assert.equal(!wrongExtension.ok && wrongExtension.error.code, 'E_USAGE');
    });

    test('a compressed download is unpacked once: inspect unpacks it with progress and keeps the copy, the job reads that copy, and it is gone when the job ends', async () => {
      const { api } = conn;
      const events = jobEvents(api);
      const inspecting: InspectProgress[] = [];
      const off = api.onInspectProgress((p) => inspecting.push(p));
      api.pathForFile({ name: 'packed.vhd.gz' });
      const inspection = await api.inspect(compressed);
      off();
      assert.ok(inspection.ok, JSON.stringify(inspection));
      assert.equal(inspection.value.disk.compression?.format, 'gzip');
      assert.equal(inspection.value.disk.format, 'vhd');
      assert.ok(inspecting.length > 0 && inspecting.every((p) => p.path === compressed && p.phase === 'decompressing'), JSON.stringify(inspecting));
      assert.equal(inspecting.at(-1)!.done, inspecting.at(-1)!.total, 'the bar reaches its end');
      assert.equal(keptCopies(dest, 'packed.vhd.gz').length, 1, 'the unpacked copy waits beside the destination');

      const started = await api.start({ kind: 'convert', source: compressed, output: join(dest, 'packed.vmdk'), subformat: 'monolithicSparse', adapter: 'ide', verify: true, overwrite: false });
      assert.ok(started.ok, JSON.stringify(started));
      const all = await events.forJob(started.value);
      assert.equal(all.at(-1)!.type, 'done', JSON.stringify(all.at(-1)));
      const phases = [...new Set(all.flatMap((e) => (e.type === 'progress' ? [e.phase] : [])))];
      assert.deepEqual(phases, ['converting', 'verifying'], 'no second unpack');
      assert.deepEqual(keptCopies(dest, 'packed.vhd.gz'), [], 'the copy is removed before "done" arrives');
      assert.ok(sameContent(vhd, 'vpc', join(dest, 'packed.vmdk'), 'vmdk').same);

      // The pass is over: converting again unpacks again, as its own phase, and leaves nothing either.
      const again = await api.start({ kind: 'convert', source: compressed, output: join(dest, 'packed-again.vmdk'), subformat: 'monolithicSparse', adapter: 'ide', verify: false, overwrite: false });
      assert.ok(again.ok, JSON.stringify(again));
      const second = await events.forJob(again.value);
      assert.equal(second.at(-1)!.type, 'done', JSON.stringify(second.at(-1)));
      assert.deepEqual([...new Set(second.flatMap((e) => (e.type === 'progress' ? [e.phase] : [])))], ['decompressing', 'converting']);
      assert.ok(!entries(dest).some((e) => e.includes('ferry-partial')), entries(dest).join(', '));
    });

    test('cancelling a job that reads the kept copy removes the copy too', async () => {
      const { api } = conn;
      api.pathForFile({ name: 'slow.vhd.gz' });
      const inspection = await api.inspect(slowCompressed);
      assert.ok(inspection.ok, JSON.stringify(inspection));
      assert.equal(keptCopies(dest, 'slow.vhd.gz').length, 1);
      let jobId = '';
      let asked = false;
      const events = jobEvents(api, (e) => {
        if (e.jobId === jobId && e.type === 'progress' && e.done > 0 && !asked) {
          asked = true;
          void api.cancel(jobId);
        }
      });
      const started = await api.start({ kind: 'ova', source: slowCompressed, output: join(dest, 'slow.ova'), name: 'slow', verify: true, overwrite: false });
      assert.ok(started.ok, JSON.stringify(started));
      jobId = started.value;
      const all = await events.forJob(jobId);
      assert.equal(all.at(-1)!.type, 'cancelled', JSON.stringify(all.at(-1)));
      assert.ok(!all.some((e) => e.type === 'progress' && e.phase === 'decompressing'), 'it read the kept copy');
      assert.ok(!entries(dest).some((e) => e.startsWith('slow') || e.includes('ferry-partial')), entries(dest).join(', '));
    });

    test('cancel mid-way → cancelled, and nothing is left in the destination', async () => {
      const { api } = conn;
      api.pathForFile({ name: 'slow.vhd' }); // a drop grants the source
      const picked = await api.pickDestination();
      assert.equal(picked, dest);
      let jobId = '';
      let asked = false;
      const events = jobEvents(api, (e) => {
        if (e.jobId === jobId && e.type === 'progress' && e.done > 0 && !asked) {
          asked = true;
          void api.cancel(jobId);
        }
      });
      const started = await api.start({ kind: 'convert', source: slow, output: join(dest, 'slow.vmdk'), subformat: 'monolithicFlat', adapter: 'ide', verify: true, overwrite: false });
      assert.ok(started.ok, JSON.stringify(started));
      jobId = started.value;
      const all = await events.forJob(jobId);
      assert.equal(all.at(-1)!.type, 'cancelled');
      assert.ok(!entries(dest).some((e) => e.startsWith('slow') || e.includes('ferry-partial')), entries(dest).join(', '));
    });

    test('typed failures: a path nobody chose, a malformed request, a file that is not a disk', async () => {
      const { api } = conn;
      const notChosen = await api.inspect('/etc/passwd');
      assert.equal(!notChosen.ok && notChosen.error.code, 'E_PERMISSION');
      const relative = await api.inspect('disk.vhd');
      assert.equal(!relative.ok && relative.error.code, 'E_USAGE');
      const malformed = await api.start({ kind: 'vm' } as unknown as JobRequest);
      assert.equal(!malformed.ok && malformed.error.code, 'E_USAGE');
      const dropped = api.pathForFile({ name: 'broken.vhd' });
      const broken = await api.inspect(dropped);
      assert.equal(!broken.ok && broken.error.code, 'E_NOT_A_DISK');
      const writeElsewhere = await api.start({ kind: 'convert', source: vhd, output: '/tmp/elsewhere.vmdk', subformat: 'monolithicSparse', adapter: 'ide', verify: false, overwrite: false });
      assert.equal(!writeElsewhere.ok && writeElsewhere.error.code, 'E_PERMISSION');
      const openAnything = await api.openInVmware('/etc/hosts.vmx');
      assert.equal(!openAnything.ok && openAnything.error.code, 'E_PERMISSION');
    });
  });
}

for (const [name, connect] of transports) {
  // `FERRY_CONFIRM_OVERWRITE` as the harness's process reads it: unset, no, yes.
  for (const setting of [undefined, 'no', 'yes'] as const) {
    describe(`replacing an existing output ${name}, FERRY_CONFIRM_OVERWRITE ${setting ?? 'unset'}`, () => {
      let dir: string;
      let vhd: string;
      let dest: string;
      let conn: Connected;
      const agreed = confirmAnswerFrom(setting) === 'yes';

      before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'ferry-overwrite-'));
        dest = join(dir, 'dest');
        mkdirSync(dest);
        vhd = makeVhd(join(dir, 'disk.vhd'));
        conn = await connect({ pickSource: vhd, pickDest: dest, confirmOverwrite: confirmAnswerFrom(setting) });
        await conn.api.pickSource();
        await conn.api.pickDestination();
      });
      after(async () => {
        await conn.close();
        rmSync(dir, { recursive: true, force: true });
      });

      test(agreed ? 'main asks, naming the file, and the job replaces it' : 'main asks, naming the file; declined, the start fails with E_EXISTS and the file is kept', async () => {
        const existing = join(dest, 'disk.vmdk');
        writeFileSync(existing, 'precious');
        const events = jobEvents(conn.api);
        const request: JobRequest = { kind: 'convert', source: vhd, output: existing, subformat: 'monolithicSparse', adapter: 'ide', verify: false, overwrite: true };
        const started = await conn.api.start(request);
        assert.deepEqual(conn.confirmCalls, [existing]);
        if (!agreed) {
          assert.equal(!started.ok && started.error.code, 'E_EXISTS', JSON.stringify(started));
          assert.ok(!started.ok && started.error.message.includes(existing), 'the answer names the path');
          assert.equal(readFileSync(existing, 'utf8'), 'precious');
          return;
        }
        assert.ok(started.ok, JSON.stringify(started));
        const last = (await events.forJob(started.value)).at(-1)!;
        assert.equal(last.type, 'done', JSON.stringify(last));
        assert.ok(sameContent(vhd, 'vpc', existing, 'vmdk').same);
      });

      test('a VM folder that exists is asked about by its path', async () => {
        const folder = join(dest, 'Old VM');
        mkdirSync(folder, { recursive: true });
        writeFileSync(join(folder, 'notes.txt'), 'mine');
        conn.confirmCalls.length = 0;
        const events = jobEvents(conn.api);
        const started = await conn.api.start({ kind: 'vm', source: vhd, destDir: dest, name: 'Old VM', subformat: 'monolithicSparse', zeroCopy: false, verify: false, overwrite: true });
        assert.deepEqual(conn.confirmCalls, [folder]);
        if (!agreed) {
          assert.equal(!started.ok && started.error.code, 'E_EXISTS', JSON.stringify(started));
          assert.deepEqual(entries(folder), ['notes.txt']);
          return;
        }
        assert.ok(started.ok, JSON.stringify(started));
        assert.equal((await events.forJob(started.value)).at(-1)!.type, 'done');
        assert.ok(!entries(folder).includes('notes.txt'), 'the folder was replaced');
      });

      test('with nothing there, "overwrite" asks nothing and the job runs', async () => {
        conn.confirmCalls.length = 0;
        const events = jobEvents(conn.api);
        const output = join(dest, 'fresh.vmdk');
        const started = await conn.api.start({ kind: 'convert', source: vhd, output, subformat: 'monolithicSparse', adapter: 'ide', verify: false, overwrite: true });
        assert.ok(started.ok, JSON.stringify(started));
        assert.equal((await events.forJob(started.value)).at(-1)!.type, 'done');
        assert.deepEqual(conn.confirmCalls, []);
      });
    });
  }
}

describe('FERRY_CONFIRM_OVERWRITE', () => {
  test('yes or no, no when unset or empty; anything else is refused', () => {
    assert.equal(confirmAnswerFrom(undefined), 'no');
    assert.equal(confirmAnswerFrom(''), 'no');
    assert.equal(confirmAnswerFrom('no'), 'no');
    assert.equal(confirmAnswerFrom('yes'), 'yes');
    assert.throws(() => confirmAnswerFrom('YES'), /yes or no/);
  });
});

/** Opens a WebSocket to the harness; answers whether the server accepted it. */
function socketOpens(url: string, origin: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, origin === undefined ? {} : { origin });
    socket.once('open', () => {
      socket.close();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function get(url: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = httpRequest({ hostname, port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`no answer to GET ${path} within 5 s`)));
    req.end();
  });
}

describe('the harness serves only its own page', () => {
  let harness: Awaited<ReturnType<typeof startHarness>>;
  before(async () => {
    harness = await startHarness({});
  });
  after(async () => {
    await harness.close();
  });

  test('its URL carries a random token in the query', () => {
    const token = new URL(harness.url).searchParams.get(TOKEN_PARAM);
    assert.match(token ?? '', /^[0-9a-f]{32}$/);
    assert.match(harness.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
  });

  test('a WebSocket from the page (its origin and token) opens; another origin, no token or a wrong one is refused', async () => {
    const origin = new URL(harness.url).origin;
    const good = socketUrlFor(harness.url);
    const bare = new URL(WS_PATH, harness.url).href.replace(/^http/, 'ws');
    const wrong = new URL(good);
    wrong.searchParams.set(TOKEN_PARAM, '0'.repeat(32));
    assert.equal(await socketOpens(good, origin), true);
    assert.equal(await socketOpens(good, 'http://evil.example'), false, 'another origin');
    assert.equal(await socketOpens(good, `http://localhost:${new URL(harness.url).port}`), false, 'the same port under another name');
    assert.equal(await socketOpens(good, undefined), false, 'no origin');
    assert.equal(await socketOpens(bare, origin), false, 'no token');
    assert.equal(await socketOpens(wrong.href, origin), false, 'a wrong token');
  });

  test('a bad % escape in a path answers 400, and the server goes on answering', async () => {
    assert.equal(await get(harness.url, '/%E0%A4%A'), 400);
    assert.equal(await get(harness.url, '/assets/%'), 400);
    assert.equal(await get(harness.url, '/'), 200);
  });
});
