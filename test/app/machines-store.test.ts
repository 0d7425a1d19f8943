// The wizard store with several files and with machine configurations, over a scripted bridge:
// one machine of several disks (order, boot disk, request), the queue (each item's progress and
// outcome, a failure that does or does not stop the rest, cancel one or all) and a machine whose
// disk lies outside its folder (not startable until confirmed, then sent with allowOutsideDisks).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FerryApi, InspectProgress, Inspection, MachineInspection, MachineRequest } from '../../shared/api';
import type { DiskInfo, MachineInfo } from '../../shared/disk-info';
import type { JobEvent, JobRequest, JobResult, VmRequest } from '../../shared/jobs';
import type { Result } from '../../shared/result';
import { buildRequest } from '../../renderer/src/store/choices';
import { createWizardStore, type WizardStore } from '../../renderer/src/store/wizard-store';

const disk = (path: string, over: Partial<DiskInfo> = {}): DiskInfo => ({
  path,
  fileSize: 1 << 20,
  format: 'vhd',
  variant: 'dynamic',
  virtualSize: 64 << 20,
  allocatedBytes: 1 << 20,
  parents: [],
  partitions: null,
  warnings: [],
  warningCodes: [],
  ...over,
});

const result = (name: string): JobResult => ({
  output: `/out/${name}/${name}.vmx`,
  vmx: `/out/${name}/${name}.vmx`,
  folder: `/out/${name}`,
  files: [],
  subformat: 'monolithicSparse',
  virtualSize: 1,
  dataBytes: 1,
  verified: true,
  warnings: [],
  warningCodes: [],
  seconds: 1,
});

class Bridge implements FerryApi {
  readonly calls: { method: string; arg?: unknown }[] = [];
  broken = new Set<string>();
  machine: (r: MachineRequest) => Result<MachineInspection> = () => ({ ok: false, error: { code: 'E_NOT_A_DISK', message: 'no' } });
  private nextJob = 1;
  private jobs = new Set<(e: JobEvent) => void>();
  async inspect(path: string): Promise<Result<Inspection>> {
    this.calls.push({ method: 'inspect', arg: path });
    if (this.broken.has(path)) return { ok: false, error: { code: 'E_CORRUPT', message: `${path}: damaged.` } };
    return { ok: true, value: { disk: disk(path), suggestedDestination: '/out' } };
  }
  onInspectProgress(_l: (p: InspectProgress) => void) {
    return () => undefined;
  }
  async inspectMachine(request: MachineRequest) {
    this.calls.push({ method: 'inspectMachine', arg: request });
    return this.machine(request);
  }
  async useLanguage(language: string): Promise<null> {
    this.calls.push({ method: 'useLanguage', arg: language });
    return null;
  }
  onChooseLanguage() {
    return () => undefined;
  }
  async start(request: JobRequest): Promise<Result<string>> {
    this.calls.push({ method: 'start', arg: request });
    return { ok: true, value: `job-${this.nextJob++}` };
  }
  async cancel(jobId: string): Promise<Result<null>> {
    this.calls.push({ method: 'cancel', arg: jobId });
    return { ok: true, value: null };
  }
  onJobEvent(l: (e: JobEvent) => void) {
    this.jobs.add(l);
    return () => void this.jobs.delete(l);
  }
  onOpenFiles() {
    return () => undefined;
  }
  pathForFile(file: { name: string }) {
    return `/drops/${file.name}`;
  }
  async pickSource() {
    return null;
  }
  async pickSources() {
    return ['/d/a.vhd', '/d/b.vhd', '/d/c.vhd'];
  }
  async pickDestination() {
    return null;
  }
  async showInFolder(path: string): Promise<Result<null>> {
    this.calls.push({ method: 'showInFolder', arg: path });
    return { ok: true, value: null };
  }
  async openInVmware(): Promise<Result<null>> {
    return { ok: true, value: null };
  }
  push(e: JobEvent) {
    for (const l of this.jobs) l(e);
  }
  started(): JobRequest[] {
    return this.calls.filter((c) => c.method === 'start').map((c) => c.arg as JobRequest);
  }
}

const phase = (store: WizardStore) => store.getState().phase;

async function toQueue(bridge: Bridge, store: WizardStore): Promise<void> {
  await store.getState().chooseFile();
  store.getState().setManyMode('each');
  store.getState().next();
  store.getState().next();
  await store.getState().convert();
}

const progress = (jobId: string, done: number): JobEvent => ({ type: 'progress', jobId, phase: 'converting', done, total: 100, rate: 10 });

describe('several files in the wizard store', () => {
  test('three disks as one machine: the boot disk follows the order, and the request lists the others after it', async () => {
    const bridge = new Bridge();
    const store = createWizardStore(bridge);
    await store.getState().openDroppedFiles([{ name: 'data.vhdx' }, { name: 'boot.vhd' }, { name: 'logs.vmdk' }, { name: 'notes.txt' }]);
    let p = phase(store);
    assert.equal(p.kind, 'source');
    if (p.kind !== 'source') return;
    assert.equal(p.setup.many?.mode, 'machine', 'one machine when every file is a disk');
    assert.deepEqual(p.setup.many?.items.map((i) => i.path), ['/drops/data.vhdx', '/drops/boot.vhd', '/drops/logs.vmdk'], 'only the names Ferry reads');
    assert.equal(p.setup.choices.name, 'data');
    store.getState().moveItem(1, 0);
    p = phase(store);
    if (p.kind !== 'source') return assert.fail(p.kind);
    assert.equal(p.setup.disk.path, '/drops/boot.vhd', 'the first is the boot disk');
    assert.equal(p.setup.choices.name, 'boot', 'and names the machine');
    const request = buildRequest(p.setup) as VmRequest;
    assert.equal(request.kind, 'vm');
    assert.equal(request.source, '/drops/boot.vhd');
    assert.deepEqual(request.extraSources, ['/drops/data.vhdx', '/drops/logs.vmdk']);
    // "Just the .vmdk" is not for a machine: a stale choice still makes the folder.
    assert.equal(buildRequest({ ...p.setup, choices: { ...p.setup.choices, saveAs: 'vmdk' } }).kind, 'vm');
    store.getState().removeItem(2);
    store.getState().removeItem(1);
    p = phase(store);
    if (p.kind !== 'source') return assert.fail(p.kind);
    assert.equal(p.setup.many, undefined, 'one file left is the single-disk flow');
    assert.equal(buildRequest(p.setup).kind, 'vm');
    assert.equal((buildRequest(p.setup) as VmRequest).extraSources, undefined);
  });

  test('a file that is not a readable disk: one machine cannot go on, one conversion each can', async () => {
    const bridge = new Bridge();
    bridge.broken.add('/d/b.vhd');
    const store = createWizardStore(bridge);
    await store.getState().chooseFile();
    let p = phase(store);
    if (p.kind !== 'source') return assert.fail(p.kind);
    assert.equal(p.setup.many?.mode, 'each');
    store.getState().setManyMode('machine');
    store.getState().next();
    assert.equal(phase(store).kind, 'source', 'Next does nothing while a file cannot be part of the machine');
    store.getState().setManyMode('each');
    store.getState().next();
    assert.equal(phase(store).kind, 'diskType');
  });

  test('the queue: each item its own job, progress and outcome; a failed one does not stop the next', async () => {
    const bridge = new Bridge();
    const store = createWizardStore(bridge);
    await toQueue(bridge, store);
    assert.deepEqual(bridge.started().map((r) => [r.kind, r.source, 'name' in r ? r.name : '']), [
      ['vm', '/d/a.vhd', 'a'],
      ['vm', '/d/b.vhd', 'b'],
      ['vm', '/d/c.vhd', 'c'],
    ]);
    bridge.push(progress('job-1', 50));
    let p = phase(store);
    if (p.kind !== 'queue') return assert.fail(p.kind);
    assert.deepEqual(p.items.map((i) => i.state), ['running', 'waiting', 'waiting']);
    assert.equal(p.items[0]!.progress?.done, 50);
    bridge.push({ type: 'done', jobId: 'job-1', result: result('a') });
    bridge.push(progress('job-2', 10));
    bridge.push({ type: 'failed', jobId: 'job-2', error: { code: 'E_CORRUPT', message: 'b: damaged.' } });
    p = phase(store);
    if (p.kind !== 'queue') return assert.fail(p.kind);
    assert.deepEqual(p.items.map((i) => i.state), ['done', 'failed', 'waiting']);
    assert.ok(!bridge.calls.some((c) => c.method === 'cancel'), 'the next one is left to run');
    bridge.push({ type: 'done', jobId: 'job-3', result: result('c') });
    p = phase(store);
    if (p.kind !== 'queueDone') return assert.fail(p.kind);
    assert.deepEqual(p.items.map((i) => [i.state, i.error?.message ?? i.result?.output]), [
      ['done', '/out/a/a.vmx'],
      ['failed', 'b: damaged.'],
      ['done', '/out/c/c.vmx'],
    ]);
    await store.getState().showInFolder('/out/c/c.vmx');
    await store.getState().showInFolder('/etc/passwd');
    assert.deepEqual(bridge.calls.filter((c) => c.method === 'showInFolder').map((c) => c.arg), ['/out/c/c.vmx'], 'only what an item made');
  });

  test('a file whose inspection failed is in the queue as failed, with its error; the others run', async () => {
    const bridge = new Bridge();
    bridge.broken.add('/d/b.vhd');
    const store = createWizardStore(bridge);
    await toQueue(bridge, store);
    assert.deepEqual(bridge.started().map((r) => r.source), ['/d/a.vhd', '/d/c.vhd']);
    const p = phase(store);
    if (p.kind !== 'queue') return assert.fail(p.kind);
    assert.deepEqual(p.items.map((i) => [i.state, i.jobId]), [['waiting', 'job-1'], ['failed', null], ['waiting', 'job-2']]);
    assert.equal(p.items[1]!.error?.code, 'E_CORRUPT');
  });

  test('without "go on after a failure", a failure cancels the rest', async () => {
    const bridge = new Bridge();
    const store = createWizardStore(bridge);
    await toQueue(bridge, store);
    store.getState().setContinueAfterFailure(false);
    bridge.push({ type: 'failed', jobId: 'job-1', error: { code: 'E_IO', message: 'x' } });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(bridge.calls.filter((c) => c.method === 'cancel').map((c) => c.arg), ['job-2', 'job-3']);
  });

  test('cancel this disk cancels the one running only; cancel all, the rest', async () => {
    const bridge = new Bridge();
    const store = createWizardStore(bridge);
    await toQueue(bridge, store);
    bridge.push(progress('job-1', 5));
    await store.getState().cancelCurrent();
    assert.deepEqual(bridge.calls.filter((c) => c.method === 'cancel').map((c) => c.arg), ['job-1']);
    bridge.push({ type: 'cancelled', jobId: 'job-1' });
    bridge.push(progress('job-2', 5));
    await store.getState().cancelAll();
    assert.deepEqual(bridge.calls.filter((c) => c.method === 'cancel').map((c) => c.arg), ['job-1', 'job-2', 'job-3']);
    for (const id of ['job-2', 'job-3']) bridge.push({ type: 'cancelled', jobId: id });
    const p = phase(store);
    if (p.kind !== 'queueDone') return assert.fail(p.kind);
    assert.deepEqual(p.items.map((i) => i.state), ['cancelled', 'cancelled', 'cancelled']);
  });

  test('a machine configuration among several files is opened on its own', async () => {
    const bridge = new Bridge();
    const store = createWizardStore(bridge);
    await store.getState().openPaths(['/d/a.vhd', '/d/XP.vmc']);
    assert.equal(phase(store).kind, 'welcome');
    assert.match(store.getState().notice?.text ?? '', /XP\.vmc.*on its own/);
    assert.deepEqual(bridge.calls, []);
  });
});

const machine = (outside: boolean): MachineInfo => ({
  kind: 'vmc',
  config: '/m/XP.vmc',
  tree: '/m',
  name: 'Windows XP',
  memoryMB: 510,
  nics: 1,
  disks: [{ bus: 'ide', controller: 0, unit: 0, path: 'C:\\VMs\\xp.vhd', found: { path: '/old/xp.vhd', how: 'stated', outside }, file: { fileSize: 1 } }],
  snapshots: [],
  warnings: [],
  warningCodes: [],
});

describe('a machine configuration in the wizard store', () => {
  test('a disk outside its folder: not startable until confirmed; then the request carries the configuration and allowOutsideDisks', async () => {
    const bridge = new Bridge();
    bridge.machine = (r) => ({
      ok: true,
      value: { machine: machine(true), suggestedDestination: '/m', ...(r.allowOutsideDisks ? { disk: disk('/old/xp.vhd', { machine: machine(true) }) } : {}) },
    });
    const store = createWizardStore(bridge);
    await store.getState().openPath('/m/XP.vmc');
    assert.deepEqual(bridge.calls, [{ method: 'inspectMachine', arg: { path: '/m/XP.vmc', allowOutsideDisks: false } }], 'a configuration is asked as a machine');
    assert.equal(phase(store).kind, 'machine');
    store.getState().next();
    assert.equal(phase(store).kind, 'machine', 'not startable');
    await store.getState().confirmOutsideDisks(true);
    const p = phase(store);
    if (p.kind !== 'source') return assert.fail(p.kind);
    assert.equal(p.setup.allowOutsideDisks, true);
    const request = buildRequest(p.setup) as VmRequest;
    assert.deepEqual([request.kind, request.source, request.allowOutsideDisks, request.name, request.memoryMB], ['vm', '/m/XP.vmc', true, 'Windows XP', 512]);
    await store.getState().confirmOutsideDisks(false);
    assert.equal(phase(store).kind, 'machine', 'taking the confirmation back asks again without it');
  });

  test('a machine whose disks are all in its folder goes straight to the source step, and its request never allows outside disks', async () => {
    const bridge = new Bridge();
    bridge.machine = () => ({ ok: true, value: { machine: machine(false), disk: disk('/m/xp.vhd', { machine: machine(false) }), suggestedDestination: '/m' } });
    const store = createWizardStore(bridge);
    await store.getState().openPath('/m/XP.vmc');
    const p = phase(store);
    if (p.kind !== 'source') return assert.fail(p.kind);
    assert.equal('allowOutsideDisks' in buildRequest(p.setup), false);
  });
});
