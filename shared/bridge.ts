// The renderer-facing contract (`window.ferry`), the wire it travels on (Electron IPC, the
// harness's WebSocket, or memory in tests), and the main ↔ worker-thread messages.
import type { CompressionFormat, DiskInfo } from './disk-info';
import type { ErrorInfo } from './errors';
import type { JobEvent, JobRequest, Progress } from './jobs';
import { parseHostEvent, parseInspectionResult, parseNullResult, parseOptionalPath, parseStringResult } from './validate';

/** Every fallible call answers with a value or a typed error; nothing is thrown across a boundary. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (error: ErrorInfo): { ok: false; error: ErrorInfo } => ({ ok: false, error });

export type Unsubscribe = () => void;

/** What inspecting a source answers: the disk, and where its output goes unless the user picks a folder. */
export interface Inspection {
  disk: DiskInfo;
  suggestedDestination: string;
}

/** Progress of the inspection of `path` (unpacking a compressed download before looking inside). */
export type InspectProgress = { path: string } & Progress;

/** The part of a DOM `File` the bridge needs (shared code has no DOM types). */
export interface DroppedFile {
  readonly name: string;
}

/** `window.ferry`: the only way the renderer reaches the disk, the engine or the OS. */
export interface FerryApi {
  inspect(path: string): Promise<Result<Inspection>>;
  /** Progress of the inspection under way, while it has something slow to do (unpacking). */
  onInspectProgress(listener: (progress: InspectProgress) => void): Unsubscribe;
  /** Answers the new job's id; its events then arrive through `onJobEvent`. */
  start(request: JobRequest): Promise<Result<string>>;
  cancel(jobId: string): Promise<Result<null>>;
  onJobEvent(listener: (event: JobEvent) => void): Unsubscribe;
  /** Disks opened from the OS (double-click, "Open with", a second launch). */
  onOpenFiles(listener: (paths: string[]) => void): Unsubscribe;
  /** The path of a dropped file (`webUtils.getPathForFile`); '' when it has none. */
  pathForFile(file: DroppedFile): string;
  /** The OS's open dialog; null when the user closes it. */
  pickSource(): Promise<string | null>;
  pickDestination(): Promise<string | null>;
  showInFolder(path: string): Promise<Result<null>>;
  /** Opens a .vmx this app made with the OS's default handler (VMware Workstation, Player, Fusion). */
  openInVmware(vmxPath: string): Promise<Result<null>>;
}

/**
 * What the host (Electron main, or the test harness) answers. Each takes at most one argument,
 * which the host validates before use. `grantDropped` and `ready` are not on `FerryApi`: the
 * bridge calls them itself from `pathForFile` and the first `onOpenFiles` subscription.
 */
export interface HostMethods {
  inspect(path: string): Promise<Result<Inspection>>;
  start(request: JobRequest): Promise<Result<string>>;
  cancel(jobId: string): Promise<Result<null>>;
  pickSource(): Promise<string | null>;
  pickDestination(): Promise<string | null>;
  showInFolder(path: string): Promise<Result<null>>;
  openInVmware(vmxPath: string): Promise<Result<null>>;
  /** A path the user dropped on the window: allowed as a source from now on. */
  grantDropped(path: string): Promise<null>;
  /** The renderer listens: launch files queued so far may be delivered. */
  ready(): Promise<null>;
}
export type HostMethod = keyof HostMethods;

export const HOST_METHODS = [
  'inspect',
  'start',
  'cancel',
  'pickSource',
  'pickDestination',
  'showInFolder',
  'openInVmware',
  'grantDropped',
  'ready',
] as const satisfies readonly HostMethod[];

/** Pushed from the host to the renderer. */
export interface HostEvents {
  jobEvent: JobEvent;
  openFiles: string[];
  inspectProgress: InspectProgress;
}
export type HostEventName = keyof HostEvents;
export type HostEvent = { [K in HostEventName]: { name: K; payload: HostEvents[K] } }[HostEventName];
export const HOST_EVENTS = ['jobEvent', 'openFiles', 'inspectProgress'] as const satisfies readonly HostEventName[];

/** Electron IPC channel names; every channel the app uses starts with `ferry:`. */
export const invokeChannel = (method: HostMethod): `ferry:${HostMethod}` => `ferry:${method}`;
export const eventChannel = (name: HostEventName): `ferry:event:${HostEventName}` => `ferry:event:${name}`;

/** How a bridge reaches its host: request/answer calls plus pushed events, payloads unvalidated. */
export interface ClientTransport {
  invoke(method: HostMethod, arg?: unknown): Promise<unknown>;
  listen(name: HostEventName, listener: (payload: unknown) => void): Unsubscribe;
}

/**
 * Builds `window.ferry` over any transport. Answers and events are validated here, so a
 * transport bug surfaces as a typed failure rather than as a malformed state in the UI.
 */
export function createFerryApi(transport: ClientTransport, pathOf: (file: DroppedFile) => string): FerryApi {
  let readySent = false;
  const call = async <T>(method: HostMethod, arg: unknown, parse: (v: unknown) => T): Promise<T> => parse(await transport.invoke(method, arg));
  const subscribe = <K extends HostEventName>(name: K, listener: (payload: HostEvents[K]) => void): Unsubscribe =>
    transport.listen(name, (raw) => {
      const event = parseHostEvent({ name, payload: raw });
      if (event) listener(event.payload as HostEvents[K]);
    });

  return {
    inspect: (path) => call('inspect', path, parseInspectionResult),
    onInspectProgress: (listener) => subscribe('inspectProgress', listener),
    start: (request) => call('start', request, parseStringResult),
    cancel: (jobId) => call('cancel', jobId, parseNullResult),
    onJobEvent: (listener) => subscribe('jobEvent', listener),
    onOpenFiles(listener) {
      const off = subscribe('openFiles', listener);
      if (!readySent) {
        readySent = true;
        void transport.invoke('ready');
      }
      return off;
    },
    pathForFile(file) {
      const path = pathOf(file);
      // Same transport, so the grant reaches the host before any inspect that follows.
      if (path) void transport.invoke('grantDropped', path);
      return path;
    },
    pickSource: () => call('pickSource', undefined, parseOptionalPath),
    pickDestination: () => call('pickDestination', undefined, parseOptionalPath),
    showInFolder: (path) => call('showInFolder', path, parseNullResult),
    openInVmware: (vmxPath) => call('openInVmware', vmxPath, parseNullResult),
  };
}

// ── main ↔ worker thread ─────────────────────────────────────────────────────────────────────
// One worker per task: it receives one `inspect` or `run`, then at most one `cancel`, and
// answers with progress (throttled), each path it creates, and exactly one of done / failed /
// cancelled.

/**
 * A compressed source's disk, unpacked by an inspection and kept for the job that follows, so a
 * download is unpacked once (the engine's `KeptCopy`). Main owns the folder it lies in.
 */
export interface UnpackedCopy {
  archive: string;
  archiveSize: number;
  archiveMtimeMs: number;
  file: string;
  nameHint: string;
  layers: CompressionFormat[];
  member?: string;
  size: number;
}

/** What an inspection answers main: the disk, and the unpacked copy it kept (when asked to keep one). */
export interface InspectAnswer {
  disk: DiskInfo;
  unpacked?: UnpackedCopy;
}

export type ToWorker =
  /** `keepUnpackedIn`: keep a compressed source's unpacked disk in a hidden folder there; `reuse`: a copy kept before. */
  | { type: 'inspect'; path: string; keepUnpackedIn?: string; reuse?: UnpackedCopy }
  | { type: 'run'; request: JobRequest; reuse?: UnpackedCopy }
  | { type: 'cancel' };

export type FromWorker<T> =
  | { type: 'progress'; progress: Progress }
  /** A path this task just created (a staging or scratch folder, an output moved into place), before anything is written into it: main removes exactly these if the task does not finish. */
  | { type: 'created'; path: string }
  | { type: 'done'; value: T }
  | { type: 'failed'; error: ErrorInfo }
  | { type: 'cancelled' };

// ── progress as the user sees it ─────────────────────────────────────────────────────────────

/** The phases a job goes through, in order: unpacking a compressed source, converting, verifying. */
export function plannedPhases(opts: { compressed: boolean; verify: boolean }): Progress['phase'][] {
  return [...(opts.compressed ? (['decompressing'] as const) : []), 'converting', ...(opts.verify ? (['verifying'] as const) : [])];
}

/** Each phase's share of the overall bar, by its usual cost relative to the others. */
const PHASE_WEIGHT: Record<Progress['phase'], number> = { decompressing: 1, converting: 2, verifying: 1 };

/** The whole job's completed fraction (0–1) from one phase's progress: one bar that never runs backwards. */
export function overallFraction(p: Pick<Progress, 'phase' | 'done' | 'total'>, plan: readonly Progress['phase'][]): number {
  const phases = plan.includes(p.phase) ? plan : [...plan, p.phase];
  const total = phases.reduce((n, ph) => n + PHASE_WEIGHT[ph], 0);
  const before = phases.slice(0, phases.indexOf(p.phase)).reduce((n, ph) => n + PHASE_WEIGHT[ph], 0);
  const within = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 1;
  return (before + PHASE_WEIGHT[p.phase] * within) / total;
}
