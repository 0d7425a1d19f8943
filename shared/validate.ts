// Runtime checks of the domain's payloads (disks, jobs, their events and errors), for every
// boundary: requests from the renderer strictly (unknown keys refused), answers from the engine
// leniently (unknown keys dropped). Each check's declared type is the shared type it guards.
// The wire-level contracts use them: host-contract.ts (renderer ↔ host), worker-protocol.ts.
import { COMPRESSION_FORMATS, DRIVER_STATES, MACHINE_BUSES, MACHINE_KINDS, SOURCE_FORMATS, SOURCE_VARIANTS, type CompressionInfo, type DiskInfo, type GuestChange, type GuestGuess, type GuestOs, type MachineDisk, type MachineInfo, type MachineSurvey, type ParentLink, type PartitionEntry, type PartitionTable } from './disk-info';
import { ERROR_CODES, type ErrorInfo } from './errors';
import { FIRST_BOOT_FILE_MAX, SSH_KEYS_MAX, SSH_KEY_MAX, firstBootProblems } from './first-boot';
import { PHASES, type BoxRequest, type ConvertRequest, type FirstBoot, type JobEvent, type JobRequest, type JobResult, type OvaRequest, type Progress, type VmRequest, type VmSummary } from './jobs';
import { ADAPTERS, CONTROLLERS, FIRMWARES, HARDWARE_BOUNDS, SUBFORMATS, VHD_SIZE_RULES, VM_SUBFORMATS } from './options';
import { LIMITS } from './limits';
import type { Result } from './result';
import { noticeCheck, withCodes } from './notice-check';
import { PayloadError, answer, bool, count, finite, integer, isPlainObject, list, literal, nullable, oneOf, record, run, tagged, text, type Check } from './checks';

export { PayloadError } from './checks';

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

export const errorInfo: Check<ErrorInfo> = answer(
  { code: oneOf(ERROR_CODES), message: text({ max: LIMITS.message }) },
  { hint: text({ max: LIMITS.message }) },
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

const firstBootShape = record(
  {},
  {
    sshKeys: list(text({ min: 1, max: SSH_KEY_MAX }), SSH_KEYS_MAX),
    hostname: text({ min: 1, max: 253 }),
    ignition: text({ min: 1, max: FIRST_BOOT_FILE_MAX }),
    cloudInit: text({ min: 1, max: FIRST_BOOT_FILE_MAX }),
    cloudInitMeta: text({ min: 1, max: FIRST_BOOT_FILE_MAX }),
  },
);

/** First-boot data, held to the rules the CLI applies (shared/first-boot.ts). */
const firstBoot: Check<FirstBoot> = (v, at) => {
  const fb = firstBootShape(v, at) as FirstBoot;
  const names = { sshKeys: 'sshKeys', hostname: 'hostname', ignition: 'ignition', cloudInit: 'cloudInit', cloudInitMeta: 'cloudInitMeta' };
  const problems = firstBootProblems(fb, names);
  if (problems.length) throw new PayloadError(at, problems[0]!);
  return fb;
};

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
  allowOutsideDisks: bool,
  extraSources: list(absolutePath, LIMITS.machineDisks - 1),
  guestRepair: bool,
  firstBoot,
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

const boxRequest: Check<BoxRequest> = record({ kind: literal('box'), ...shared, output: absolutePath }, vmChoices);

export const jobRequest: Check<JobRequest> = tagged('kind', { convert: convertRequest, vm: vmRequest, ova: ovaRequest, box: boxRequest });

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

export const jobResult: Check<JobResult> = withCodes(answer(
  {
    output: absolutePath,
    files: list(absolutePath, LIMITS.files),
    subformat: oneOf(SUBFORMATS),
    virtualSize: count,
    dataBytes: count,
    verified: bool,
    warnings: list(text({ max: LIMITS.warning }), LIMITS.warnings),
    warningCodes: list(noticeCheck, LIMITS.warnings),
    seconds: finite,
  },
  {
    vmx: absolutePath,
    folder: absolutePath,
    vm: vmSummary,
    firstBoot: answer({ guestinfo: list(text({ max: 128 }), 64), image: text({ max: 64 }) }, { sshUser: text({ max: 64 }) }),
  },
), 'warnings', 'warningCodes');

const partitionEntry: Check<PartitionEntry> = answer(
  { index: count, type: text({ max: 64 }), typeName: text({ max: 256 }), startBytes: count, sizeBytes: count },
  { name: text({ max: 256 }), bootable: bool, filesystem: text({ max: LIMITS.filesystem }) },
);
const partitionTable: Check<PartitionTable> = answer(
  { scheme: oneOf(['mbr', 'gpt'] as const), partitions: list(partitionEntry, 1024) },
  { diskId: text({ max: 64 }) },
);
const parentLink: Check<ParentLink> = answer({ path: text({ max: LIMITS.path }), variant: oneOf(SOURCE_VARIANTS) }, { uuid: text({ max: 64 }) });
const guestOs: Check<GuestOs> = answer(
  { name: text({ max: 256 }) },
  { version: text({ max: 256 }), build: count, drivers: record({}, { vmw_pvscsi: oneOf(DRIVER_STATES), ahci: oneOf(DRIVER_STATES), ata_piix: oneOf(DRIVER_STATES) }, 'drop') },
);
const guestGuess: Check<GuestGuess> = withCodes(answer(
  {
    guestOS: text({ max: 64 }),
    family: text({ max: 256 }),
    firmware: oneOf(FIRMWARES),
    evidence: list(text(), LIMITS.evidenceItems),
    evidenceCodes: list(noticeCheck, LIMITS.evidenceItems),
  },
  { os: guestOs },
), 'evidence', 'evidenceCodes');

const compressionInfo: Check<CompressionInfo> = answer(
  { format: oneOf(COMPRESSION_FORMATS), layers: list(oneOf(COMPRESSION_FORMATS), 16), unpackedSize: count },
  { member: text({ max: LIMITS.member }) },
);

const machineDisk: Check<MachineDisk> = answer(
  { bus: oneOf(MACHINE_BUSES), controller: count, unit: count, path: text({ max: 4096 }) },
  {
    relativePath: text({ max: 4096 }),
    model: text({ max: 64 }),
    found: answer({ path: text({ max: 4096 }), how: oneOf(['beside', 'stated'] as const), outside: bool }),
    lookedFor: list(text({ max: LIMITS.path }), LIMITS.lookedFor),
    file: answer({ fileSize: count }, { format: oneOf(SOURCE_FORMATS), variant: oneOf(SOURCE_VARIANTS), virtualSize: count, problem: text({ max: LIMITS.message }) }),
  },
);
export const machineInfo: Check<MachineInfo> = withCodes(answer(
  {
    kind: oneOf(MACHINE_KINDS),
    config: text({ max: 4096 }),
    tree: text({ max: 4096 }),
    name: text({ max: 1024 }),
    nics: count,
    disks: list(machineDisk, 256),
    snapshots: list(answer({ id: text({ max: 256 }), name: text({ max: 1024 }) }, { parent: text({ max: 256 }), current: bool, file: text({ max: 4096 }) }), 10000),
    warnings: list(text(), 1000),
    warningCodes: list(noticeCheck, 1000),
  },
  {
    memoryMB: count,
    cpus: count,
    generation: integer(1, 2) as Check<1 | 2>,
    firmware: oneOf(FIRMWARES),
    secureBoot: bool,
    guestOS: text({ max: 256 }),
    files: list(answer({ name: text({ max: 4096 }), role: text({ max: 256 }) }), 100000),
  },
), 'warnings', 'warningCodes');

export const diskInfo: Check<DiskInfo> = withCodes(answer(
  {
    path: absolutePath,
    fileSize: count,
    format: oneOf(SOURCE_FORMATS),
    variant: oneOf(SOURCE_VARIANTS),
    virtualSize: count,
    allocatedBytes: count,
    parents: list(parentLink, 1000),
    partitions: nullable(partitionTable),
    warnings: list(text({ max: LIMITS.warning }), LIMITS.warnings),
    warningCodes: list(noticeCheck, LIMITS.warnings),
  },
  {
    sizeCandidates: answer({
      currentSize: count,
      chsSize: count,
      chosen: oneOf(['current', 'chs'] as const),
      reason: text({ max: 1024 }),
      reasonCode: noticeCheck,
    }),
    blockSize: count,
    creator: answer({ app: text({ max: LIMITS.creator }), version: text({ max: 64 }), host: text({ max: 64 }) }, { appName: text({ max: LIMITS.creator }) }),
    uuid: text({ max: 64 }),
    geometry: answer({ cylinders: count, heads: count, sectorsPerTrack: count }),
    savedState: bool,
    footerLength: count,
    guest: guestGuess,
    compression: compressionInfo,
    // Paths as the host spells them (up to Windows' 32767-character limit), as many as a split disk has pieces.
    files: list(text({ min: 1, max: 32767 }), 100_000),
    machine: machineInfo,
  },
), 'warnings', 'warningCodes');

/** A machine as the app's survey answers it: the boot disk only when a job can start. */
export const machineSurvey: Check<MachineSurvey> = answer({ machine: machineInfo }, { disk: diskInfo });

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

/** A file or folder name Ferry creates inside a chosen folder: the shared name rule. */
export { isSafeFileName } from './file-names';

// ── entry points ─────────────────────────────────────────────────────────────────────────────

export const parsePath = (v: unknown): string => run(absolutePath, v, 'path');
export const parseJobId = (v: unknown): string => run(jobId, v, 'jobId');
export const parseJobRequest = (v: unknown): JobRequest => run(jobRequest, v, 'request');
export const parseJobEvent = (v: unknown): JobEvent => run(jobEvent, v, 'event');
export const parseJobResult = (v: unknown): JobResult => run(jobResult, v, 'result');
export const parseDiskInfo = (v: unknown): DiskInfo => run(diskInfo, v, 'disk');
export const parseErrorInfo = (v: unknown): ErrorInfo => run(errorInfo, v, 'error');
