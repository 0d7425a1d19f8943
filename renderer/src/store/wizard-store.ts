// The wizard's one store, made by a factory over the bridge so each test builds its own over a
// fake. Actions guard their transitions: each acts only from the phases where it makes sense.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DroppedFile, FerryApi } from '../../../shared/api';
import type { ErrorInfo } from '../../../shared/errors';
import type { JobEvent } from '../../../shared/jobs';
import { isSourceName } from '../../../shared/source-names';
import { LIMITS } from '../../../shared/limits';
import type { MachineInspection } from '../../../shared/api';
import { buildRequest, defaultChoices, isQueue, problemsWith, type Choices, type Setup } from './choices';
import { isMachineName, moved, withMany, type Many, type ManyItem, type ManyMode } from './many';
import { createQueueActions } from './queue-actions';
import { isEditing, setupOf, type Phase, type StepId } from './phase';
import { t } from '../i18n';
import { fileName } from '../format';

export interface Notice {
  tone: 'info' | 'warning';
  text: string;
}

export interface WizardState {
  phase: Phase;
  /** A one-line message above the current step (cancelled, could not open, …); cleared on the next move. */
  notice: Notice | null;

  openPath(path: string): Promise<void>;
  /** Several files at once: one is opened as before; more are read one after the other and listed. */
  openPaths(paths: readonly string[]): Promise<void>;
  openDroppedFile(file: DroppedFile): Promise<void>;
  openDroppedFiles(files: readonly DroppedFile[]): Promise<void>;
  /** A machine's disks from outside its folder: confirmed (or no longer), which asks the host again. */
  confirmOutsideDisks(confirmed: boolean): Promise<void>;
  setManyMode(mode: ManyMode): void;
  /** Moves a disk in the list of several (the first is the boot disk). */
  moveItem(from: number, to: number): void;
  removeItem(index: number): void;
  /** The queue: cancel the disk converting now (the next goes on), or it and all the rest. */
  cancelCurrent(): Promise<void>;
  cancelAll(): Promise<void>;
  setContinueAfterFailure(on: boolean): void;
  chooseFile(): Promise<void>;
  next(): void;
  back(): void;
  goTo(step: StepId): void;
  update(patch: Partial<Choices>): void;
  chooseDestination(): Promise<void>;
  convert(): Promise<void>;
  cancel(): Promise<void>;
  /** The result's folder; after a queue, the output of the item named by `path`. */
  showInFolder(path?: string): Promise<void>;
  openInVmware(): Promise<void>;
  startOver(): void;
  recover(): void;
  dismissNotice(): void;
}

export type WizardStore = StoreApi<WizardState> & { dispose(): void };

const ORDER = ['source', 'diskType', 'save'] as const;

/** Phases in which a new disk may replace the current one (not while a job is being started or runs). */
const canOpen = (phase: Phase): boolean => phase.kind !== 'starting' && phase.kind !== 'converting' && phase.kind !== 'queue';

/** Whether the source step may go on: several files as one machine need every one to be a readable disk. */
export function canGoOn(setup: Setup): boolean {
  return !(setup.many?.mode === 'machine' && setup.many.items.some((i) => i.disk === null));
}

/** The phase a machine's answer leads to: its setup once a job can start, else the machine shown as it is. */
function machinePhase(path: string, inspection: MachineInspection, allowOutsideDisks: boolean): Phase {
  const { disk: boot, machine, suggestedDestination } = inspection;
  if (!boot) return { kind: 'machine', path, inspection, checking: false };
  const disk = { ...boot, machine };
  return {
    kind: 'source',
    setup: { disk, suggestedDestination, choices: defaultChoices(disk, suggestedDestination), source: path, ...(allowOutsideDisks ? { allowOutsideDisks: true } : {}) },
  };
}

export function createWizardStore(api: FerryApi): WizardStore {
  // Answers to an inspect that was overtaken by a newer one are ignored.
  let inspectSeq = 0;
  // Job events that arrive before `start` has answered with their id.
  let early: JobEvent[] = [];

  const queue = createQueueActions(
    api,
    () => store.getState().phase,
    (phase) => store.setState({ phase }),
    (err) => bridgeError(err),
  );

  const store = createStore<WizardState>()((set, get) => {
    const fail = (error: ErrorInfo, recovery: Extract<Phase, { kind: 'failed' }>['recovery']): void =>
      set({ phase: { kind: 'failed', error, recovery }, notice: null });

    const editing = (fn: (phase: Extract<Phase, { kind: 'source' | 'diskType' | 'save' }>) => Phase | null): void => {
      const phase = get().phase;
      if (!isEditing(phase)) return;
      const nextPhase = fn(phase);
      if (nextPhase) set({ phase: nextPhase, notice: null });
    };

    /** A machine configuration: ready to convert once every disk is found and may be used, else the machine as it is. */
    const openMachine = async (path: string, allowOutsideDisks: boolean, seq: number): Promise<void> => {
      if (get().phase.kind !== 'machine') set({ phase: { kind: 'inspecting', path, progress: null }, notice: null });
      const answer = await api.inspectMachine({ path, allowOutsideDisks }).catch((err: unknown) => ({ ok: false as const, error: bridgeError(err) }));
      if (seq !== inspectSeq) return;
      if (!answer.ok) return fail(answer.error, { to: 'welcome' });
      set({ phase: machinePhase(path, answer.value, allowOutsideDisks), notice: null });
    };

    return {
      phase: { kind: 'welcome' },
      notice: null,

      async openPath(path) {
        if (!canOpen(get().phase)) return;
        const seq = ++inspectSeq;
        if (isMachineName(path)) return openMachine(path, false, seq);
        set({ phase: { kind: 'inspecting', path, progress: null }, notice: null });
        let answer;
        try {
          answer = await api.inspect(path);
        } catch (err) {
          answer = { ok: false as const, error: bridgeError(err) };
        }
        if (seq !== inspectSeq || get().phase.kind !== 'inspecting') return;
        if (!answer.ok) return fail(answer.error, { to: 'welcome' });
        const { disk, suggestedDestination } = answer.value;
        set({ phase: { kind: 'source', setup: { disk, suggestedDestination, choices: defaultChoices(disk, suggestedDestination) } } });
      },

      async openPaths(given) {
        if (!canOpen(get().phase)) return;
        const paths = [...new Set(given)].slice(0, LIMITS.sources);
        if (paths.length <= 1) return paths[0] === undefined ? undefined : get().openPath(paths[0]);
        const config = paths.find(isMachineName);
        if (config) return set({ notice: { tone: 'warning', text: t('notices.machineAlone', { name: fileName(config) }) } });
        const seq = ++inspectSeq;
        const items: ManyItem[] = [];
        let suggestedDestination = '';
        for (const [index, path] of paths.entries()) {
          set({ phase: { kind: 'inspectingMany', paths, index }, notice: null });
          const answer = await api.inspect(path).catch((err: unknown) => ({ ok: false as const, error: bridgeError(err) }));
          if (seq !== inspectSeq || get().phase.kind !== 'inspectingMany') return;
          if (answer.ok && suggestedDestination === '') suggestedDestination = answer.value.suggestedDestination;
          items.push(answer.ok ? { path, disk: answer.value.disk, error: null } : { path, disk: null, error: answer.error });
        }
        const first = items.find((i) => i.disk !== null);
        if (!first?.disk) return fail(items[0]!.error!, { to: 'welcome' });
        // A file that is not a readable disk cannot be part of one machine: then one conversion each.
        const many: Many = { mode: items.every((i) => i.disk) ? 'machine' : 'each', items };
        set({ phase: { kind: 'source', setup: { disk: first.disk, suggestedDestination, choices: defaultChoices(first.disk, suggestedDestination), many } } });
      },

      async openDroppedFile(file) {
        await get().openDroppedFiles([file]);
      },

      async openDroppedFiles(files) {
        if (!canOpen(get().phase)) return;
        const readable = files.filter((f) => isSourceName(f.name));
        if (readable.length === 0) {
          if (files[0]) set({ notice: { tone: 'warning', text: t('notices.notADisk', { name: files[0].name }) } });
          return;
        }
        const paths: string[] = [];
        for (const file of readable.slice(0, LIMITS.sources)) {
          const path = api.pathForFile(file);
          if (!path) return set({ notice: { tone: 'warning', text: t('notices.noFile', { name: file.name }) } });
          paths.push(path);
        }
        await get().openPaths(paths);
      },

      async chooseFile() {
        if (!canOpen(get().phase)) return;
        const paths = await api.pickSources();
        if (paths.length) await get().openPaths(paths);
      },

      async confirmOutsideDisks(confirmed) {
        const phase = get().phase;
        const path = phase.kind === 'machine' ? phase.path : phase.kind === 'source' && phase.setup.disk.machine ? phase.setup.source : undefined;
        if (path === undefined) return;
        if (phase.kind === 'machine') set({ phase: { ...phase, checking: true } });
        await openMachine(path, confirmed, ++inspectSeq);
      },

      setManyMode(mode) {
        const phase = get().phase;
        if (phase.kind !== 'source' || !phase.setup.many) return;
        set({ phase: { kind: 'source', setup: { ...phase.setup, many: { ...phase.setup.many, mode } } }, notice: null });
      },

      moveItem(from, to) {
        const phase = get().phase;
        if (phase.kind !== 'source' || !phase.setup.many) return;
        const many = { ...phase.setup.many, items: moved(phase.setup.many.items, from, to) };
        set({ phase: { kind: 'source', setup: withMany(phase.setup, many) } });
      },

      removeItem(index) {
        const phase = get().phase;
        const many = phase.kind === 'source' ? phase.setup.many : undefined;
        if (phase.kind !== 'source' || !many || many.items.length <= 1) return;
        const items = many.items.filter((_, i) => i !== index);
        if (!items.some((i) => i.disk)) return;
        // One file left is the usual single-disk flow.
        if (items.length === 1) {
          const { many: _many, ...single } = withMany(phase.setup, { ...many, items });
          return set({ phase: { kind: 'source', setup: single } });
        }
        set({ phase: { kind: 'source', setup: withMany(phase.setup, { ...many, items }) } });
      },

      cancelCurrent: () => queue.cancelCurrent(),
      cancelAll: () => queue.cancelAll(),
      setContinueAfterFailure: (on) => queue.setContinueAfterFailure(on),

      next() {
        editing((phase) => {
          if (phase.kind === 'source' && !canGoOn(phase.setup)) return null;
          if (phase.kind === 'source') return { kind: 'diskType', setup: phase.setup };
          if (phase.kind === 'diskType') return { kind: 'save', setup: phase.setup };
          return null; // from save, the way on is convert()
        });
      },

      back() {
        const phase = get().phase;
        if (phase.kind === 'source' || phase.kind === 'machine') {
          inspectSeq++;
          return set({ phase: { kind: 'welcome' }, notice: null });
        }
        editing((p) => {
          if (p.kind === 'diskType') return { kind: 'source', setup: p.setup };
          if (p.kind === 'save') return { kind: 'diskType', setup: p.setup };
          return null;
        });
      },

      goTo(step) {
        editing((phase) => {
          const target = ORDER.indexOf(step as (typeof ORDER)[number]);
          if (target < 0) return null;
          return { kind: ORDER[target]!, setup: phase.setup };
        });
      },

      update(patch) {
        const phase = get().phase;
        if (!isEditing(phase)) return;
        const setup: Setup = { ...phase.setup, choices: { ...phase.setup.choices, ...patch } };
        set({ phase: { ...phase, setup } });
      },

      async chooseDestination() {
        if (!isEditing(get().phase)) return;
        const folder = await api.pickDestination();
        if (folder) get().update({ destination: folder });
      },

      async convert() {
        const phase = get().phase;
        if (phase.kind !== 'save') return;
        if (Object.keys(problemsWith(phase.setup.choices)).length > 0) return;
        const setup = phase.setup;
        if (isQueue(setup)) return queue.start(setup);
        early = [];
        set({ phase: { kind: 'starting', setup }, notice: null });
        let answer;
        try {
          answer = await api.start(buildRequest(setup));
        } catch (err) {
          answer = { ok: false as const, error: bridgeError(err) };
        }
        if (get().phase.kind !== 'starting') return;
        if (!answer.ok) return fail(answer.error, { to: 'save', setup });
        set({ phase: { kind: 'converting', setup, jobId: answer.value, progress: null, unpacks: false, cancelling: false } });
        const pending = early.filter((e) => e.jobId === answer.value);
        early = [];
        for (const event of pending) onJobEvent(event);
      },

      async cancel() {
        const phase = get().phase;
        if (phase.kind !== 'converting' || phase.cancelling) return;
        set({ phase: { ...phase, cancelling: true } });
        const answer = await api.cancel(phase.jobId).catch((err: unknown) => ({ ok: false as const, error: bridgeError(err) }));
        if (!answer.ok) {
          const now = get().phase;
          if (now.kind === 'converting' && now.jobId === phase.jobId) set({ phase: { ...now, cancelling: false }, notice: { tone: 'warning', text: answer.error.message } });
        }
      },

      async showInFolder(path) {
        const phase = get().phase;
        const target =
          phase.kind === 'done'
            ? (phase.result.vmx ?? phase.result.output)
            : phase.kind === 'queueDone'
              ? phase.items.map((i) => i.result && (i.result.vmx ?? i.result.output)).find((p) => p && p === path)
              : undefined;
        if (!target) return;
        const answer = await api.showInFolder(target).catch((err: unknown) => ({ ok: false as const, error: bridgeError(err) }));
        if (!answer.ok) set({ notice: { tone: 'warning', text: answer.error.message } });
      },

      async openInVmware() {
        const phase = get().phase;
        if (phase.kind !== 'done' || !phase.result.vmx) return;
        const answer = await api.openInVmware(phase.result.vmx).catch((err: unknown) => ({ ok: false as const, error: bridgeError(err) }));
        if (!answer.ok) set({ notice: { tone: 'warning', text: [answer.error.message, answer.error.hint].filter(Boolean).join(' ') } });
      },

      startOver() {
        const phase = get().phase;
        if (phase.kind === 'starting' || phase.kind === 'converting' || phase.kind === 'queue') return;
        inspectSeq++;
        set({ phase: { kind: 'welcome' }, notice: null });
      },

      recover() {
        const phase = get().phase;
        if (phase.kind !== 'failed') return;
        const r = phase.recovery;
        set({ phase: r.to === 'welcome' ? { kind: 'welcome' } : { kind: 'save', setup: r.setup }, notice: null });
      },

      dismissNotice() {
        set({ notice: null });
      },
    };
  });

  function onJobEvent(event: JobEvent): void {
    if (queue.onJobEvent(event)) return;
    const phase = store.getState().phase;
    if (phase.kind === 'starting') {
      early.push(event);
      return;
    }
    if (phase.kind !== 'converting' || phase.jobId !== event.jobId) return;
    switch (event.type) {
      case 'progress': {
        const { type: _type, jobId: _jobId, ...progress } = event;
        store.setState({ phase: { ...phase, progress, unpacks: phase.unpacks || progress.phase === 'decompressing' } });
        return;
      }
      case 'done':
        store.setState({ phase: { kind: 'done', setup: phase.setup, result: event.result }, notice: null });
        return;
      case 'failed':
        store.setState({ phase: { kind: 'failed', error: event.error, recovery: { to: 'save', setup: phase.setup } }, notice: null });
        return;
      case 'cancelled':
        store.setState({
          phase: { kind: 'save', setup: phase.setup },
          notice: { tone: 'info', text: t('notices.cancelled') },
        });
        return;
    }
  }

  const offJobs = api.onJobEvent(onJobEvent);
  const offInspect = api.onInspectProgress(({ path, ...progress }) => {
    const phase = store.getState().phase;
    if (phase.kind === 'inspecting' && phase.path === path) store.setState({ phase: { ...phase, progress } });
  });
  const offFiles = api.onOpenFiles((paths) => {
    if (paths.length === 0) return;
    if (!canOpen(store.getState().phase)) {
      store.setState({ notice: { tone: 'info', text: t('notices.oneAtATime') } });
      return;
    }
    void store.getState().openPaths(paths);
  });

  return Object.assign(store, {
    dispose() {
      offJobs();
      offInspect();
      offFiles();
    },
  });
}

/** A bridge call that threw (a transport failure, not an answer): shown like any other error. */
function bridgeError(err: unknown): ErrorInfo {
  return {
    code: 'E_INTERNAL',
    message: t('notices.lostEngine', { reason: err instanceof Error ? err.message : String(err) }),
    hint: t('notices.lostEngineHint'),
  };
}

export { setupOf };
