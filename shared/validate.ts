// Runtime checks of the domain's payloads (disks, jobs, their events and errors), for every
// boundary: requests from the renderer strictly (unknown keys refused), answers from the engine
// leniently (unknown keys dropped). Each check's declared type is the shared type it guards.
// The wire-level contracts use them: host-contract.ts (renderer ↔ host), worker-protocol.ts.
import { COMPRESSION_FORMATS, DRIVER_STATES, SOURCE_FORMATS, SOURCE_VARIANTS, type CompressionInfo, type DiskInfo, type GuestChange, type GuestGuess, type GuestOs, type ParentLink, type PartitionEntry, type PartitionTable } from './disk-info';
import { ERROR_CODES, type ErrorInfo } from './errors';
import { PHASES, type ConvertRequest, type JobEvent, type JobRequest, type JobResult, type OvaRequest, type Progress, type VmRequest, type VmSummary } from './jobs';
import { ADAPTERS, CONTROLLERS, FIRMWARES, HARDWARE_BOUNDS, SUBFORMATS, VHD_SIZE_RULES, VM_SUBFORMATS } from './options';
import type { Result } from './result';
import { PayloadError, answer, bool, count, finite, integer, isPlainObject, list, literal, nullable, oneOf, record, run, tagged, text, type Check } from './checks';

export { PayloadError } from './checks';

// ── vocabulary ───────────────────────────────────────────────────────────────────────────────

/** An absolute path on any of our OSes, without NUL bytes. Whether it may be used is the host's call. */
export const absolutePath: Check<string> = (v, at) => {
  const s = text({ min: 1, max: 4096 })(v, at);
  if (s.includes('\0')) throw new PayloadError(at, 'contains a NUL byte');
  if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(s)) throw new PayloadError(at, 'expected an absolute path');
  return s;
};

export const jobId = text({ min: 1, max: 64, pattern: /^[A-Za-z0-9_-]+$/ });
/** A .vmx `guestOS` value: it lands inside a quoted .vmx line, so only identifier characters. */
const guestId = text({ min: 1, max: 64, pattern: /^[A-Za-z0-9_-]+$/ });
/** A VM name: printable, no quotes or control characters (it is written into the .vmx). */
const vmName = text({ min: 1, max: 128, pattern: /^[^\u0000-\u001f\u007f"]+$/ });

export const errorInfo: Check<ErrorInfo> = answer(
  { code: oneOf(ERROR_CODES), message: text({ max: 4096 }) },
  { hint: text({ max: 4096 }) },
);

export const progress: Check<Progress> = answer({ phase: oneOf(PHASES), done: count, total: count, rate: finite });

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
  memoryMB: integer(HARDWARE_BOUNDS.memoryMB.min, HARDWARE_BOUNDS.memoryMB.max),
  cpus: integer(HARDWARE_BOUNDS.cpus.min, HARDWARE_BOUNDS.cpus.max),
  firmware: oneOf(FIRMWARES),
  controller: oneOf(CONTROLLERS),
  hwVersion: integer(HARDWARE_BOUNDS.hwVersion.min, HARDWARE_BOUNDS.hwVersion.max),
  vhdSizeRule: oneOf(VHD_SIZE_RULES),
  guestRepair: bool,
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

export const jobRequest: Check<JobRequest> = tagged('kind', { convert: convertRequest, vm: vmRequest, ova: ovaRequest });

const guestChange: Check<GuestChange> = answer({ what: text({ max: 512 }), offset: count, length: count });
const vmSummary: Check<VmSummary> = answer(
  {
    guestOS: text({ max: 64 }),
    firmware: oneOf(FIRMWARES),
    controller: oneOf(CONTROLLERS),
    memoryMB: count,
    cpus: count,
    hwVersion: count,
    zeroCopy: bool,
  },
  { guestChanges: list(guestChange, 64) },
);

export const jobResult: Check<JobResult> = answer(
  {
    output: absolutePath,
    files: list(absolutePath, 10_000),
    subformat: oneOf(SUBFORMATS),
    virtualSize: count,
    dataBytes: count,
    verified: bool,
    warnings: list(text()),
    seconds: finite,
  },
  { vmx: absolutePath, folder: absolutePath, vm: vmSummary },
);

const partitionEntry: Check<PartitionEntry> = answer(
  { index: count, type: text({ max: 64 }), typeName: text({ max: 256 }), startBytes: count, sizeBytes: count },
  { name: text({ max: 256 }), bootable: bool, filesystem: text({ max: 64 }) },
);
const partitionTable: Check<PartitionTable> = answer(
  { scheme: oneOf(['mbr', 'gpt'] as const), partitions: list(partitionEntry, 1024) },
  { diskId: text({ max: 64 }) },
);
const parentLink: Check<ParentLink> = answer({ path: text({ max: 4096 }), variant: oneOf(SOURCE_VARIANTS) }, { uuid: text({ max: 64 }) });
const guestOs: Check<GuestOs> = answer(
  { name: text({ max: 256 }) },
  { version: text({ max: 256 }), build: count, drivers: record({}, { vmw_pvscsi: oneOf(DRIVER_STATES), ahci: oneOf(DRIVER_STATES), ata_piix: oneOf(DRIVER_STATES) }, 'drop') },
);
const guestGuess: Check<GuestGuess> = answer(
  {
    guestOS: text({ max: 64 }),
    family: text({ max: 256 }),
    firmware: oneOf(FIRMWARES),
    evidence: list(text({ max: 1024 }), 100),
  },
  { os: guestOs },
);

const compressionInfo: Check<CompressionInfo> = answer(
  { format: oneOf(COMPRESSION_FORMATS), layers: list(oneOf(COMPRESSION_FORMATS), 16), unpackedSize: count },
  { member: text({ max: 4096 }) },
);

export const diskInfo: Check<DiskInfo> = answer(
  {
    path: absolutePath,
    fileSize: count,
    format: oneOf(SOURCE_FORMATS),
    variant: oneOf(SOURCE_VARIANTS),
    virtualSize: count,
    allocatedBytes: count,
    parents: list(parentLink, 1000),
    partitions: nullable(partitionTable),
    warnings: list(text(), 1000),
  },
  {
    sizeCandidates: answer({
      currentSize: count,
      chsSize: count,
      chosen: oneOf(['current', 'chs'] as const),
      reason: text({ max: 1024 }),
    }),
    blockSize: count,
    creator: answer({ app: text({ max: 16 }), version: text({ max: 64 }), host: text({ max: 64 }) }, { appName: text({ max: 128 }) }),
    uuid: text({ max: 64 }),
    geometry: answer({ cylinders: count, heads: count, sectorsPerTrack: count }),
    savedState: bool,
    footerLength: count,
    guest: guestGuess,
    compression: compressionInfo,
  },
);

export const jobEvent: Check<JobEvent> = tagged('type', {
  progress: answer({ type: literal('progress'), jobId, phase: oneOf(PHASES), done: count, total: count, rate: finite }),
  done: answer({ type: literal('done'), jobId, result: jobResult }),
  failed: answer({ type: literal('failed'), jobId, error: errorInfo }),
  cancelled: answer({ type: literal('cancelled'), jobId }),
});

/** A `Result`: the value as `value` checks it, or a typed error. */
export function result<T>(value: Check<T>): Check<Result<T>> {
  return (v, at) => {
    if (!isPlainObject(v) || typeof v.ok !== 'boolean') throw new PayloadError(at, 'expected a result');
    return v.ok ? answer({ ok: literal(true), value })(v, at) : answer({ ok: literal(false), error: errorInfo })(v, at);
  };
}

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
