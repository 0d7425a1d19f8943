// The queue of "convert each one": every disk's job handed to the host in order (JobService runs
// them one at a time), each item's progress and outcome from the job events, cancel of the one
// running or of all that are left, and what a failure does to the rest.
import type { FerryApi } from '../../../shared/api';
import type { ErrorInfo } from '../../../shared/errors';
import type { JobEvent } from '../../../shared/jobs';
import type { Setup } from './choices';
import { currentItem, isFinished, queueItems, type QueueItem } from './many';
import type { Phase } from './phase';

type QueuePhase = Extract<Phase, { kind: 'queue' }>;

export interface QueueActions {
  start(setup: Setup): Promise<void>;
  cancelCurrent(): Promise<void>;
  cancelAll(): Promise<void>;
  setContinueAfterFailure(on: boolean): void;
  /** A job event while the queue runs; false when it is not the queue's. */
  onJobEvent(event: JobEvent): boolean;
}

export function createQueueActions(
  api: FerryApi,
  get: () => Phase,
  set: (phase: Phase) => void,
  bridgeError: (err: unknown) => ErrorInfo,
): QueueActions {
  // Events of a job whose id `start` has not answered yet (the first job starts at once).
  let early: JobEvent[] = [];

  const queue = (): QueuePhase | null => {
    const phase = get();
    return phase.kind === 'queue' ? phase : null;
  };

  /** Changes item `i`, then ends the queue once nothing is left to run. */
  const patch = (i: number, change: Partial<QueueItem>): void => {
    const q = queue();
    if (!q) return;
    const items = q.items.map((item, j) => (j === i ? { ...item, ...change } : item));
    settle({ ...q, items });
  };

  const settle = (q: QueuePhase): void => {
    if (!q.starting && q.items.every(isFinished)) set({ kind: 'queueDone', setup: q.setup, items: q.items });
    else set(q);
  };

  const cancelRest = async (): Promise<void> => {
    const q = queue();
    if (!q) return;
    // Items not handed to the host yet are simply not started; the others are cancelled there.
    const items = q.items.map((item) => (!isFinished(item) && item.jobId === null ? { ...item, state: 'cancelled' as const } : item));
    settle({ ...q, items, stopping: true });
    for (const item of items) if (!isFinished(item) && item.jobId) await api.cancel(item.jobId).catch(() => undefined);
  };

  const apply = (event: JobEvent): boolean => {
    const q = queue();
    if (!q) return false;
    const i = q.items.findIndex((item) => item.jobId === event.jobId);
    if (i < 0) {
      if (!q.starting) return false;
      early.push(event);
      return true;
    }
    const item = q.items[i]!;
    switch (event.type) {
      case 'progress': {
        const { type: _type, jobId: _jobId, ...progress } = event;
        patch(i, { state: 'running', progress, unpacks: item.unpacks || progress.phase === 'decompressing' });
        break;
      }
      case 'done':
        patch(i, { state: 'done', result: event.result });
        break;
      case 'failed':
        patch(i, { state: 'failed', error: event.error });
        if (!q.continueAfterFailure) void cancelRest();
        break;
      case 'cancelled':
        patch(i, { state: 'cancelled' });
        break;
    }
    return true;
  };

  return {
    async start(setup) {
      if (!setup.many) return;
      early = [];
      const items = queueItems(setup, setup.many);
      set({ kind: 'queue', setup, items, continueAfterFailure: true, starting: true, stopping: false });
      for (const [i, item] of items.entries()) {
        const now = queue();
        if (!now) return;
        if (!item.request || isFinished(now.items[i]!)) continue;
        let answer;
        try {
          answer = await api.start(item.request);
        } catch (err) {
          answer = { ok: false as const, error: bridgeError(err) };
        }
        if (!answer.ok) {
          patch(i, { state: 'failed', error: answer.error });
          if (queue() && !queue()!.continueAfterFailure) await cancelRest();
          continue;
        }
        const jobId = answer.value;
        patch(i, { jobId });
        // Cancelled while its start was on its way: the host has it now.
        if (queue()?.stopping || queue()?.items[i]?.state === 'cancelled') await api.cancel(jobId).catch(() => undefined);
        const pending = early.filter((e) => e.jobId === jobId);
        early = early.filter((e) => e.jobId !== jobId);
        for (const event of pending) apply(event);
      }
      const q = queue();
      if (q) settle({ ...q, starting: false });
    },

    async cancelCurrent() {
      const q = queue();
      if (!q) return;
      const i = currentItem(q.items);
      const item = q.items[i];
      if (!item) return;
      if (item.jobId) await api.cancel(item.jobId).catch(() => undefined);
      else patch(i, { state: 'cancelled' });
    },

    cancelAll: cancelRest,

    setContinueAfterFailure(on) {
      const q = queue();
      if (q) set({ ...q, continueAfterFailure: on });
    },

    onJobEvent: apply,
  };
}
