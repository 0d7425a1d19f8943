// The engine side of the fuzz loop, in a worker thread: inspect, then convert, one case at a time.
// A hang made of microtasks would starve any timer in its own thread, so the watchdog lives in
// the parent, which terminates this worker when a case overruns.
import { parentPort } from 'node:worker_threads';
import { FerryError } from '../../worker/engine/errors';
import { inspectDisk } from '../../worker/engine/inspect/inspect';
import { runJob } from '../../worker/engine/jobs/run-job';

export interface FuzzTask {
  id: number;
  source: string;
  output: string;
}

export type Outcome = { ok: true; warnings: number } | { ok: false; ferry: boolean; code: string | undefined; message: string; stack: string | undefined };

export interface FuzzReply {
  id: number;
  inspect: Outcome;
  convert: Outcome;
  /** Peak of this worker's Buffer memory seen after each step, in bytes. */
  arrayBuffers: number;
}

function outcome(err: unknown): Outcome {
  const e = err as { code?: unknown; message?: unknown; stack?: unknown } | undefined;
  return {
    ok: false,
    ferry: err instanceof FerryError,
    code: typeof e?.code === 'string' ? e.code : undefined,
    message: typeof e?.message === 'string' ? e.message : String(err),
    stack: typeof e?.stack === 'string' ? e.stack : undefined,
  };
}

const port = parentPort;
if (port) {
  port.on('message', (task: FuzzTask) => {
    void (async () => {
      let peak = 0;
      const sample = () => (peak = Math.max(peak, process.memoryUsage().arrayBuffers));
      let inspect: Outcome;
      try {
        const info = await inspectDisk(task.source);
        inspect = { ok: true, warnings: info.warnings.length };
      } catch (err) {
        inspect = outcome(err);
      }
      sample();
      let convert: Outcome;
      try {
        const r = await runJob({ kind: 'convert', source: task.source, output: task.output, subformat: 'monolithicSparse', adapter: 'lsilogic', verify: true, overwrite: false });
        convert = { ok: true, warnings: r.warnings.length };
      } catch (err) {
        convert = outcome(err);
      }
      sample();
      const reply: FuzzReply = { id: task.id, inspect, convert, arrayBuffers: peak };
      port.postMessage(reply);
    })();
  });
}
