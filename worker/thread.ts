// The worker_threads entry JobService spawns: one task per worker (inspect a disk or run a
// job), progress out at a bounded rate, cancel in, exactly one final answer.
import { parentPort } from 'node:worker_threads';
import type { FromWorker, InspectAnswer, ToWorker } from '../shared/worker-protocol';
import type { Progress } from '../shared/jobs';
import { parseToWorker } from '../shared/worker-protocol';
import { toErrorInfo } from './engine/errors';
import { inspectDisk } from './engine/inspect/inspect';
import { inspectMachine } from './engine/machines/inspect-machine';
import { isMachinePath } from './engine/machines/load';
import { surveyMachine } from './engine/machines/survey-machine';
import { onCreated } from './engine/output/created';
import { runJob } from './engine/jobs/run-job';
import type { ProgressListener } from './engine/progress';
import { offerKeptCopy, type KeptCopy } from './engine/sources/compressed/kept-copy';

/** The part of a MessagePort this module uses (a MessageChannel port in tests). */
export interface TaskPort {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  postMessage(message: FromWorker<unknown>): void;
}

/**
 * Passes on the first update of a phase, the last one (done = total), and otherwise at most
 * one every `intervalMs`; main and the renderer never see more than ~10 updates a second.
 */
export function throttleProgress(send: (p: Progress) => void, intervalMs = 100, now: () => number = () => performance.now()): (p: Progress) => void {
  let lastPhase: Progress['phase'] | undefined;
  let lastSent = -Infinity;
  return (p) => {
    const t = now();
    if (p.phase !== lastPhase || p.done >= p.total || t - lastSent >= intervalMs) {
      lastPhase = p.phase;
      lastSent = t;
      send(p);
    }
  };
}

/** Serves one task on `port`. Resolves after the final answer has been posted. */
export function serveTask(port: TaskPort): Promise<void> {
  const abort = new AbortController();
  let started = false;
  return new Promise((resolveServed) => {
    let answered = false;
    const answer = (message: FromWorker<unknown>): void => {
      if (answered) return;
      answered = true;
      port.postMessage(message); // main terminates the worker once it has this
      resolveServed();
    };
    const execute = async (task: Exclude<ToWorker, { type: 'cancel' }>): Promise<void> => {
      const onProgress = throttleProgress((progress) => {
        if (!answered) port.postMessage({ type: 'progress', progress });
      });
      // Main removes exactly these paths if this task ends without finishing (a crash, a terminate).
      onCreated((path) => {
        if (!answered) port.postMessage({ type: 'created', path });
      });
      try {
        // A copy an earlier inspection kept: the unpack of this task's compressed source reads it instead.
        if (task.type !== 'survey' && task.reuse) offerKeptCopy(task.reuse);
        const value =
          task.type === 'inspect'
            ? await inspect(task, abort.signal, onProgress)
            : task.type === 'survey'
              ? await surveyMachine(task.path, { allowOutsideDisks: task.allowOutsideDisks })
              : await runJob(task.request, { signal: abort.signal, onProgress });
        answer({ type: 'done', value });
      } catch (err) {
        const error = toErrorInfo(err);
        answer(error.code === 'E_CANCELLED' ? { type: 'cancelled' } : { type: 'failed', error });
      }
    };
    port.on('message', (raw) => {
      let message: ToWorker;
      try {
        message = parseToWorker(raw);
      } catch (err) {
        answer({ type: 'failed', error: { code: 'E_INTERNAL', message: `Internal error: bad message to the worker (${(err as Error).message}).` } });
        return;
      }
      if (message.type === 'cancel') {
        if (!started) answer({ type: 'cancelled' });
        else abort.abort();
        return;
      }
      if (started) return; // one task per worker
      started = true;
      void execute(message);
    });
  });
}

/** Inspects a disk; a compressed one is unpacked first (with progress, cancellable), and kept if main asked. */
async function inspect(task: Extract<ToWorker, { type: 'inspect' }>, signal: AbortSignal, onProgress: ProgressListener): Promise<InspectAnswer> {
  const kept: { copy?: KeptCopy } = {};
  const keep = task.keepUnpackedIn !== undefined ? { dir: task.keepUnpackedIn, keep: (copy: KeptCopy) => void (kept.copy = copy) } : {};
  // A machine configuration (or its folder) shows its boot disk, with the machine beside it.
  const opts = { unpack: { signal, onProgress, ...keep } };
  const disk = (await isMachinePath(task.path)) ? await inspectMachine(task.path, opts) : await inspectDisk(task.path, opts);
  return kept.copy ? { disk, unpacked: kept.copy } : { disk };
}

if (parentPort) void serveTask(parentPort as unknown as TaskPort);
