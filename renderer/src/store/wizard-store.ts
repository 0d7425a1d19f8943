// The wizard's one store, made by a factory over the bridge so each test builds its own over a
// fake. Actions guard their transitions: each acts only from the phases where it makes sense.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DroppedFile, FerryApi } from '../../../shared/api';
import type { ErrorInfo } from '../../../shared/errors';
import type { JobEvent } from '../../../shared/jobs';
import { isSourceName } from '../../../shared/source-names';
import { buildRequest, defaultChoices, problemsWith, type Choices, type Setup } from './choices';
import { isEditing, setupOf, type Phase, type StepId } from './phase';
import { t } from '../i18n';

export interface Notice {
  tone: 'info' | 'warning';
  text: string;
}

export interface WizardState {
  phase: Phase;
  /** A one-line message above the current step (cancelled, could not open, …); cleared on the next move. */
  notice: Notice | null;

  openPath(path: string): Promise<void>;
  openDroppedFile(file: DroppedFile): Promise<void>;
  chooseFile(): Promise<void>;
  next(): void;
  back(): void;
  goTo(step: StepId): void;
  update(patch: Partial<Choices>): void;
  chooseDestination(): Promise<void>;
  convert(): Promise<void>;
  cancel(): Promise<void>;
  showInFolder(): Promise<void>;
  openInVmware(): Promise<void>;
  startOver(): void;
  recover(): void;
  dismissNotice(): void;
}

export type WizardStore = StoreApi<WizardState> & { dispose(): void };

const ORDER = ['source', 'diskType', 'save'] as const;

/** Phases in which a new disk may replace the current one (not while a job is being started or runs). */
const canOpen = (phase: Phase): boolean => phase.kind !== 'starting' && phase.kind !== 'converting';

export function createWizardStore(api: FerryApi): WizardStore {
  // Answers to an inspect that was overtaken by a newer one are ignored.
  let inspectSeq = 0;
  // Job events that arrive before `start` has answered with their id.
  let early: JobEvent[] = [];

  const store = createStore<WizardState>()((set, get) => {
    const fail = (error: ErrorInfo, recovery: Extract<Phase, { kind: 'failed' }>['recovery']): void =>
      set({ phase: { kind: 'failed', error, recovery }, notice: null });

    const editing = (fn: (phase: Extract<Phase, { kind: 'source' | 'diskType' | 'save' }>) => Phase | null): void => {
      const phase = get().phase;
      if (!isEditing(phase)) return;
      const nextPhase = fn(phase);
      if (nextPhase) set({ phase: nextPhase, notice: null });
    };

    return {
      phase: { kind: 'welcome' },
      notice: null,

      async openPath(path) {
        if (!canOpen(get().phase)) return;
        const seq = ++inspectSeq;
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

      async openDroppedFile(file) {
        if (!canOpen(get().phase)) return;
        if (!isSourceName(file.name)) {
          set({ notice: { tone: 'warning', text: t('notices.notADisk', { name: file.name }) } });
          return;
        }
        const path = api.pathForFile(file);
        if (!path) {
          set({ notice: { tone: 'warning', text: t('notices.noFile', { name: file.name }) } });
          return;
        }
        await get().openPath(path);
      },

      async chooseFile() {
        if (!canOpen(get().phase)) return;
        const path = await api.pickSource();
        if (path) await get().openPath(path);
      },

      next() {
        editing((phase) => {
          if (phase.kind === 'source') return { kind: 'diskType', setup: phase.setup };
          if (phase.kind === 'diskType') return { kind: 'save', setup: phase.setup };
          return null; // from save, the way on is convert()
        });
      },

      back() {
        const phase = get().phase;
        if (phase.kind === 'source') return set({ phase: { kind: 'welcome' }, notice: null });
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

      async showInFolder() {
        const phase = get().phase;
        if (phase.kind !== 'done') return;
        const target = phase.result.vmx ?? phase.result.output;
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
        if (phase.kind === 'starting' || phase.kind === 'converting') return;
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
    const [first] = paths;
    if (first === undefined) return;
    if (!canOpen(store.getState().phase)) {
      store.setState({ notice: { tone: 'info', text: t('notices.oneAtATime') } });
      return;
    }
    void store.getState().openPath(first);
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
