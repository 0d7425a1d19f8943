// The wizard store over a fake bridge: a fresh store per test, actions and events in, phase out.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FerryApi, InspectProgress, Inspection, MachineInspection, MachineRequest } from '../../shared/api';
import type { Result } from '../../shared/result';
import type { DiskInfo } from '../../shared/disk-info';
import type { ErrorInfo } from '../../shared/errors';
import type { JobEvent, JobRequest, JobResult } from '../../shared/jobs';
import {
  buildRequest,
  choicesForLayout,
  choicesForPackaging,
  choicesForTarget,
  defaultChoices,
  joinPath,
  nameFromPath,
  packagingOf,
  plannedOutput,
  problemsWith,
  shownLayout,
  targetOf,
} from '../../renderer/src/store/choices';
import { stepOf } from '../../renderer/src/store/phase';
import { createWizardStore, type WizardStore } from '../../renderer/src/store/wizard-store';

const disk = (over: Partial<DiskInfo> = {}): DiskInfo => ({
  path: '/disks/Win 10.vhd',
  fileSize: 10 << 20,
  format: 'vhd',
  variant: 'dynamic',
  virtualSize: 64 << 20,
  allocatedBytes: 8 << 20,
  parents: [],
  partitions: { scheme: 'gpt', partitions: [] },
  guest: { guestOS: 'windows9-64', family: 'Windows', firmware: 'efi', evidence: ['ESP'], evidenceCodes: [{ code: 'firmware-gpt-esp', params: { parts: { code: 'partition-one', params: { index: 1 } } } }] },
  warnings: [],
  warningCodes: [],
  ...over,
});

const result: JobResult = {
  output: '/disks/Win 10/Win 10.vmx',
  vmx: '/disks/Win 10/Win 10.vmx',
  folder: '/disks/Win 10',
  files: ['/disks/Win 10/Win 10.vmx', '/disks/Win 10/Win 10.vmdk'],
  subformat: 'monolithicSparse',
  virtualSize: 64 << 20,
  dataBytes: 8 << 20,
  verified: true,
  warnings: [],
  warningCodes: [],
  seconds: 2,
};

/** A scriptable bridge: answers come from the fields, calls are recorded, events are pushed by hand. */
class FakeBridge implements FerryApi {
  inspectAnswer: (path: string) => Promise<Result<Inspection>> = async (path) => ({ ok: true, value: { disk: disk({ path }), suggestedDestination: '/disks' } });
  startAnswer: Result<string> = { ok: true, value: 'job-1' };
  machineAnswer: (request: MachineRequest) => Promise<Result<MachineInspection>> = async () => ({ ok: false, error: { code: 'E_NOT_A_DISK', message: 'Not a machine.' } });
  startAnswers: Result<string>[] = [];
  sourcePick: string | null = '/disks/Win 10.vhd';
  sourcePicks: string[] | null = null;
  destPick: string | null = '/picked';
  droppedPath = '/drops/dropped.vhd';
  readonly calls: { method: string; arg?: unknown }[] = [];
  private jobListeners = new Set<(e: JobEvent) => void>();
  private inspectListeners = new Set<(p: InspectProgress) => void>();
  private fileListeners = new Set<(p: string[]) => void>();

  inspect(path: string) {
    this.calls.push({ method: 'inspect', arg: path });
    return this.inspectAnswer(path);
  }
  inspectMachine(request: MachineRequest) {
    this.calls.push({ method: 'inspectMachine', arg: request });
    return this.machineAnswer(request);
  }
  async start(request: JobRequest) {
    this.calls.push({ method: 'start', arg: request });
    return this.startAnswers.shift() ?? this.startAnswer;
  }
  async cancel(jobId: string): Promise<Result<null>> {
    this.calls.push({ method: 'cancel', arg: jobId });
    return { ok: true, value: null };
  }
  onJobEvent(l: (e: JobEvent) => void) {
    this.jobListeners.add(l);
    return () => void this.jobListeners.delete(l);
  }
  onInspectProgress(l: (p: InspectProgress) => void) {
    this.inspectListeners.add(l);
    return () => void this.inspectListeners.delete(l);
  }
  onOpenFiles(l: (p: string[]) => void) {
    this.fileListeners.add(l);
    return () => void this.fileListeners.delete(l);
  }
  pathForFile(file: { name: string }) {
    this.calls.push({ method: 'pathForFile', arg: file.name });
    return this.droppedPath;
  }
  async pickSource() {
    return this.sourcePick;
  }
  async pickSources() {
    return this.sourcePicks ?? (this.sourcePick ? [this.sourcePick] : []);
  }
  async pickDestination() {
    return this.destPick;
  }
  async showInFolder(path: string): Promise<Result<null>> {
    this.calls.push({ method: 'showInFolder', arg: path });
    return { ok: true, value: null };
  }
  async openInVmware(path: string): Promise<Result<null>> {
    this.calls.push({ method: 'openInVmware', arg: path });
    return { ok: false, error: { code: 'E_IO', message: 'No handler.', hint: 'Install VMware.' } };
  }
  async useLanguage(language: string): Promise<null> {
    this.calls.push({ method: 'useLanguage', arg: language });
    return null;
  }
  onChooseLanguage() {
    return () => undefined;
  }
  push(e: JobEvent) {
    for (const l of this.jobListeners) l(e);
  }
  inspecting(p: InspectProgress) {
    for (const l of this.inspectListeners) l(p);
  }
  open(paths: string[]) {
    for (const l of this.fileListeners) l(paths);
  }
  get listenerCount() {
    return this.jobListeners.size + this.inspectListeners.size + this.fileListeners.size;
  }
}

function fresh(): { bridge: FakeBridge; store: WizardStore } {
  const bridge = new FakeBridge();
  return { bridge, store: createWizardStore(bridge) };
}

const kind = (store: WizardStore) => store.getState().phase.kind;

async function toSave(store: WizardStore): Promise<void> {
  await store.getState().chooseFile();
  store.getState().next();
  store.getState().next();
  assert.equal(kind(store), 'save');
}

describe('wizard store', () => {
  test('starts on the welcome step and subscribes once to each bridge event', () => {
    const { bridge, store } = fresh();
    assert.deepEqual(store.getState().phase, { kind: 'welcome' });
    assert.equal(bridge.listenerCount, 3);
    store.dispose();
    assert.equal(bridge.listenerCount, 0);
  });

  test('choose file → inspecting → source with defaults from the detection', async () => {
    const { bridge, store } = fresh();
    const pending = store.getState().chooseFile();
    await Promise.resolve();
    await pending;
    const phase = store.getState().phase;
    assert.equal(phase.kind, 'source');
    assert.deepEqual(bridge.calls[0], { method: 'inspect', arg: '/disks/Win 10.vhd' });
    if (phase.kind !== 'source') return;
    const c = phase.setup.choices;
    assert.equal(c.name, 'Win 10');
    assert.equal(c.destination, '/disks');
    assert.equal(c.guestOS, 'windows9-64');
    assert.equal(c.firmware, 'efi');
    assert.equal(c.memoryMB, 4096);
    assert.equal(c.saveAs, 'vm');
    assert.equal(c.layout, 'dynamic');
  });

  test('a closed file dialog changes nothing', async () => {
    const { bridge, store } = fresh();
    bridge.sourcePick = null;
    await store.getState().chooseFile();
    assert.equal(kind(store), 'welcome');
    assert.deepEqual(bridge.calls, []);
  });

  test('a drop resolves the file through the bridge; a file without a path gives a notice', async () => {
    const { bridge, store } = fresh();
    await store.getState().openDroppedFile({ name: 'dropped.vhd' });
    assert.equal(kind(store), 'source');
    assert.deepEqual(bridge.calls.slice(0, 2), [
      { method: 'pathForFile', arg: 'dropped.vhd' },
      { method: 'inspect', arg: '/drops/dropped.vhd' },
    ]);
    const other = fresh();
    other.bridge.droppedPath = '';
    await other.store.getState().openDroppedFile({ name: 'from-a-web-page.vhd' });
    assert.equal(kind(other.store), 'welcome');
    assert.match(other.store.getState().notice?.text ?? '', /no file on disk/);
  });

  test('a dropped file under a name Ferry does not read gives a notice and reaches nothing', async () => {
    const { bridge, store } = fresh();
    await store.getState().openDroppedFile({ name: 'holiday.iso' });
    assert.equal(kind(store), 'welcome');
    assert.deepEqual(bridge.calls, []);
    assert.match(store.getState().notice?.text ?? '', /"holiday\.iso" is not a disk Ferry reads/);
  });

  test('a disk that cannot be read leads to the error step, and back to the start', async () => {
    const { bridge, store } = fresh();
    const error: ErrorInfo = { code: 'E_NOT_A_DISK', message: 'not a disk', hint: 'pick another' };
    bridge.inspectAnswer = async () => ({ ok: false, error });
    await store.getState().chooseFile();
    const phase = store.getState().phase;
    assert.deepEqual(phase, { kind: 'failed', error, recovery: { to: 'welcome' } });
    assert.equal(stepOf(phase), 'source');
    store.getState().recover();
    assert.equal(kind(store), 'welcome');
  });

  test('a newer disk wins over an inspection still under way', async () => {
    const { bridge, store } = fresh();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    bridge.inspectAnswer = async (path) => {
      if (path === '/slow.vhd') await gate;
      return { ok: true, value: { disk: disk({ path }), suggestedDestination: '/' } };
    };
    const slow = store.getState().openPath('/slow.vhd');
    await store.getState().openPath('/fast.vhd');
    release();
    await slow;
    const phase = store.getState().phase;
    assert.equal(phase.kind === 'source' && phase.setup.disk.path, '/fast.vhd');
  });

  test('next and back walk source ⇄ disk type ⇄ save; the stepper follows; choices survive', async () => {
    const { store } = fresh();
    await store.getState().chooseFile();
    const s = store.getState;
    s().next();
    assert.equal(kind(store), 'diskType');
    s().update({ layout: 'fixed' });
    s().next();
    assert.equal(kind(store), 'save');
    assert.equal(stepOf(s().phase), 'save');
    s().next(); // no way on from save but Convert
    assert.equal(kind(store), 'save');
    s().back();
    s().back();
    assert.equal(kind(store), 'source');
    s().goTo('save');
    const phase = s().phase;
    assert.equal(phase.kind === 'save' && phase.setup.choices.layout, 'fixed');
    s().goTo('done'); // not reachable by jumping
    assert.equal(kind(store), 'save');
    s().back();
    s().back();
    s().back();
    assert.equal(kind(store), 'welcome');
  });

  test('convert sends the request the choices describe, then follows the job to done', async () => {
    const { bridge, store } = fresh();
    await toSave(store);
    await store.getState().chooseDestination();
    await store.getState().convert();
    const start = bridge.calls.find((c) => c.method === 'start');
    assert.deepEqual(start?.arg, {
      kind: 'vm',
      source: '/disks/Win 10.vhd',
      destDir: '/picked',
      name: 'Win 10',
      subformat: 'monolithicSparse',
      memoryMB: 4096,
      cpus: 2,
      firmware: 'efi',
      zeroCopy: false,
      verify: true,
      overwrite: false,
    });
    assert.equal(kind(store), 'converting');
    bridge.push({ type: 'progress', jobId: 'other-job', phase: 'converting', done: 9, total: 10, rate: 1 });
    bridge.push({ type: 'progress', jobId: 'job-1', phase: 'converting', done: 5, total: 10, rate: 1 });
    const phase = store.getState().phase;
    assert.deepEqual(phase.kind === 'converting' && phase.progress, { phase: 'converting', done: 5, total: 10, rate: 1 });
    store.getState().back(); // nothing moves while converting
    await store.getState().openPath('/another.vhd');
    assert.equal(kind(store), 'converting');
    bridge.push({ type: 'done', jobId: 'job-1', result });
    assert.equal(kind(store), 'done');
    await store.getState().showInFolder();
    await store.getState().openInVmware();
    assert.deepEqual(
      bridge.calls.filter((c) => c.method === 'showInFolder' || c.method === 'openInVmware'),
      [
        { method: 'showInFolder', arg: result.vmx },
        { method: 'openInVmware', arg: result.vmx },
      ],
    );
    assert.match(store.getState().notice?.text ?? '', /No handler\. Install VMware\./);
    store.getState().startOver();
    assert.equal(kind(store), 'welcome');
  });

  test('inspection progress shows on the inspecting step of that disk only', async () => {
    const { bridge, store } = fresh();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    bridge.inspectAnswer = async (path) => {
      await gate;
      return { ok: true, value: { disk: disk({ path }), suggestedDestination: '/disks' } };
    };
    const opening = store.getState().openPath('/disks/big.vhd.bz2');
    assert.deepEqual(store.getState().phase, { kind: 'inspecting', path: '/disks/big.vhd.bz2', progress: null });
    bridge.inspecting({ path: '/disks/other.vhd.gz', phase: 'decompressing', done: 9, total: 10, rate: 1 });
    bridge.inspecting({ path: '/disks/big.vhd.bz2', phase: 'decompressing', done: 3, total: 10, rate: 5 });
    const phase = store.getState().phase;
    assert.deepEqual(phase.kind === 'inspecting' && phase.progress, { phase: 'decompressing', done: 3, total: 10, rate: 5 });
    release();
    await opening;
    assert.equal(kind(store), 'source');
    bridge.inspecting({ path: '/disks/big.vhd.bz2', phase: 'decompressing', done: 10, total: 10, rate: 5 });
    assert.equal(kind(store), 'source', 'late progress changes nothing');
  });

  test('the convert step plans an unpacking phase only when the job reports one (it reads the kept copy otherwise)', async () => {
    const { bridge, store } = fresh();
    await toSave(store);
    await store.getState().convert();
    const unpacks = () => {
      const phase = store.getState().phase;
      return phase.kind === 'converting' && phase.unpacks;
    };
    assert.equal(unpacks(), false);
    bridge.push({ type: 'progress', jobId: 'job-1', phase: 'decompressing', done: 1, total: 2, rate: 1 });
    assert.equal(unpacks(), true);
    bridge.push({ type: 'progress', jobId: 'job-1', phase: 'converting', done: 1, total: 2, rate: 1 });
    assert.equal(unpacks(), true, 'remembered for the rest of the job');
  });

  test('events that arrive before start answers are not lost', async () => {
    const { bridge, store } = fresh();
    await toSave(store);
    const realStart = bridge.start.bind(bridge);
    bridge.start = async (request) => {
      bridge.push({ type: 'progress', jobId: 'job-1', phase: 'converting', done: 1, total: 2, rate: 1 });
      bridge.push({ type: 'done', jobId: 'job-1', result });
      return realStart(request);
    };
    await store.getState().convert();
    assert.equal(kind(store), 'done');
  });

  test('cancel waits for the cancelled event, then returns to the options with a notice', async () => {
    const { bridge, store } = fresh();
    await toSave(store);
    await store.getState().convert();
    await store.getState().cancel();
    const phase = store.getState().phase;
    assert.equal(phase.kind === 'converting' && phase.cancelling, true);
    await store.getState().cancel(); // once is enough
    assert.equal(bridge.calls.filter((c) => c.method === 'cancel').length, 1);
    bridge.push({ type: 'cancelled', jobId: 'job-1' });
    assert.equal(kind(store), 'save');
    assert.match(store.getState().notice?.text ?? '', /Nothing was left behind/);
  });

  test('a failed job offers the way back to the options it was started with', async () => {
    const { bridge, store } = fresh();
    await toSave(store);
    store.getState().update({ name: 'Mine' });
    await store.getState().convert();
    bridge.push({ type: 'failed', jobId: 'job-1', error: { code: 'E_EXISTS', message: 'exists' } });
    const phase = store.getState().phase;
    assert.equal(phase.kind, 'failed');
    assert.equal(stepOf(phase), 'convert');
    store.getState().recover();
    const back = store.getState().phase;
    assert.equal(back.kind === 'save' && back.setup.choices.name, 'Mine');
  });

  test('start refused by the host is an error too; so is a bridge that throws', async () => {
    const { bridge, store } = fresh();
    await toSave(store);
    bridge.startAnswer = { ok: false, error: { code: 'E_PERMISSION', message: 'no' } };
    await store.getState().convert();
    assert.equal(kind(store), 'failed');
    const other = fresh();
    other.bridge.inspectAnswer = async () => {
      throw new Error('socket closed');
    };
    await other.store.getState().chooseFile();
    const phase = other.store.getState().phase;
    assert.equal(phase.kind === 'failed' && phase.error.code, 'E_INTERNAL');
  });

  test('invalid choices keep Convert from doing anything', async () => {
    const { bridge, store } = fresh();
    await toSave(store);
    store.getState().update({ name: 'bad/name' });
    await store.getState().convert();
    assert.equal(kind(store), 'save');
    assert.equal(bridge.calls.some((c) => c.method === 'start'), false);
  });

  test('files opened from the OS go through the same path as a drop, but not mid-conversion', async () => {
    const { bridge, store } = fresh();
    bridge.open(['/launched/a.vhd', '/launched/b.vhd']);
    await new Promise((r) => setTimeout(r, 0));
    const phase = store.getState().phase;
    assert.equal(phase.kind === 'source' && phase.setup.disk.path, '/launched/a.vhd');
    store.getState().next();
    store.getState().next();
    await store.getState().convert();
    bridge.open(['/launched/c.vhd']);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(kind(store), 'converting');
    assert.match(store.getState().notice?.text ?? '', /one disk at a time/);
  });
});

describe('choices', () => {
  const d = disk();

  test('each disk type maps to its subformat; a stream-optimized disk is a .vmdk or an OVA, never a VM folder', () => {
    const base = { disk: d, suggestedDestination: '/out', choices: defaultChoices(d, '/out') };
    const sub = (layout: 'dynamic' | 'fixed' | 'split' | 'stream', preallocateSplit = false) => {
      const r = buildRequest({ ...base, choices: { ...base.choices, layout, preallocateSplit, saveAs: 'vmdk' } });
      assert.equal(r.kind, 'convert');
      return r.kind === 'convert' ? r.subformat : undefined;
    };
    assert.equal(sub('dynamic'), 'monolithicSparse');
    assert.equal(sub('fixed'), 'monolithicFlat');
    assert.equal(sub('split'), 'twoGbMaxExtentSparse');
    assert.equal(sub('split', true), 'twoGbMaxExtentFlat');
    assert.equal(sub('stream'), 'streamOptimized');
    const streamAsVm = buildRequest({ ...base, choices: { ...base.choices, layout: 'stream', saveAs: 'vm' } });
    assert.equal(streamAsVm.kind, 'ova');
    assert.equal(plannedOutput({ ...base.choices, layout: 'stream', saveAs: 'vm' }), '/out/Win 10.ova');
  });

  test('an OVA carries the machine settings and no subformat', () => {
    const c = { ...defaultChoices(d, '/out'), saveAs: 'ova' as const, controller: 'sata' as const, hwVersion: 19 };
    assert.deepEqual(buildRequest({ disk: d, suggestedDestination: '/out', choices: c }), {
      kind: 'ova',
      source: '/disks/Win 10.vhd',
      output: '/out/Win 10.ova',
      name: 'Win 10',
      memoryMB: 4096,
      cpus: 2,
      firmware: 'efi',
      controller: 'sata',
      hwVersion: 19,
      verify: true,
      overwrite: false,
    });
  });

  test('a .vmdk alone gets the adapter its controller needs', () => {
    const c = { ...defaultChoices(d, '/out'), saveAs: 'vmdk' as const, controller: 'pvscsi' as const };
    const r = buildRequest({ disk: d, suggestedDestination: '/out', choices: c });
    assert.equal(r.kind === 'convert' && r.adapter, 'lsilogic');
    const ide = buildRequest({ disk: d, suggestedDestination: '/out', choices: { ...c, controller: 'sata' } });
    assert.equal(ide.kind === 'convert' && ide.adapter, 'ide');
  });

  test('the save step starts with the target: Workstation / Player / Fusion or ESXi / vSphere', () => {
    const base = { disk: d, suggestedDestination: '/out' };
    const c = { ...defaultChoices(d, '/out'), layout: 'fixed' as const };
    assert.equal(targetOf(c), 'workstation', 'Workstation is the default');
    assert.equal(packagingOf(c), 'machine');

    const esxi = { ...c, ...choicesForTarget(c, 'esxi') };
    assert.equal(targetOf(esxi), 'esxi');
    assert.equal(shownLayout(esxi), 'stream', 'ESXi gets a stream-optimized disk whatever was picked before');
    assert.equal(buildRequest({ ...base, choices: esxi }).kind, 'ova');
    assert.equal(plannedOutput(esxi), '/out/Win 10.ova');

    const back = { ...esxi, ...choicesForTarget(esxi, 'workstation') };
    assert.equal(targetOf(back), 'workstation');
    assert.deepEqual([back.layout, back.saveAs], ['fixed', 'vm'], 'the disk type picked for Workstation survives a look at ESXi');

    const bareStream = { ...esxi, ...choicesForPackaging(esxi, 'diskOnly') };
    const r = buildRequest({ ...base, choices: bareStream });
    assert.equal(r.kind === 'convert' && r.subformat, 'streamOptimized', 'ESXi\'s disk alone is the stream-optimized .vmdk');
    const hostedDisk = { ...bareStream, ...choicesForTarget(bareStream, 'workstation') };
    const h = buildRequest({ ...base, choices: hostedDisk });
    assert.equal(h.kind === 'convert' && h.subformat, 'monolithicSparse', 'back on Workstation, a disk it can run');
    assert.equal(packagingOf(hostedDisk), 'diskOnly');

    const vmdkAlone = { ...c, ...choicesForPackaging(c, 'diskOnly') };
    const v = buildRequest({ ...base, choices: vmdkAlone });
    assert.equal(v.kind === 'convert' && v.subformat, 'monolithicFlat');
  });

  test('on the disk-type step a hosted type switches ESXi back to Workstation; stream-optimized makes ESXi the target', () => {
    const c = defaultChoices(d, '/out');
    const streamed = { ...c, ...choicesForLayout(c, 'stream') };
    assert.equal(targetOf(streamed), 'esxi');
    assert.equal(buildRequest({ disk: d, suggestedDestination: '/out', choices: streamed }).kind, 'ova');
    const split = { ...streamed, ...choicesForLayout(streamed, 'split') };
    assert.deepEqual([targetOf(split), split.layout, split.saveAs], ['workstation', 'split', 'vm']);
    const ova = { ...c, saveAs: 'ova' as const };
    const fixed = { ...ova, ...choicesForLayout(ova, 'fixed') };
    assert.deepEqual([targetOf(fixed), fixed.saveAs], ['workstation', 'vm']);
  });

  test('names and paths', () => {
    assert.equal(nameFromPath('C:\\Hyper-V\\Server 2019.vhdx'), 'Server 2019');
    assert.equal(nameFromPath('/x/...vhd'), 'Converted disk');
    assert.equal(nameFromPath('/dl/coreos_production_xen_image.vhd.bz2'), 'coreos_production_xen_image');
    assert.equal(nameFromPath('/dl/disk.img.tar.gz'), 'disk');
    assert.equal(joinPath('C:\\VMs', 'a'), 'C:\\VMs\\a');
    assert.equal(joinPath('/vms/', 'a'), '/vms/a');
    assert.equal(plannedOutput({ ...defaultChoices(d, '/vms'), name: 'A' }), '/vms/A/A.vmx');
  });

  test('problems are reported per field', () => {
    const c = defaultChoices(d, '/vms');
    assert.deepEqual(problemsWith(c), {});
    assert.deepEqual(Object.keys(problemsWith({ ...c, name: '', destination: '', memoryMB: Number.NaN, cpus: 0 })).sort(), ['cpus', 'destination', 'memoryMB', 'name']);
    assert.match(problemsWith({ ...c, memoryMB: 1030 }).memoryMB ?? '', /multiple of 4/);
    assert.deepEqual(problemsWith({ ...c, saveAs: 'vmdk', memoryMB: Number.NaN }), {}, 'VM settings do not matter for a .vmdk');
  });

  test('firmware falls back to the partition scheme when nothing was detected', () => {
    const { guest: _guest, ...noGuest } = d;
    assert.equal(defaultChoices({ ...noGuest, partitions: { scheme: 'gpt', partitions: [] } }, '/').firmware, 'efi');
    assert.equal(defaultChoices({ ...noGuest, partitions: null }, '/').firmware, 'bios');
  });
});
