// The new payloads across the renderer ↔ host wire, held strictly: a machine's inspection
// request, the several files a dialog answers, a job's extra disks and its allowOutsideDisks;
// what the engine answers of a machine, leniently but bounded; and the host's own refusals of a
// job naming disks the user did not choose or outside disks nobody confirmed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HOST_CONTRACT, parseAnswer } from '../../shared/host-contract';
import { PayloadError, run } from '../../shared/checks';
import { LIMITS } from '../../shared/limits';
import { parseJobRequest } from '../../shared/validate';
import { parseSurveyAnswer, parseToWorker } from '../../shared/worker-protocol';
import type { DiskInfo, MachineInfo } from '../../shared/disk-info';
import type { JobEvent, JobRequest, VmRequest } from '../../shared/jobs';
import { createHandlers } from '../../electron/handlers';
import { FerryHost, type JobRunner } from '../../electron/host';

const arg = (method: keyof typeof HOST_CONTRACT, v: unknown) => run(HOST_CONTRACT[method].arg as (v: unknown, at: string) => unknown, v, 'arg');

const machine: MachineInfo = {
  kind: 'vmc',
  config: '/m/XP.vmc',
  tree: '/m',
  name: 'XP',
  nics: 1,
  disks: [{ bus: 'ide', controller: 0, unit: 0, path: 'C:\\xp.vhd', lookedFor: ['/m/xp.vhd', 'C:\\xp.vhd'] }],
  snapshots: [],
  warnings: [],
  warningCodes: [],
};
const disk = (path: string): DiskInfo => ({ path, fileSize: 1, format: 'vhd', variant: 'fixed', virtualSize: 1, allocatedBytes: 1, parents: [], partitions: null, warnings: [], warningCodes: [] });
const vm = (over: Partial<VmRequest> = {}): VmRequest => ({ kind: 'vm', source: '/d/a.vhd', destDir: '/d', subformat: 'monolithicSparse', zeroCopy: false, verify: true, overwrite: false, ...over });

describe('the machine payloads of the contract', () => {
  test('inspectMachine takes exactly a path and the confirmation', () => {
    assert.deepEqual(arg('inspectMachine', { path: '/m/XP.vmc', allowOutsideDisks: true }), { path: '/m/XP.vmc', allowOutsideDisks: true });
    for (const bad of [
      '/m/XP.vmc',
      { path: '/m/XP.vmc' },
      { path: 'XP.vmc', allowOutsideDisks: false },
      { path: '/m/XP.vmc', allowOutsideDisks: 'yes' },
      { path: '/m/XP.vmc', allowOutsideDisks: false, extra: 1 },
      { path: `/m/${'x'.repeat(LIMITS.path)}`, allowOutsideDisks: false },
      { path: '/m/a\0b', allowOutsideDisks: false },
    ]) {
      assert.throws(() => arg('inspectMachine', bad), PayloadError, JSON.stringify(bad).slice(0, 80));
    }
  });

  test('a malformed inspectMachine is answered as a typed failure, and reaches no host method', async () => {
    let reached = false;
    const host = new Proxy({}, { get: () => async () => ((reached = true), { ok: true, value: null }) });
    const handlers = createHandlers(host as never);
    const answer = (await handlers.inspectMachine({ path: '/m/XP.vmc', allowOutsideDisks: 1 })) as { ok: boolean; error?: { code: string } };
    assert.equal(answer.ok, false);
    assert.equal(answer.error?.code, 'E_USAGE');
    assert.equal(reached, false);
  });

  test('what a machine answers: the machine, its disks (looked-for places, file facts), the boot disk only once startable', () => {
    const ok = parseAnswer('inspectMachine', { ok: true, value: { machine, suggestedDestination: '/m', later: 'dropped' } });
    assert.ok(ok.ok && ok.value.disk === undefined && ok.value.machine.disks[0]!.lookedFor?.length === 2);
    const tooMany = { ...machine, disks: [{ ...machine.disks[0]!, lookedFor: Array.from({ length: LIMITS.lookedFor + 1 }, (_, i) => `/m/${i}`) }] };
    assert.throws(() => parseAnswer('inspectMachine', { ok: true, value: { machine: tooMany, suggestedDestination: '/m' } }));
    const badFile = { ...machine, disks: [{ ...machine.disks[0]!, file: { fileSize: 1, format: 'qcow2' } }] };
    assert.throws(() => parseAnswer('inspectMachine', { ok: true, value: { machine: badFile, suggestedDestination: '/m' } }));
    assert.throws(() => parseAnswer('inspectMachine', { ok: true, value: { machine, suggestedDestination: 'relative' } }));
  });

  test('pickSources answers absolute paths, at most LIMITS.sources of them', () => {
    assert.deepEqual(parseAnswer('pickSources', ['/a.vhd', 'C:\\b.vhdx']), ['/a.vhd', 'C:\\b.vhdx']);
    assert.throws(() => parseAnswer('pickSources', ['a.vhd']));
    assert.throws(() => parseAnswer('pickSources', null));
    assert.throws(() => parseAnswer('pickSources', Array.from({ length: LIMITS.sources + 1 }, (_, i) => `/d/${i}.vhd`)));
    assert.throws(() => arg('pickSources', 'anything'));
  });

  test('a job’s extra disks and allowOutsideDisks are checked strictly', () => {
    assert.deepEqual(parseJobRequest(vm({ extraSources: ['/d/b.vhd'], allowOutsideDisks: false })).kind, 'vm');
    assert.throws(() => parseJobRequest(vm({ extraSources: ['b.vhd'] })));
    assert.throws(() => parseJobRequest({ ...vm(), extraSources: '/d/b.vhd' }));
    assert.throws(() => parseJobRequest(vm({ extraSources: Array.from({ length: LIMITS.machineDisks }, (_, i) => `/d/${i}.vhd`) })));
    assert.throws(() => parseJobRequest({ ...vm(), allowOutsideDisks: 'true' }));
    assert.throws(() => parseJobRequest({ kind: 'convert', source: '/a', output: '/a.vmdk', subformat: 'monolithicSparse', adapter: 'lsilogic', verify: true, overwrite: false, extraSources: ['/b'] }), PayloadError, 'a lone .vmdk takes one disk');
  });

  test('the worker’s survey message and answer', () => {
    assert.deepEqual(parseToWorker({ type: 'survey', path: '/m/XP.vmc', allowOutsideDisks: false }), { type: 'survey', path: '/m/XP.vmc', allowOutsideDisks: false });
    assert.throws(() => parseToWorker({ type: 'survey', path: '/m/XP.vmc' }));
    assert.throws(() => parseToWorker({ type: 'survey', path: '/m/XP.vmc', allowOutsideDisks: false, reuse: {} }));
    const done = parseSurveyAnswer({ type: 'done', value: { machine, disk: disk('/m/xp.vhd') } });
    assert.ok(done.type === 'done' && done.value.disk?.path === '/m/xp.vhd');
  });
});

function hostWith(confirmable: boolean) {
  const started: JobRequest[] = [];
  const surveyed: Array<[string, boolean]> = [];
  const jobs: JobRunner = {
    async inspect(path) {
      return { ok: true, value: { disk: disk(path) } };
    },
    async surveyMachine(path, allow) {
      surveyed.push([path, allow]);
      return { ok: true, value: { machine, ...(confirmable && allow ? { disk: disk('/old/xp.vhd') } : {}) } };
    },
    async start(request) {
      started.push(request);
      return 'job-1';
    },
    cancel: () => true,
    onEvent: (_l: (e: JobEvent) => void) => () => true,
  };
  const host = new FerryHost({
    jobs,
    dialogs: { pickSource: async () => null, pickSources: async () => ['/d/a.vhd', '/d/b.vhd', '/m/XP.vmc'], pickDestination: async () => null },
    shell: { showInFolder: () => undefined, openPath: async () => '' },
    suggestDestination: (source) => source.slice(0, source.lastIndexOf('/')),
    acceptDrop: () => false,
  });
  return { host, started, surveyed };
}

describe('the host and several disks or a machine', () => {
  test('extra disks must each have been chosen', async () => {
    const { host, started } = hostWith(true);
    await host.pickSources();
    await host.inspect('/d/a.vhd');
    const refused = await host.start(vm({ extraSources: ['/d/b.vhd', '/etc/shadow'] }));
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.error.code, 'E_PERMISSION');
    const ok = await host.start(vm({ extraSources: ['/d/b.vhd'] }));
    assert.ok(ok.ok);
    assert.deepEqual(started.map((r) => (r as VmRequest).extraSources), [['/d/b.vhd']]);
  });

  test('allowOutsideDisks only for a machine whose survey was asked with the disks confirmed', async () => {
    const { host, started, surveyed } = hostWith(true);
    assert.equal((await host.inspectMachine({ path: '/m/XP.vmc', allowOutsideDisks: false })).ok, false, 'a configuration nobody chose');
    await host.pickSources();
    const unconfirmed = await host.inspectMachine({ path: '/m/XP.vmc', allowOutsideDisks: false });
    assert.ok(unconfirmed.ok && unconfirmed.value.disk === undefined && unconfirmed.value.suggestedDestination === '/m');
    const early = await host.start(vm({ source: '/m/XP.vmc', destDir: '/m', allowOutsideDisks: true }));
    assert.equal(!early.ok && early.error.code, 'E_PERMISSION', 'not before the user confirmed');
    const confirmed = await host.inspectMachine({ path: '/m/XP.vmc', allowOutsideDisks: true });
    assert.ok(confirmed.ok && confirmed.value.disk);
    assert.ok((await host.start(vm({ source: '/m/XP.vmc', destDir: '/m', allowOutsideDisks: true }))).ok);
    assert.deepEqual(surveyed, [['/m/XP.vmc', false], ['/m/XP.vmc', true]]);
    assert.equal(started.length, 1);
  });
});

describe('the harness answers several picked files', () => {
  test('pickSources answers $FERRY_PICK_SOURCES resolved, each then a source the host accepts; unset, the one picked file', async () => {
    const { createHarnessHost } = await import('../harness/server');
    const several = createHarnessHost({ pickSources: ['/d/./a.vhd', '/d/b.vhd'] });
    assert.deepEqual(await several.host.pickSources(), ['/d/a.vhd', '/d/b.vhd']);
    assert.ok(several.host.grants.sources.has('/d/b.vhd'));
    const one = createHarnessHost({ pickSource: '/d/c.vhd' });
    assert.deepEqual(await one.host.pickSources(), ['/d/c.vhd']);
    const none = createHarnessHost({});
    assert.deepEqual(await none.host.pickSources(), []);
    for (const h of [several, one, none]) h.host.dispose();
  });
});
