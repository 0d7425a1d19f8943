// Electron's IPC seam without Electron: sender checks, the handler table's validation, and the
// host's rule that the renderer can only name paths the user chose.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { HOST_METHODS, invokeChannel } from '../../shared/host-contract';
import type { Result } from '../../shared/result';
import type { InspectAnswer } from '../../shared/worker-protocol';
import type { DiskInfo } from '../../shared/disk-info';
import type { JobEvent, JobRequest } from '../../shared/jobs';
import { createHandlers } from '../../electron/handlers';
import { FerryHost, type JobRunner } from '../../electron/host';
import { isTrustedSender, registerIpc, UntrustedSenderError, type IpcEventLike, type IpcMainLike } from '../../electron/ipc';
import { mayNavigate } from '../../electron/window-policy';

const APP = [{ protocol: 'app:', host: 'ferry' }];
const frame = (url: string, parent: unknown = null): IpcEventLike => ({ senderFrame: { url, parent } });

describe('sender checks', () => {
  test('our own top frame is trusted', () => {
    assert.equal(isTrustedSender(frame('app://ferry/index.html'), APP), true);
    assert.equal(isTrustedSender(frame('app://ferry/'), APP), true);
  });

  test('iframes, other origins, other schemes and missing frames are not', () => {
    assert.equal(isTrustedSender(frame('app://ferry/index.html', { url: 'app://ferry/' }), APP), false, 'a subframe');
    assert.equal(isTrustedSender(frame('https://evil.example/'), APP), false);
    assert.equal(isTrustedSender(frame('app://evil/index.html'), APP), false);
    assert.equal(isTrustedSender(frame('file:///work/main/out/renderer/index.html'), APP), false);
    assert.equal(isTrustedSender(frame('not a url'), APP), false);
    assert.equal(isTrustedSender({ senderFrame: null }, APP), false, 'a frame that navigated away or was destroyed');
  });

  test('the dev server is trusted only when it is listed', () => {
    const dev = [...APP, { protocol: 'http:', host: 'localhost:5173' }];
    assert.equal(isTrustedSender(frame('http://localhost:5173/'), dev), true);
    assert.equal(isTrustedSender(frame('http://localhost:5173/'), APP), false);
    assert.equal(isTrustedSender(frame('http://localhost:5174/'), dev), false);
  });

  test('navigation follows the same rule', () => {
    assert.equal(mayNavigate('app://ferry/index.html', APP), true);
    assert.equal(mayNavigate('https://example.com/', APP), false);
    assert.equal(mayNavigate('file:///etc/passwd', APP), false);
  });
});

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void {
    assert.ok(!this.handlers.has(channel), `${channel} registered twice`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  call(channel: string, event: IpcEventLike, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    assert.ok(h, `no handler for ${channel}`);
    return Promise.resolve(h(event, ...args));
  }
}

const disk = (path: string): DiskInfo => ({ path, fileSize: 1, format: 'vhd', variant: 'fixed', virtualSize: 1, allocatedBytes: 1, parents: [], partitions: null, warnings: [], warningCodes: [] });

/** A JobService stand-in that records what reached it. */
function fakeJobs(): JobRunner & { started: JobRequest[]; inspected: string[]; emit(e: JobEvent): void } {
  const listeners = new Set<(e: JobEvent) => void>();
  const started: JobRequest[] = [];
  const inspected: string[] = [];
  return {
    started,
    inspected,
    async inspect(path: string): Promise<Result<InspectAnswer>> {
      inspected.push(path);
      return { ok: true, value: { disk: disk(path) } };
    },
    async start(request: JobRequest) {
      started.push(request);
      return `job-${started.length}`;
    },
    cancel: () => true,
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(e) {
      for (const l of listeners) l(e);
    },
  };
}

function setup(picks: { source?: string; dest?: string; replace?: boolean } = {}) {
  const jobs = fakeJobs();
  const shell = { shown: [] as string[], opened: [] as string[] };
  const asked: string[] = [];
  const host = new FerryHost({
    jobs,
    dialogs: { pickSource: async () => picks.source ?? null, pickDestination: async () => picks.dest ?? null },
    shell: {
      showInFolder: (p) => void shell.shown.push(p),
      openPath: async (p) => {
        shell.opened.push(p);
        return '';
      },
    },
    suggestDestination: (source) => source.slice(0, source.lastIndexOf('/')),
    acceptDrop: (p) => p.startsWith('/drops/'),
    confirmOverwrite: async (p) => {
      asked.push(p);
      return picks.replace ?? false;
    },
  });
  const ipc = new FakeIpcMain();
  const unregister = registerIpc(ipc, createHandlers(host), (e) => isTrustedSender(e, APP));
  return { jobs, host, ipc, shell, unregister, asked, trusted: frame('app://ferry/index.html') };
}

describe('registerIpc', () => {
  test('one `ferry:` channel per host method, all removable', () => {
    const { ipc, unregister } = setup();
    assert.deepEqual([...ipc.handlers.keys()].sort(), HOST_METHODS.map((m) => invokeChannel(m)).sort());
    assert.ok([...ipc.handlers.keys()].every((c) => c.startsWith('ferry:')));
    unregister();
    assert.equal(ipc.handlers.size, 0);
  });

  test('an untrusted sender is refused before any handler runs', async () => {
    const { ipc, jobs } = setup({ source: '/disks/a.vhd' });
    await assert.rejects(ipc.call('ferry:pickSource', frame('https://evil.example/')), UntrustedSenderError);
    await assert.rejects(ipc.call('ferry:inspect', frame('app://ferry/', {}), '/disks/a.vhd'), UntrustedSenderError);
    await assert.rejects(ipc.call('ferry:inspect', { senderFrame: null }, '/disks/a.vhd'), UntrustedSenderError);
    assert.deepEqual(jobs.inspected, []);
  });

  test('malformed arguments become typed failures (or rejections), never reach the host', async () => {
    const { ipc, trusted, jobs } = setup();
    const answer = (await ipc.call('ferry:start', trusted, { kind: 'convert', source: 'x' })) as Result<string>;
    assert.equal(answer.ok, false);
    assert.equal(!answer.ok && answer.error.code, 'E_USAGE');
    await assert.rejects(ipc.call('ferry:grantDropped', trusted, 42));
    await assert.rejects(ipc.call('ferry:inspect', trusted, '/a.vhd', 'extra'), /too many arguments/);
    assert.deepEqual(jobs.started, []);
  });
});

describe('paths the renderer may name', () => {
  test('a source must come from the dialog, a drop or a launch file', async () => {
    const { ipc, trusted, host, jobs } = setup({ source: '/disks/picked.vhd' });
    const refused = (await ipc.call('ferry:inspect', trusted, '/etc/shadow')) as Result<unknown>;
    assert.equal(!refused.ok && refused.error.code, 'E_PERMISSION');

    assert.equal(await ipc.call('ferry:pickSource', trusted), '/disks/picked.vhd');
    assert.equal(((await ipc.call('ferry:inspect', trusted, '/disks/picked.vhd')) as Result<unknown>).ok, true);

    await ipc.call('ferry:grantDropped', trusted, '/elsewhere/x.vhd'); // the host's drop rule refuses it
    assert.equal(((await ipc.call('ferry:inspect', trusted, '/elsewhere/x.vhd')) as Result<unknown>).ok, false);
    await ipc.call('ferry:grantDropped', trusted, '/drops/x.vhd');
    assert.equal(((await ipc.call('ferry:inspect', trusted, '/drops/x.vhd')) as Result<unknown>).ok, true);

    host.openFiles(['/launched/y.vhd']);
    assert.equal(((await ipc.call('ferry:inspect', trusted, '/launched/y.vhd')) as Result<unknown>).ok, true);
    assert.deepEqual(jobs.inspected, ['/disks/picked.vhd', '/drops/x.vhd', '/launched/y.vhd']);
  });

  test('a job writes only into the suggested folder or one the user picked, under a safe name', async () => {
    const { ipc, trusted, jobs } = setup({ source: '/disks/a.vhd', dest: '/picked' });
    await ipc.call('ferry:pickSource', trusted);
    const inspection = (await ipc.call('ferry:inspect', trusted, '/disks/a.vhd')) as Result<{ suggestedDestination: string }>;
    assert.ok(inspection.ok);
    assert.equal(inspection.value.suggestedDestination, '/disks');
    const vm = (destDir: string, name = 'A'): JobRequest => ({ kind: 'vm', source: '/disks/a.vhd', destDir, name, subformat: 'monolithicSparse', zeroCopy: false, verify: true, overwrite: false });

    assert.equal(((await ipc.call('ferry:start', trusted, vm('/disks'))) as Result<string>).ok, true, 'the suggested folder');
    const elsewhere = (await ipc.call('ferry:start', trusted, vm('/etc'))) as Result<string>;
    assert.equal(!elsewhere.ok && elsewhere.error.code, 'E_PERMISSION');
    assert.equal(((await ipc.call('ferry:pickDestination', trusted)) as string), '/picked');
    assert.equal(((await ipc.call('ferry:start', trusted, vm('/picked'))) as Result<string>).ok, true, 'a picked folder');
    const sneaky = (await ipc.call('ferry:start', trusted, vm('/picked', 'CON'))) as Result<string>;
    assert.equal(!sneaky.ok && sneaky.error.code, 'E_USAGE');
    const convert: JobRequest = { kind: 'convert', source: '/disks/a.vhd', output: '/picked/../etc/x.vmdk', subformat: 'monolithicSparse', adapter: 'ide', verify: true, overwrite: false };
    assert.equal(((await ipc.call('ferry:start', trusted, convert)) as Result<string>).ok, false, 'no escaping the folder');
    const notVmdk = { ...convert, output: '/picked/x.exe' };
    assert.equal(((await ipc.call('ferry:start', trusted, notVmdk)) as Result<string>).ok, false);
    assert.equal(jobs.started.length, 2);
  });

  test('a drop is a source only under a name Ferry reads', async () => {
    const { ipc, trusted, jobs } = setup();
    for (const name of ['x.VHDX', 'y.vmdk.gz', 'z.ova', 'w.tar.zst']) {
      await ipc.call('ferry:grantDropped', trusted, `/drops/${name}`);
      assert.equal(((await ipc.call('ferry:inspect', trusted, `/drops/${name}`)) as Result<unknown>).ok, true, name);
    }
    for (const name of ['notes.txt', 'cd.iso', 'vhd', '.vhd']) {
      await ipc.call('ferry:grantDropped', trusted, `/drops/${name}`);
      const answer = (await ipc.call('ferry:inspect', trusted, `/drops/${name}`)) as Result<unknown>;
      assert.equal(!answer.ok && answer.error.code, 'E_PERMISSION', name);
    }
    assert.deepEqual(jobs.inspected, ['/drops/x.VHDX', '/drops/y.vmdk.gz', '/drops/z.ova', '/drops/w.tar.zst']);
  });

  for (const replace of [false, true]) {
    test(`"overwrite" replaces something only once main's own dialog, naming it, is answered ${replace ? 'yes' : 'no'}`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'ferry-ipc-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const source = join(dir, 'a.vhd');
      writeFileSync(source, '');
      const { ipc, trusted, jobs, asked } = setup({ source, replace });
      await ipc.call('ferry:pickSource', trusted);
      await ipc.call('ferry:inspect', trusted, source); // grants the suggested folder, `dir`
      const convert = (output: string, extra: Partial<JobRequest> = {}): JobRequest =>
        ({ kind: 'convert', source, output, subformat: 'monolithicSparse', adapter: 'ide', verify: false, overwrite: true, ...extra }) as JobRequest;
      const vm: JobRequest = { kind: 'vm', source, destDir: dir, name: 'My VM', subformat: 'monolithicSparse', zeroCopy: false, verify: false, overwrite: true };

      // Nothing there: nothing asked, and the engine is told not to replace what may appear meanwhile.
      const fresh = (await ipc.call('ferry:start', trusted, convert(join(dir, 'new.vmdk')))) as Result<string>;
      assert.equal(fresh.ok, true);
      assert.deepEqual(asked, []);
      assert.equal(jobs.started.at(-1)!.overwrite, false);

      writeFileSync(join(dir, 'old.vmdk'), 'x');
      writeFileSync(join(dir, 'flat-flat.vmdk'), 'x');
      mkdirSync(join(dir, 'My VM'));
      const answers = [];
      for (const request of [convert(join(dir, 'old.vmdk')), convert(join(dir, 'flat.vmdk'), { subformat: 'monolithicFlat' }), vm]) {
        answers.push((await ipc.call('ferry:start', trusted, request)) as Result<string>);
      }
      assert.deepEqual(asked, [join(dir, 'old.vmdk'), join(dir, 'flat-flat.vmdk'), join(dir, 'My VM')], 'each asked about by the path it would replace');
      for (const answer of answers) {
        if (replace) assert.equal(answer.ok, true);
        else {
          assert.equal(!answer.ok && answer.error.code, 'E_EXISTS');
          assert.match(!answer.ok ? answer.error.message : '', /already exists, and replacing it was not confirmed/);
        }
      }
      assert.deepEqual(
        jobs.started.slice(1).map((r) => r.overwrite),
        replace ? [true, true, true] : [],
        replace ? 'the engine may replace what was confirmed' : 'a declined job never reaches the engine',
      );
    });
  }

  test('show and open reach only what a finished job made', async () => {
    const { ipc, trusted, jobs, shell } = setup();
    const denied = (await ipc.call('ferry:openInVmware', trusted, '/vms/W/W.vmx')) as Result<null>;
    assert.equal(!denied.ok && denied.error.code, 'E_PERMISSION');
    jobs.emit({
      type: 'done',
      jobId: 'j',
      result: { output: '/vms/W/W.vmx', vmx: '/vms/W/W.vmx', folder: '/vms/W', files: ['/vms/W/W.vmx', '/vms/W/W.vmdk'], subformat: 'monolithicSparse', virtualSize: 1, dataBytes: 1, verified: true, warnings: [], warningCodes: [], seconds: 1 },
    });
    assert.equal(((await ipc.call('ferry:openInVmware', trusted, '/vms/W/W.vmx')) as Result<null>).ok, true);
    assert.equal(((await ipc.call('ferry:openInVmware', trusted, '/vms/W/W.vmdk')) as Result<null>).ok, false, 'only a .vmx is opened');
    assert.equal(((await ipc.call('ferry:showInFolder', trusted, '/vms/W/W.vmdk')) as Result<null>).ok, true);
    assert.equal(((await ipc.call('ferry:showInFolder', trusted, '/etc/passwd')) as Result<null>).ok, false);
    assert.deepEqual(shell, { shown: ['/vms/W/W.vmdk'], opened: ['/vms/W/W.vmx'] });
  });

  test('a failing OS handler is a typed error with a hint', async () => {
    const jobs = fakeJobs();
    const host = new FerryHost({
      jobs,
      dialogs: { pickSource: async () => null, pickDestination: async () => null },
      shell: { showInFolder: () => undefined, openPath: async () => 'No application is registered for .vmx files' },
      suggestDestination: () => '/',
      acceptDrop: () => false,
    });
    jobs.emit({ type: 'done', jobId: 'j', result: { output: '/v/W.vmx', vmx: '/v/W.vmx', files: ['/v/W.vmx'], subformat: 'monolithicSparse', virtualSize: 1, dataBytes: 1, verified: true, warnings: [], warningCodes: [], seconds: 1 } });
    const answer = await host.openInVmware('/v/W.vmx');
    assert.equal(answer.ok, false);
    assert.match(!answer.ok ? `${answer.error.message} ${answer.error.hint}` : '', /No application.*VMware Workstation/);
  });

  test('launch files are held until the renderer is ready, and events reach subscribers', async () => {
    const { ipc, trusted, host } = setup();
    const seen: unknown[] = [];
    host.onEvent((e) => seen.push(e));
    host.openFiles(['/launched/a.vhd']);
    assert.deepEqual(seen, []);
    await ipc.call('ferry:ready', trusted);
    assert.deepEqual(seen, [{ name: 'openFiles', payload: ['/launched/a.vhd'] }]);
  });
});
