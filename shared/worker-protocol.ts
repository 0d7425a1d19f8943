// Main ↔ worker thread. One worker per task: it receives one `inspect` or `run`, then at most one
// `cancel`, and answers with progress (throttled), each path it creates, and exactly one of
// done / failed / cancelled.
import { COMPRESSION_FORMATS, type CompressionFormat, type DiskInfo, type MachineSurvey } from './disk-info';
import type { ErrorInfo } from './errors';
import type { JobRequest, JobResult, Progress } from './jobs';
import { answer, bool, count, finite, list, literal, oneOf, record, run, tagged, text, type Check } from './checks';
import { LIMITS } from './limits';
import { absolutePath, diskInfo, errorInfo, jobRequest, jobResult, machineSurvey, progress } from './validate';

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
  /** A machine configuration for the wizard: every disk and where it was found; disks outside its folder are read only with `allowOutsideDisks`. */
  | { type: 'survey'; path: string; allowOutsideDisks: boolean }
  | { type: 'cancel' };

export type FromWorker<T> =
  | { type: 'progress'; progress: Progress }
  /** A path this task just created (a staging or scratch folder, an output moved into place), before anything is written into it: main removes exactly these if the task does not finish. */
  | { type: 'created'; path: string }
  | { type: 'done'; value: T }
  | { type: 'failed'; error: ErrorInfo }
  | { type: 'cancelled' };

/** Strict when main hands it to a worker, lenient when a worker reports it (as for every answer). */
const unpackedCopy = (extra: 'refuse' | 'drop'): Check<UnpackedCopy> =>
  record(
    {
      archive: absolutePath,
      archiveSize: count,
      archiveMtimeMs: finite,
      file: absolutePath,
      nameHint: text({ min: 1, max: LIMITS.member }),
      layers: list(oneOf(COMPRESSION_FORMATS), 16),
      size: count,
    },
    { member: text({ max: LIMITS.member }) },
    extra,
  );

const toWorker: Check<ToWorker> = tagged('type', {
  inspect: record({ type: literal('inspect'), path: absolutePath }, { keepUnpackedIn: absolutePath, reuse: unpackedCopy('refuse') }),
  run: record({ type: literal('run'), request: jobRequest }, { reuse: unpackedCopy('refuse') }),
  survey: record({ type: literal('survey'), path: absolutePath, allowOutsideDisks: bool }),
  cancel: record({ type: literal('cancel') }),
});
export const parseToWorker = (v: unknown): ToWorker => run(toWorker, v, 'message');

function fromWorker<T>(value: Check<T>) {
  return tagged('type', {
    progress: answer({ type: literal('progress'), progress }),
    created: answer({ type: literal('created'), path: absolutePath }),
    done: answer({ type: literal('done'), value }),
    failed: answer({ type: literal('failed'), error: errorInfo }),
    cancelled: answer({ type: literal('cancelled') }),
  });
}
const inspectAnswer: Check<InspectAnswer> = answer({ disk: diskInfo }, { unpacked: unpackedCopy('drop') });
export const parseInspectAnswer = (v: unknown): FromWorker<InspectAnswer> => run(fromWorker(inspectAnswer), v, 'message');
export const parseRunAnswer = (v: unknown): FromWorker<JobResult> => run(fromWorker(jobResult), v, 'message');
export const parseSurveyAnswer = (v: unknown): FromWorker<MachineSurvey> => run(fromWorker(machineSurvey), v, 'message');
