// The renderer ↔ host wire, described once: each host method with the check of its argument and
// of its answer, and each pushed event with the check of its payload. The channel list, main's
// handlers (electron/handlers.ts), the harness and the client's parsers (client.ts) all derive
// from these tables, so a new method is one entry here plus its implementation in the host.
import type { InspectProgress, Inspection, MachineInspection, MachineRequest } from './api';
import { answer, bool, list, literal, nullable, oneOf, PayloadError, record, run, text, count, finite, type Check, type Checked } from './checks';
import { PHASES } from './jobs';
import { LANGUAGE_CODES } from './i18n/languages';
import { LIMITS } from './limits';
import type { Result, Unsubscribe } from './result';
import { absolutePath, diskInfo, jobEvent, jobId, jobRequest, machineInfo, result } from './validate';

/** No argument: undefined, or null as some transports send it. */
const none: Check<undefined> = (v, at) => {
  if (v !== undefined && v !== null) throw new PayloadError(at, 'expected none');
  return undefined;
};

/**
 * `failsAsResult`: the method answers a `Result`, so a malformed argument is answered as a typed
 * failure like any other; the others reject the call.
 */
interface MethodSpec<A, R> {
  /** What a malformed argument is called in the refusal. */
  argName: string;
  arg: Check<A>;
  answer: Check<R>;
  failsAsResult: R extends Result<unknown> ? true : false;
}
const returning = <A, T>(argName: string, arg: Check<A>, value: Check<T>): MethodSpec<A, Result<T>> => ({ argName, arg, answer: result(value), failsAsResult: true });
const plain = <A, R>(argName: string, arg: Check<A>, answerCheck: Check<R>): MethodSpec<A, R> => ({
  argName,
  arg,
  answer: answerCheck,
  failsAsResult: false as MethodSpec<A, R>['failsAsResult'],
});

const inspection: Check<Inspection> = answer({ disk: diskInfo, suggestedDestination: absolutePath });
const machineRequest: Check<MachineRequest> = record({ path: absolutePath, allowOutsideDisks: bool });
const machineInspection: Check<MachineInspection> = answer({ machine: machineInfo, suggestedDestination: absolutePath }, { disk: diskInfo });
const inspectProgress: Check<InspectProgress> = answer({ path: absolutePath, phase: oneOf(PHASES), done: count, total: count, rate: finite });

export const HOST_CONTRACT = {
  inspect: returning('path', absolutePath, inspection),
  /** A machine configuration: every disk and where it was found; disks outside its folder are read only once the user confirmed them. */
  inspectMachine: returning('request', machineRequest, machineInspection),
  start: returning('request', jobRequest, text({ max: 4096 })),
  cancel: returning('jobId', jobId, literal(null)),
  pickSource: plain('argument', none, nullable(absolutePath)),
  /** The open dialog choosing several files at once; an empty list when the user closes it. */
  pickSources: plain('argument', none, list(absolutePath, LIMITS.sources)),
  pickDestination: plain('argument', none, nullable(absolutePath)),
  showInFolder: returning('path', absolutePath, literal(null)),
  openInVmware: returning('path', absolutePath, literal(null)),
  /** A path the user dropped on the window: allowed as a source from now on (called by the client from `pathForFile`). */
  grantDropped: plain('path', absolutePath, literal(null)),
  /** The renderer listens: launch files queued so far may be delivered (called by the client on the first `onOpenFiles`). */
  ready: plain('argument', none, literal(null)),
  /** The language the page speaks (its own choice, or the system's): main's menu and dialogs follow it. */
  useLanguage: plain('language', oneOf(LANGUAGE_CODES), literal(null)),
};

type Contract = typeof HOST_CONTRACT;
export type HostMethod = keyof Contract;
type ArgOf<M extends HostMethod> = Checked<Contract[M]['arg']>;
type AnswerOf<M extends HostMethod> = Checked<Contract[M]['answer']>;

/** What the host (Electron main, or the test harness) implements; each takes at most one argument, validated first. */
export type HostMethods = {
  [M in HostMethod]: ArgOf<M> extends undefined ? () => Promise<AnswerOf<M>> : (arg: ArgOf<M>) => Promise<AnswerOf<M>>;
};

export const HOST_METHODS = Object.keys(HOST_CONTRACT) as HostMethod[];

/** Checks a host's answer to `method` against the contract (throws a PayloadError). */
export function parseAnswer<M extends HostMethod>(method: M, v: unknown): AnswerOf<M> {
  return run(HOST_CONTRACT[method].answer as Check<AnswerOf<M>>, v, 'answer');
}

/** Pushed from the host to the renderer. */
export const HOST_EVENT_CONTRACT = {
  jobEvent,
  /** Launch files: as many as a file manager hands over ("Open with Ferry" on a whole selection). */
  openFiles: list(absolutePath, LIMITS.files),
  inspectProgress,
  /** A language picked in main's Language menu: the page applies and remembers it, then says `useLanguage`. */
  chooseLanguage: oneOf(LANGUAGE_CODES),
};
export type HostEvents = { [K in keyof typeof HOST_EVENT_CONTRACT]: Checked<(typeof HOST_EVENT_CONTRACT)[K]> };
export type HostEventName = keyof HostEvents;
export type HostEvent = { [K in HostEventName]: { name: K; payload: HostEvents[K] } }[HostEventName];
export const HOST_EVENTS = Object.keys(HOST_EVENT_CONTRACT) as HostEventName[];

/** A pushed event, or null when it does not match its channel (dropped rather than thrown into the UI). */
export function parseHostEvent(v: { name: string; payload: unknown }): HostEvent | null {
  if (!Object.hasOwn(HOST_EVENT_CONTRACT, v.name)) return null;
  const name = v.name as HostEventName;
  try {
    return { name, payload: run(HOST_EVENT_CONTRACT[name] as Check<HostEvents[typeof name]>, v.payload, name) } as HostEvent;
  } catch {
    return null;
  }
}

/** Electron IPC channel names; every channel the app uses starts with `ferry:`. */
export const invokeChannel = (method: HostMethod): `ferry:${HostMethod}` => `ferry:${method}`;
export const eventChannel = (name: HostEventName): `ferry:event:${HostEventName}` => `ferry:event:${name}`;

/** How a bridge reaches its host: request/answer calls plus pushed events, payloads unvalidated. */
export interface ClientTransport {
  invoke(method: HostMethod, arg?: unknown): Promise<unknown>;
  listen(name: HostEventName, listener: (payload: unknown) => void): Unsubscribe;
}
