// Runtime checks for every payload that crosses a boundary (renderer ↔ host, main ↔ worker).
// Each parser's declared return type is the shared type it guards, so the compiler ties the two.
import type { FromWorker, HostEvent, InspectAnswer, InspectProgress, Inspection, Result, ToWorker, UnpackedCopy } from './bridge';
import { COMPRESSION_FORMATS, type CompressionInfo, type DiskInfo, type GuestGuess, type ParentLink, type PartitionEntry, type PartitionTable } from './disk-info';
import { ERROR_CODES, type ErrorInfo } from './errors';
import { PHASES, type ConvertRequest, type JobEvent, type JobRequest, type JobResult, type OvaRequest, type Progress, type VmRequest, type VmSummary } from './jobs';
import { ADAPTERS, CONTROLLERS, FIRMWARES, SUBFORMATS, VHD_SIZE_RULES, VM_SUBFORMATS, isOneOf } from './options';

/** A payload that is not what the contract says, with where in it the problem is. */
export class PayloadError extends Error {
  constructor(
    readonly at: string,
    what: string,
  ) {
    super(`${at}: ${what}`);
    this.name = 'PayloadError';
  }
}

type Check<T> = (v: unknown, at: string) => T;
type Checked<C> = C extends Check<infer T> ? T : never;
type Shape = Record<string, Check<unknown>>;

const MAX_TEXT = 64 * 1024;

/**
 * Bounds held against what real tools write (each a count of UTF-16 code units, as JavaScript
 * measures strings). Where a value taken from a file can legitimately be longer, the engine cuts
 * it with `fitText` before it crosses a boundary, so a validator never refuses a real disk.
 */
export const LIMITS = {
  /** Windows' long-path maximum (32767 UTF-16 units, `\\?\` paths); Linux's PATH_MAX (4096 bytes) and macOS's (1024) are shorter. */
  path: 32_767,
  /** A VHDX creator: 256 UTF-16 characters in the file type identifier ("Microsoft Windows 10.0.18363.0"). A VHD's is 4 bytes. */
  creator: 256,
  /**
   * An error's message or hint. It names files (paths up to `path`) and values read from the disk
   * (a parent locator, up to 64 KiB): the engine cuts longer ones in the middle.
   */
  message: 64 * 1024,
  /** One warning: a path, a parent's path and a value read from the disk (each bounded above) fit. */
  warning: 256 * 1024,
  /** Warnings per disk: a few per layer of a chain of up to 256 disks. */
  warnings: 10_000,
  /**
   * An archive member's name: zip allows 65535 bytes, pax and GNU long names are unbounded; the
   * engine keeps the last `member` units (the base name and its extension) of a longer one.
   */
  member: 32_767,
  /** Files a job makes: a 64 TiB disk in 2047 MiB extents is 32769 files, with the VM's own beside it. */
  files: 100_000,
  /** A partition's file system and its label: btrfs labels are 256 bytes, NTFS 32 UTF-16 units, ext 16 bytes, FAT 11. */
  filesystem: 512,
  /** Guest evidence: one line per partition type or labelled file system of up to 1024 GPT entries, each listing partition numbers. */
  evidenceItems: 4096,
} as const;

/**
 * `s` if it fits in `max` UTF-16 units; otherwise its head and tail around an ellipsis, `max`
 * units long (or its last `max - 1` units after the ellipsis with `keep: 'tail'`), a unit less
 * where the cut would split a surrogate pair.
 * Deterministic, so the CLI and the app show the same cut text.
 */
export function fitText(s: string, max: number, keep: 'middle' | 'tail' = 'middle'): string {
  if (s.length <= max) return s;
  // Never split a surrogate pair: a cut that lands inside one moves past it (one unit shorter).
  const tailFrom = (at: number) => (/[\udc00-\udfff]/.test(s[at] ?? '') ? at + 1 : at);
  if (keep === 'tail') return `…${s.slice(tailFrom(s.length - (max - 1)))}`;
  let head = Math.ceil((max - 1) / 2);
  if (/[\ud800-\udbff]/.test(s[head - 1] ?? '')) head -= 1;
  return `${s.slice(0, head)}…${s.slice(tailFrom(s.length - (max - 1 - Math.ceil((max - 1) / 2))))}`;
}

function text(opts: { min?: number; max?: number; pattern?: RegExp } = {}): Check<string> {
  const { min = 0, max = MAX_TEXT, pattern } = opts;
  return (v, at) => {
    if (typeof v !== 'string') throw new PayloadError(at, 'expected a string');
    if (v.length < min || v.length > max) throw new PayloadError(at, `expected ${min}–${max} characters`);
    if (pattern && !pattern.test(v)) throw new PayloadError(at, 'has characters that are not allowed');
    return v;
  };
}

const finite: Check<number> = (v, at) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new PayloadError(at, 'expected a number');
  return v;
};

function integer(min: number, max: number): Check<number> {
  return (v, at) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      throw new PayloadError(at, `expected a whole number from ${min} to ${max}`);
    }
    return v;
  };
}

const count = integer(0, Number.MAX_SAFE_INTEGER);

const bool: Check<boolean> = (v, at) => {
  if (typeof v !== 'boolean') throw new PayloadError(at, 'expected true or false');
  return v;
};

function oneOf<T extends string>(list: readonly T[]): Check<T> {
  return (v, at) => {
    if (!isOneOf(list, v)) throw new PayloadError(at, `expected one of ${list.join(', ')}`);
    return v;
  };
}

function literal<T extends string | boolean | null>(value: T): Check<T> {
  return (v, at) => {
    if (v !== value) throw new PayloadError(at, `expected ${JSON.stringify(value)}`);
    return value;
  };
}

function list<T>(item: Check<T>, max = 100_000): Check<T[]> {
  return (v, at) => {
    if (!Array.isArray(v)) throw new PayloadError(at, 'expected a list');
    if (v.length > max) throw new PayloadError(at, `expected at most ${max} items`);
    return v.map((x, i) => item(x, `${at}[${i}]`));
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * An object with these keys (optional ones may be missing or undefined). Other keys are refused
 * in what the renderer sends (`refuse`), and dropped from what the host and worker answer
 * (`drop`), so a field the engine adds later cannot break the app before this file learns it.
 */
function record<R extends Shape, O extends Shape = Record<never, never>>(
  required: R,
  optional?: O,
  extra: 'refuse' | 'drop' = 'refuse',
): Check<{ [K in keyof R]: Checked<R[K]> } & { [K in keyof O]?: Checked<O[K]> }> {
  return (v, at) => {
    if (!isPlainObject(v)) throw new PayloadError(at, 'expected an object');
    const out: Record<string, unknown> = {};
    if (extra === 'refuse') {
      for (const key of Object.keys(v)) {
        if (!Object.hasOwn(required, key) && !(optional && Object.hasOwn(optional, key))) throw new PayloadError(`${at}.${key}`, 'is not expected here');
      }
    }
    for (const [key, check] of Object.entries(required)) out[key] = check(v[key], `${at}.${key}`);
    for (const [key, check] of Object.entries(optional ?? {})) {
      if (v[key] !== undefined) out[key] = check(v[key], `${at}.${key}`);
    }
    return out as { [K in keyof R]: Checked<R[K]> } & { [K in keyof O]?: Checked<O[K]> };
  };
}

/** A record in an answer (host or worker to us): unknown keys are dropped, not refused. */
function answer<R extends Shape, O extends Shape = Record<never, never>>(required: R, optional?: O) {
  return record(required, optional, 'drop');
}

/** A union discriminated by `key`, one record per tag. */
function tagged<K extends string, M extends Record<string, Check<unknown>>>(key: K, variants: M): Check<Checked<M[keyof M]>> {
  return (v, at) => {
    if (!isPlainObject(v)) throw new PayloadError(at, 'expected an object');
    const tag = v[key];
    if (typeof tag !== 'string' || !Object.hasOwn(variants, tag)) {
      throw new PayloadError(`${at}.${key}`, `expected one of ${Object.keys(variants).join(', ')}`);
    }
    return variants[tag]!(v, at) as Checked<M[keyof M]>;
  };
}

function nullable<T>(check: Check<T>): Check<T | null> {
  return (v, at) => (v === null ? null : check(v, at));
}

function run<T>(check: Check<T>, v: unknown, at: string): T {
  return check(v, at);
}

// ── vocabulary ───────────────────────────────────────────────────────────────────────────────

/** An absolute path on any of our OSes, without NUL bytes. Whether it may be used is the host's call. */
export const absolutePath: Check<string> = (v, at) => {
  const s = text({ min: 1, max: LIMITS.path })(v, at);
  if (s.includes('\0')) throw new PayloadError(at, 'contains a NUL byte');
  if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(s)) throw new PayloadError(at, 'expected an absolute path');
  return s;
};

export const jobId = text({ min: 1, max: 64, pattern: /^[A-Za-z0-9_-]+$/ });
/** A .vmx `guestOS` value: it lands inside a quoted .vmx line, so only identifier characters. */
const guestId = text({ min: 1, max: 64, pattern: /^[A-Za-z0-9_-]+$/ });
/** A VM name: printable, no quotes or control characters (it is written into the .vmx). */
const vmName = text({ min: 1, max: 128, pattern: /^[^\u0000-\u001f\u007f"]+$/ });

const errorInfo: Check<ErrorInfo> = answer(
  { code: oneOf(ERROR_CODES), message: text({ max: LIMITS.message }) },
  { hint: text({ max: LIMITS.message }) },
);

const progress: Check<Progress> = answer({ phase: oneOf(PHASES), done: count, total: count, rate: finite });

const shared = {
  source: absolutePath,
  verify: bool,
  overwrite: bool,
};

const convertRequest: Check<ConvertRequest> = record(
  { kind: literal('convert'), ...shared, output: absolutePath, subformat: oneOf(SUBFORMATS), adapter: oneOf(ADAPTERS) },
  { vhdSizeRule: oneOf(VHD_SIZE_RULES) },
);

/** The optional virtual-hardware choices `vm` and `ova` requests share. */
const vmChoices = {
  name: vmName,
  guest: guestId,
  memoryMB: integer(4, 16 * 1024 * 1024),
  cpus: integer(1, 128),
  firmware: oneOf(FIRMWARES),
  controller: oneOf(CONTROLLERS),
  hwVersion: integer(4, 99),
  vhdSizeRule: oneOf(VHD_SIZE_RULES),
};

const vmRequest: Check<VmRequest> = record(
  {
    kind: literal('vm'),
    ...shared,
    destDir: absolutePath,
    subformat: oneOf(VM_SUBFORMATS),
    zeroCopy: bool,
  },
  vmChoices,
);

const ovaRequest: Check<OvaRequest> = record(
  { kind: literal('ova'), ...shared, output: absolutePath },
  vmChoices,
);

const jobRequest: Check<JobRequest> = tagged('kind', { convert: convertRequest, vm: vmRequest, ova: ovaRequest });

const vmSummary: Check<VmSummary> = answer({
  guestOS: text({ max: 64 }),
  firmware: oneOf(FIRMWARES),
  controller: oneOf(CONTROLLERS),
  memoryMB: count,
  cpus: count,
  hwVersion: count,
  zeroCopy: bool,
});

const jobResult: Check<JobResult> = answer(
  {
    output: absolutePath,
    files: list(absolutePath, LIMITS.files),
    subformat: oneOf(SUBFORMATS),
    virtualSize: count,
    dataBytes: count,
    verified: bool,
    warnings: list(text({ max: LIMITS.warning }), LIMITS.warnings),
    seconds: finite,
  },
  { vmx: absolutePath, folder: absolutePath, vm: vmSummary },
);

const partitionEntry: Check<PartitionEntry> = answer(
  { index: count, type: text({ max: 64 }), typeName: text({ max: 256 }), startBytes: count, sizeBytes: count },
  { name: text({ max: 256 }), bootable: bool, filesystem: text({ max: LIMITS.filesystem }) },
);
const partitionTable: Check<PartitionTable> = answer(
  { scheme: oneOf(['mbr', 'gpt'] as const), partitions: list(partitionEntry, 1024) },
  { diskId: text({ max: 64 }) },
);
const VARIANTS = ['fixed', 'dynamic', 'differencing', 'flat', 'sparse', 'streamOptimized', 'raw'] as const;
const parentLink: Check<ParentLink> = answer({ path: text({ max: LIMITS.path }), variant: oneOf(VARIANTS) }, { uuid: text({ max: 64 }) });
const guestGuess: Check<GuestGuess> = answer({
  guestOS: text({ max: 64 }),
  family: text({ max: 256 }),
  firmware: oneOf(FIRMWARES),
  evidence: list(text(), LIMITS.evidenceItems),
});

const compressionInfo: Check<CompressionInfo> = answer(
  { format: oneOf(COMPRESSION_FORMATS), layers: list(oneOf(COMPRESSION_FORMATS), 16), unpackedSize: count },
  { member: text({ max: LIMITS.member }) },
);

const diskInfo: Check<DiskInfo> = answer(
  {
    path: absolutePath,
    fileSize: count,
    format: oneOf(['vhd', 'vhdx', 'vmdk', 'raw'] as const),
    variant: oneOf(VARIANTS),
    virtualSize: count,
    allocatedBytes: count,
    parents: list(parentLink, 1000),
    partitions: nullable(partitionTable),
    warnings: list(text({ max: LIMITS.warning }), LIMITS.warnings),
  },
  {
    sizeCandidates: answer({
      currentSize: count,
      chsSize: count,
      chosen: oneOf(['current', 'chs'] as const),
      reason: text({ max: 1024 }),
    }),
    blockSize: count,
    creator: answer({ app: text({ max: LIMITS.creator }), version: text({ max: 64 }), host: text({ max: 64 }) }, { appName: text({ max: LIMITS.creator }) }),
    uuid: text({ max: 64 }),
    geometry: answer({ cylinders: count, heads: count, sectorsPerTrack: count }),
    savedState: bool,
    footerLength: count,
    guest: guestGuess,
    compression: compressionInfo,
  },
);

const jobEvent: Check<JobEvent> = tagged('type', {
  progress: answer({ type: literal('progress'), jobId, phase: oneOf(PHASES), done: count, total: count, rate: finite }),
  done: answer({ type: literal('done'), jobId, result: jobResult }),
  failed: answer({ type: literal('failed'), jobId, error: errorInfo }),
  cancelled: answer({ type: literal('cancelled'), jobId }),
});

function result<T>(value: Check<T>): Check<Result<T>> {
  return (v, at) => {
    if (!isPlainObject(v) || typeof v.ok !== 'boolean') throw new PayloadError(at, 'expected a result');
    return v.ok ? answer({ ok: literal(true), value })(v, at) : answer({ ok: literal(false), error: errorInfo })(v, at);
  };
}

const inspection: Check<Inspection> = answer({ disk: diskInfo, suggestedDestination: absolutePath });

/**
 * A file or folder name Ferry creates inside a chosen folder: not empty, not `.`/`..`, no path
 * separators, no characters Windows refuses, no trailing dot or space, not a DOS device name.
 */
export function isSafeFileName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 128 &&
    name.trim() === name &&
    !/^\.+$/.test(name) &&
    !/[\u0000-\u001f<>:"/\\|?*]/.test(name) &&
    !/[. ]$/.test(name) &&
    !/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(name)
  );
}

// ── entry points ─────────────────────────────────────────────────────────────────────────────

export const parsePath = (v: unknown): string => run(absolutePath, v, 'path');
export const parseJobId = (v: unknown): string => run(jobId, v, 'jobId');
export const parseJobRequest = (v: unknown): JobRequest => run(jobRequest, v, 'request');
export const parseJobEvent = (v: unknown): JobEvent => run(jobEvent, v, 'event');
export const parseJobResult = (v: unknown): JobResult => run(jobResult, v, 'result');
export const parseDiskInfo = (v: unknown): DiskInfo => run(diskInfo, v, 'disk');
export const parseErrorInfo = (v: unknown): ErrorInfo => run(errorInfo, v, 'error');
export const parseInspectionResult = (v: unknown): Result<Inspection> => run(result(inspection), v, 'answer');
export const parseStringResult = (v: unknown): Result<string> => run(result(text({ max: 4096 })), v, 'answer');
export const parseNullResult = (v: unknown): Result<null> => run(result(literal(null)), v, 'answer');
export const parseOptionalPath = (v: unknown): string | null => run(nullable(absolutePath), v, 'answer');
export const parseNothing = (v: unknown): undefined => {
  if (v !== undefined && v !== null) throw new PayloadError('argument', 'expected none');
  return undefined;
};

/** Launch files: as many as a file manager hands over ("Open with Ferry" on a whole selection). */
const openFiles = list(absolutePath, LIMITS.files);

const inspectProgress: Check<InspectProgress> = answer({ path: absolutePath, phase: oneOf(PHASES), done: count, total: count, rate: finite });

/** A pushed event, or null when it does not match its channel (dropped rather than thrown into the UI). */
export function parseHostEvent(v: { name: string; payload: unknown }): HostEvent | null {
  try {
    if (v.name === 'jobEvent') return { name: 'jobEvent', payload: parseJobEvent(v.payload) };
    if (v.name === 'openFiles') return { name: 'openFiles', payload: run(openFiles, v.payload, 'paths') };
    if (v.name === 'inspectProgress') return { name: 'inspectProgress', payload: run(inspectProgress, v.payload, 'progress') };
  } catch {
    // fall through
  }
  return null;
}

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
  cancel: record({ type: literal('cancel') }),
});
export const parseToWorker = (v: unknown): ToWorker => run(toWorker, v, 'message');

function fromWorker<T>(value: Check<T>) {
  return tagged('type', {
    progress: answer({ type: literal('progress'), progress }),
    done: answer({ type: literal('done'), value }),
    failed: answer({ type: literal('failed'), error: errorInfo }),
    cancelled: answer({ type: literal('cancelled') }),
  });
}
const inspectAnswer: Check<InspectAnswer> = answer({ disk: diskInfo }, { unpacked: unpackedCopy('drop') });
export const parseInspectAnswer = (v: unknown): FromWorker<InspectAnswer> => run(fromWorker(inspectAnswer), v, 'message');
export const parseRunAnswer = (v: unknown): FromWorker<JobResult> => run(fromWorker(jobResult), v, 'message');
