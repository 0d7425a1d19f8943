// JobService: runs inspections and conversions on worker threads, tags their events with a job
// id, cancels politely then firmly, and cleans up after workers that could not. One job runs at
// a time (two would fight over the disk and the destination); later ones wait in order. No
// Electron here.
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { Result, Unsubscribe } from '../shared/result';
import type { FromWorker, InspectAnswer, ToWorker, UnpackedCopy } from '../shared/worker-protocol';
import type { ErrorInfo } from '../shared/errors';
import type { JobEvent, JobRequest, JobResult, Progress } from '../shared/jobs';
import { parseInspectAnswer, parseRunAnswer, parseSurveyAnswer } from '../shared/worker-protocol';
import type { MachineSurvey } from '../shared/disk-info';
import { removeCreated } from './leftovers';

/** The part of `worker_threads.Worker` JobService uses (a fake in some tests). */
export interface WorkerLike {
  postMessage(message: ToWorker): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  terminate(): Promise<number>;
}
export type WorkerFactory = () => WorkerLike;

export interface JobServiceOptions {
  createWorker: WorkerFactory;
  /** How long a worker may take to honour a cancel before it is terminated. */
  cancelGraceMs?: number;
  newId?: () => string;
}

type Final<T> = Exclude<FromWorker<T>, { type: 'progress' | 'created' }>;

export interface InspectOptions {
  /** Keep a compressed source's unpacked disk in a hidden folder here, for the job that follows. */
  keepUnpackedIn?: string;
  /** A copy kept by an earlier inspection of the same source, to read instead of unpacking. */
  reuse?: UnpackedCopy;
  onProgress?: (progress: Progress) => void;
  /** Cancels the inspection (a newer one supersedes it). */
  signal?: AbortSignal;
}

export interface StartOptions {
  /** The copy an inspection kept of this compressed source: the job reads it instead of unpacking. */
  reuse?: UnpackedCopy;
}

/** One worker running one task; reports progress and exactly one final answer, however it ends. */
class Task<T> {
  /** Every path the worker said it created, for the cleanup after a task that did not finish. */
  readonly created: string[] = [];
  private settled = false;
  private cancelRequested = false;
  private watchdog: NodeJS.Timeout | undefined;
  readonly ended: Promise<Final<T>>;

  constructor(
    private readonly worker: WorkerLike,
    message: ToWorker,
    parse: (v: unknown) => FromWorker<T>,
    onProgress: (p: Extract<FromWorker<T>, { type: 'progress' }>) => void,
    private readonly graceMs: number,
  ) {
    this.ended = new Promise((resolve) => {
      const settle = (final: Final<T>): void => {
        if (this.settled) return;
        this.settled = true;
        clearTimeout(this.watchdog);
        // The worker has nothing left to do; its exit is not a crash.
        void worker.terminate().catch(() => undefined).then(() => resolve(final));
      };
      worker.on('message', (raw) => {
        if (this.settled) return;
        let message: FromWorker<T>;
        try {
          message = parse(raw);
        } catch (err) {
          settle({ type: 'failed', error: internal(`the worker sent a malformed message (${(err as Error).message})`) });
          return;
        }
        if (message.type === 'progress') onProgress(message);
        else if (message.type === 'created') this.created.push(message.path);
        else settle(message);
      });
      worker.on('error', (err) => settle({ type: 'failed', error: internal(`the worker crashed: ${err.message}`) }));
      worker.on('exit', (code) =>
        settle(this.cancelRequested ? { type: 'cancelled' } : { type: 'failed', error: internal(`the worker stopped unexpectedly (exit code ${code})`) }),
      );
    });
    worker.postMessage(message);
  }

  cancel(): void {
    if (this.settled || this.cancelRequested) return;
    this.cancelRequested = true;
    this.worker.postMessage({ type: 'cancel' });
    this.watchdog = setTimeout(() => void this.worker.terminate(), this.graceMs);
  }
}

/** An unpacked copy is main's to remove later only if this inspection created its folder (or main handed it in). */
function keptOnlyIfCreated(answer: InspectAnswer, created: readonly string[], reused: UnpackedCopy | undefined): InspectAnswer {
  const copy = answer.unpacked;
  if (!copy || created.includes(dirname(resolve(copy.file))) || (reused && resolve(reused.file) === resolve(copy.file))) return answer;
  const { unpacked: _notOurs, ...rest } = answer;
  return rest;
}

function internal(what: string): ErrorInfo {
  return { code: 'E_INTERNAL', message: `Internal error: ${what}.`, hint: 'This is a bug in Ferry; please report it with the disk\'s `ferry inspect` output.' };
}

/** A job from `start` until its final event: waiting its turn, then running. */
interface Job {
  request: JobRequest;
  opts: StartOptions;
  /** Set once it runs. */
  task: Task<JobResult> | null;
  cancelRequested: boolean;
  finished: Promise<void>;
  markFinished(): void;
}

export class JobService {
  private readonly createWorker: WorkerFactory;
  private readonly graceMs: number;
  private readonly newId: () => string;
  /** Every job not ended yet, running or waiting. */
  private readonly jobs = new Map<string, Job>();
  /** Ids of the jobs waiting to run, oldest first. */
  private readonly waiting: string[] = [];
  private runningId: string | null = null;
  private readonly inspections = new Set<Task<InspectAnswer>>();
  private readonly surveys = new Set<Task<MachineSurvey>>();
  private readonly listeners = new Set<(event: JobEvent) => void>();

  constructor(opts: JobServiceOptions) {
    this.createWorker = opts.createWorker;
    this.graceMs = opts.cancelGraceMs ?? 5000;
    this.newId = opts.newId ?? randomUUID;
  }

  onEvent(listener: (event: JobEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Jobs started and not ended yet: the one running and those waiting their turn. */
  get running(): number {
    return this.jobs.size;
  }

  async inspect(path: string, opts: InspectOptions = {}): Promise<Result<InspectAnswer>> {
    const message: ToWorker = {
      type: 'inspect',
      path,
      ...(opts.keepUnpackedIn !== undefined ? { keepUnpackedIn: opts.keepUnpackedIn } : {}),
      ...(opts.reuse ? { reuse: opts.reuse } : {}),
    };
    const task = new Task<InspectAnswer>(this.createWorker(), message, parseInspectAnswer, ({ progress }) => opts.onProgress?.(progress), this.graceMs);
    this.inspections.add(task);
    const stop = (): void => task.cancel();
    if (opts.signal?.aborted) stop();
    opts.signal?.addEventListener('abort', stop, { once: true });
    const final = await task.ended;
    opts.signal?.removeEventListener('abort', stop);
    if (final.type !== 'done') await removeCreated(task.created);
    this.inspections.delete(task);
    if (final.type === 'done') return { ok: true, value: keptOnlyIfCreated(final.value, task.created, opts.reuse) };
    if (final.type === 'failed') return { ok: false, error: final.error };
    return { ok: false, error: { code: 'E_CANCELLED', message: 'Cancelled.' } };
  }

  /** Reads a machine configuration for the wizard (its disks and where they were found); disks outside its folder only with `allowOutsideDisks`. */
  async surveyMachine(path: string, allowOutsideDisks: boolean): Promise<Result<MachineSurvey>> {
    const task = new Task<MachineSurvey>(this.createWorker(), { type: 'survey', path, allowOutsideDisks }, parseSurveyAnswer, () => undefined, this.graceMs);
    this.surveys.add(task);
    const final = await task.ended;
    this.surveys.delete(task);
    if (final.type === 'done') return { ok: true, value: final.value };
    if (final.type === 'failed') return { ok: false, error: final.error };
    return { ok: false, error: { code: 'E_CANCELLED', message: 'Cancelled.' } };
  }

  /**
   * Starts a job, or queues it behind the one running; answers its id either way. Its events
   * follow through `onEvent` once it runs, the final one after any cleanup.
   */
  async start(request: JobRequest, opts: StartOptions = {}): Promise<string> {
    const id = this.newId();
    let markFinished!: () => void;
    const finished = new Promise<void>((resolve) => (markFinished = resolve));
    const job: Job = { request, opts, task: null, cancelRequested: false, finished, markFinished };
    this.jobs.set(id, job);
    if (this.runningId === null) await this.run(id, job, { queued: false });
    else this.waiting.push(id);
    return id;
  }

  /** Runs the job now. A worker that cannot be made fails a queued job, and rejects `start` for one that never waited. */
  private async run(id: string, job: Job, { queued }: { queued: boolean }): Promise<void> {
    this.runningId = id;
    if (job.cancelRequested) return this.end(id, { type: 'cancelled' });
    let task: Task<JobResult>;
    try {
      task = new Task<JobResult>(
        this.createWorker(),
        { type: 'run', request: job.request, ...(job.opts.reuse ? { reuse: job.opts.reuse } : {}) },
        parseRunAnswer,
        ({ progress }) => this.emit({ type: 'progress', jobId: id, ...progress }),
        this.graceMs,
      );
    } catch (err) {
      if (queued) return this.end(id, { type: 'failed', error: internal(`the worker could not start: ${(err as Error).message}`) });
      this.jobs.delete(id);
      job.markFinished();
      this.runNext(id);
      throw err;
    }
    job.task = task;
    void task.ended.then(async (final) => {
      if (final.type !== 'done') await removeCreated(task.created);
      this.end(id, final);
    });
  }

  /** The job's final event, then the next waiting job's turn. */
  private end(id: string, final: Final<JobResult>): void {
    const job = this.jobs.get(id);
    this.jobs.delete(id);
    if (final.type === 'done') this.emit({ type: 'done', jobId: id, result: final.value });
    else if (final.type === 'failed') this.emit({ type: 'failed', jobId: id, error: final.error });
    else this.emit({ type: 'cancelled', jobId: id });
    job?.markFinished();
    this.runNext(id);
  }

  /** `endedId` has stopped: if it was the running job, the oldest waiting one runs. */
  private runNext(endedId: string): void {
    if (this.runningId !== endedId) return;
    this.runningId = null;
    const nextId = this.waiting.shift();
    const next = nextId === undefined ? undefined : this.jobs.get(nextId);
    if (nextId !== undefined && next) void this.run(nextId, next, { queued: true });
  }

  /** Asks a running job to stop, or takes a waiting one off the queue; false when there is no such job (any more). */
  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job) return false;
    const queued = this.waiting.indexOf(jobId);
    if (queued >= 0) {
      this.waiting.splice(queued, 1);
      this.end(jobId, { type: 'cancelled' });
      return true;
    }
    job.cancelRequested = true;
    job.task?.cancel();
    return true;
  }

  /** Cancels every job and inspection; resolves when all have ended (before the app quits). */
  async cancelAll(): Promise<void> {
    const jobs = [...this.jobs.values()];
    const inspections = [...this.inspections, ...this.surveys];
    // The waiting ones first, so that none starts when the running one ends.
    for (const id of [...this.waiting]) this.cancel(id);
    for (const id of [...this.jobs.keys()]) this.cancel(id);
    for (const task of inspections) task.cancel();
    await Promise.all([...jobs.map((j) => j.finished), ...inspections.map((t) => t.ended)]);
  }

  private emit(event: JobEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
