import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFirstBoot } from './cli-first-boot';
import type { DiskInfo } from '../shared/disk-info';
import { exitCodeFor, type ErrorInfo } from '../shared/errors';
import { jsonLine, printableFields, printableLines } from './cli-text';
import type { ConvertRequest, JobRequest, JobResult, OvaRequest, Progress, VmRequest } from '../shared/jobs';
import { ADAPTERS, CONTROLLERS, DISK_TYPES, FIRMWARES, HARDWARE_BOUNDS, SUBFORMATS, VHD_SIZE_RULES, VM_SUBFORMATS, isOneOf, subformatFor, type DiskType, type Subformat, type VhdSizeRule } from '../shared/options';
import { FerryError, toErrorInfo } from './engine/errors';
import { inspectDisk } from './engine/inspect/inspect';
import { inspectMachine } from './engine/machines/inspect-machine';
import { isMachinePath } from './engine/machines/load';
import { renderMachine } from './machine-report';
import { formatBytesIec as formatBytes } from '../shared/bytes';
import { Staging } from './engine/output/staging';
import { runJob } from './engine/jobs/run-job';

const USAGE = `Usage:
  ferry inspect <source> [--allow-outside-disks] [--json]
  ferry convert <source> <output.vmdk> [--subformat S] [--type dynamic|fixed] [--split]
                [--adapter ide|lsilogic|buslogic] [--no-verify] [--overwrite] [--json]
  ferry vm <source>... <dest-dir> [--name N] [--subformat S] [--guest ID] [--memory MB] [--cpus N]
                [--firmware bios|efi] [--controller ide|lsilogic|lsisas1068|pvscsi|sata|nvme]
                [--hw-version N] [--no-guest-repair] [--zero-copy] [--allow-outside-disks] [--no-verify] [--overwrite] [--json]
  ferry ova <source>... <out.ova> [--name N] [--guest ID] [--memory MB] [--cpus N] [--firmware bios|efi]
                [--controller ...] [--hw-version N] [--no-guest-repair] [--allow-outside-disks] [--no-verify] [--overwrite] [--json]
  ferry box <source>... <out.box> [the options of ova]   a Vagrant box for the vmware_desktop provider
First boot (vm, ova, box; cloud images have no password):
                [--ssh-key FILE.pub]... [--hostname NAME]   keys for the image's user (core, ubuntu, ...)
                [--ignition FILE.ign]                       CoreOS family: your Ignition config, unchanged
                [--cloud-init USER-DATA] [--cloud-init-meta META-DATA]   other Linux: cloud-init, unchanged

Sources:    VHD, VHDX, VMDK, raw images (.img .raw .dd, or partitioned), and any of these
            compressed with gzip, bzip2 or xz or inside a zip or tar archive
Machines:   a .vmx, .vmc, Hyper-V .xml/.vmcx, or the folder of one (VMware VM, Hyper-V export);
            --allow-outside-disks lets it use disks outside that folder.
            vm, ova and box take several sources: one machine, the first source its boot disk
Subformats: ${SUBFORMATS.join(', ')}
Extra:      --vhd-size auto|current|chs   which VHD size field to trust (default: by creator)
Exit codes: 0 done, 1 usage, 2 bad or unsupported input, 3 I/O error, 130 cancelled.`;

class UsageError extends FerryError {
  constructor(message: string) {
    super('E_USAGE', message, 'Run `ferry --help` for usage.');
  }
}

type Values = Record<string, string | boolean | string[] | undefined>;

const COMMON = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'vhd-size': { type: 'string' },
} as const;
const JOB = { 'no-verify': { type: 'boolean' }, overwrite: { type: 'boolean' }, subformat: { type: 'string' } } as const;
/** The VM's virtual hardware, as `vm` and `ova` take it. */
const HARDWARE = {
  'allow-outside-disks': { type: 'boolean' },
  name: { type: 'string' },
  guest: { type: 'string' },
  memory: { type: 'string' },
  cpus: { type: 'string' },
  firmware: { type: 'string' },
  controller: { type: 'string' },
  'hw-version': { type: 'string' },
  'no-guest-repair': { type: 'boolean' },
  'ssh-key': { type: 'string', multiple: true },
  hostname: { type: 'string' },
  ignition: { type: 'string' },
  'cloud-init': { type: 'string' },
  'cloud-init-meta': { type: 'string' },
} as const;
const OPTIONS: Record<string, ParseArgsConfig['options']> = {
  inspect: { ...COMMON, 'allow-outside-disks': { type: 'boolean' } },
  convert: { ...COMMON, ...JOB, type: { type: 'string' }, split: { type: 'boolean' }, adapter: { type: 'string' } },
  vm: { ...COMMON, ...JOB, ...HARDWARE, 'zero-copy': { type: 'boolean' } },
  ova: { ...COMMON, 'no-verify': { type: 'boolean' }, overwrite: { type: 'boolean' }, ...HARDWARE },
  box: { ...COMMON, 'no-verify': { type: 'boolean' }, overwrite: { type: 'boolean' }, ...HARDWARE },
};

function choice<T extends string>(values: Values, key: string, list: readonly T[]): T | undefined {
  const v = values[key];
  if (v === undefined) return undefined;
  if (!isOneOf(list, v)) throw new UsageError(`--${key} must be one of ${list.join(', ')} (got "${String(v)}").`);
  return v;
}

function integer(values: Values, key: string, min: number, max: number): number | undefined {
  const v = values[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${key} must be a whole number from ${min} to ${max} (got "${String(v)}").`);
  return n;
}

/** --subformat wins; otherwise --type and --split pick it, as WinImage's dialog does. */
function pickSubformat(values: Values, fallback: Subformat, allowed: readonly Subformat[] = SUBFORMATS): Subformat {
  const explicit = choice(values, 'subformat', allowed);
  const type = choice(values, 'type', DISK_TYPES);
  const split = values.split === true;
  if (explicit) {
    // --type and --split may restate what --subformat says, never contradict it.
    const typeAgrees = (t: DiskType) => subformatFor(t, false) === explicit || subformatFor(t, true) === explicit;
    const splitAgrees = DISK_TYPES.some((t) => subformatFor(t, true) === explicit);
    if ((type !== undefined && !typeAgrees(type)) || (split && !splitAgrees)) {
      throw new UsageError(`--subformat ${explicit} contradicts ${[type ? `--type ${type}` : '', split ? '--split' : ''].filter(Boolean).join(' ')}.`);
    }
    return explicit;
  }
  if (type || split) return subformatFor(type ?? 'dynamic', split);
  return fallback;
}

export function parseCommand(argv: string[]): { command: 'help' } | { command: 'inspect'; path: string; json: boolean; values: Values } | { command: 'job'; request: JobRequest; json: boolean } {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return { command: 'help' };
  const options = OPTIONS[command];
  if (!options) throw new UsageError(`unknown command "${command}".`);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify.*$/s, '.'));
  }
  const values = parsed.values as Values;
  if (values.help) return { command: 'help' };
  const pos = parsed.positionals;
  const json = values.json === true;
  const vhdSizeRule = choice(values, 'vhd-size', VHD_SIZE_RULES);
  const sizeRule = vhdSizeRule && vhdSizeRule !== 'auto' ? { vhdSizeRule } : {};
  if (command === 'inspect') {
    if (pos.length !== 1) throw new UsageError('inspect takes exactly one source file.');
    return { command: 'inspect', path: pos[0]!, json, values };
  }
  if (command === 'convert' ? pos.length !== 2 : pos.length < 2) throw new UsageError(`${command} takes a source and ${command === 'vm' ? 'a destination folder' : 'an output file'}.`);
  // vm, ova and box: several sources make one machine, the first its boot disk; the last is the target.
  const target = pos[pos.length - 1]!;
  const extraSources = pos.length > 2 ? { extraSources: pos.slice(1, -1) } : {};
  if (command === 'convert') {
    const request: ConvertRequest = {
      kind: 'convert',
      source: pos[0]!,
      output: pos[1]!,
      subformat: pickSubformat(values, 'monolithicSparse'),
      adapter: choice(values, 'adapter', ADAPTERS) ?? 'lsilogic',
      verify: values['no-verify'] !== true,
      overwrite: values.overwrite === true,
      ...sizeRule,
    };
    return { command: 'job', request, json };
  }
  if (command === 'ova') return { command: 'job', request: { ...ovaRequest(pos[0]!, target, values, sizeRule), ...extraSources }, json };
  if (command === 'box') return { command: 'job', request: { ...ovaRequest(pos[0]!, target, values, sizeRule), ...extraSources, kind: 'box' }, json };
  if (values.subformat === 'streamOptimized') throw new UsageError('a VM folder cannot use streamOptimized (that is for OVA/ESXi import); choose a sparse or flat subformat.');
  const zeroCopy = values['zero-copy'] === true;
  const subformat = pickSubformat(values, zeroCopy ? 'monolithicFlat' : 'monolithicSparse', VM_SUBFORMATS);
  if (!isOneOf(VM_SUBFORMATS, subformat)) throw new UsageError(`a VM folder cannot use ${subformat}.`);
  if (zeroCopy && subformat !== 'monolithicFlat') {
    throw new UsageError(`--zero-copy makes a monolithicFlat descriptor over the .vhd itself; it cannot be combined with ${values.subformat ? `--subformat ${subformat}` : '--type/--split'}.`);
  }
  const request: VmRequest = {
    kind: 'vm',
    source: pos[0]!,
    destDir: target,
    subformat,
    zeroCopy,
    verify: values['no-verify'] !== true,
    overwrite: values.overwrite === true,
    ...sizeRule,
    ...extraSources,
  };
  Object.assign(request, vmChoices(values));
  return { command: 'job', request, json };
}

type VmChoices = Pick<VmRequest, 'name' | 'guest' | 'memoryMB' | 'cpus' | 'firmware' | 'controller' | 'hwVersion' | 'allowOutsideDisks' | 'guestRepair' | 'firstBoot'>;

/** The virtual hardware options `vm` and `ova` share; absent flags stay absent (detection decides). */
function vmChoices(values: Values): VmChoices {
  const out: VmChoices = {};
  if (values['allow-outside-disks'] === true) out.allowOutsideDisks = true;
  if (typeof values.name === 'string') {
    if (values.name.trim() === '') throw new UsageError('--name must not be empty (leave it out to name the machine after the source).');
    out.name = values.name;
  }
  if (typeof values.guest === 'string') out.guest = values.guest;
  const memory = integer(values, 'memory', HARDWARE_BOUNDS.memoryMB.min, HARDWARE_BOUNDS.memoryMB.max);
  if (memory !== undefined) out.memoryMB = memory;
  const cpus = integer(values, 'cpus', HARDWARE_BOUNDS.cpus.min, HARDWARE_BOUNDS.cpus.max);
  if (cpus !== undefined) out.cpus = cpus;
  const firmware = choice(values, 'firmware', FIRMWARES);
  if (firmware) out.firmware = firmware;
  const controller = choice(values, 'controller', CONTROLLERS);
  if (controller) out.controller = controller;
  const hw = integer(values, 'hw-version', HARDWARE_BOUNDS.hwVersion.min, HARDWARE_BOUNDS.hwVersion.max);
  if (hw !== undefined) out.hwVersion = hw;
  if (values['no-guest-repair'] === true) out.guestRepair = false;
  const firstBoot = readFirstBoot(values, (message) => new UsageError(message));
  if (firstBoot) out.firstBoot = firstBoot;
  return out;
}

/** `ferry ova` (and `ferry box`, which takes the same): the VM's choices as for `vm`; an OVA's disk is always streamOptimized. */
function ovaRequest(source: string, output: string, values: Values, sizeRule: { vhdSizeRule?: VhdSizeRule }): OvaRequest {
  const request: OvaRequest = {
    kind: 'ova',
    source,
    output,
    verify: values['no-verify'] !== true,
    overwrite: values.overwrite === true,
    ...sizeRule,
  };
  Object.assign(request, vmChoices(values));
  return request;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const PHASE_LABEL: Record<Progress['phase'], string> = { decompressing: 'Decompressing', converting: 'Converting', verifying: 'Verifying' };

function renderProgress(p: Progress): string {
  const pct = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 100;
  const left = p.rate > 0 ? (p.total - p.done) / p.rate : Infinity;
  return `${PHASE_LABEL[p.phase].padEnd(13)} ${String(pct).padStart(3)}%  ${formatBytes(p.done)} of ${formatBytes(p.total)}  ${formatBytes(p.rate)}/s  ${formatDuration(left)} left`;
}

export function renderInspect(info: DiskInfo): string {
  const lines: string[] = [info.path];
  const row = (k: string, v: string) => lines.push(`  ${k.padEnd(14)} ${v}`);
  row('Format', `${info.format.toUpperCase()}, ${info.variant}`);
  if (info.compression) {
    const c = info.compression;
    row('Compressed', `${c.layers.join(' → ')}${c.member !== undefined ? `, disk is member "${c.member}"` : ''}; unpacks to ${formatBytes(c.unpackedSize)}`);
  }
  row('Virtual size', `${formatBytes(info.virtualSize)} (${info.virtualSize} bytes)`);
  if (info.sizeCandidates) {
    const c = info.sizeCandidates;
    row('Size fields', `current size ${c.currentSize} bytes, CHS geometry ${c.chsSize} bytes; using ${c.chosen === 'chs' ? 'CHS' : 'current size'} (${c.reason})`);
  }
  row('Allocated', `${formatBytes(info.allocatedBytes)} (${info.allocatedBytes} bytes)`);
  row('File size', `${formatBytes(info.fileSize)}`);
  if (info.blockSize) row('Block size', formatBytes(info.blockSize));
  if (info.creator) {
    const c = info.creator;
    const tag = c.appName && c.appName !== c.app ? ` (${JSON.stringify(c.app)})` : '';
    row('Creator', [`${c.appName ?? c.app}${tag}`, c.version, c.host && `on ${c.host}`].filter(Boolean).join(' '));
  }
  if (info.uuid) row('UUID', info.uuid);
  if (info.geometry) row('Geometry', `${info.geometry.cylinders}/${info.geometry.heads}/${info.geometry.sectorsPerTrack} (C/H/S)`);
  if (info.footerLength && info.footerLength !== 512) row('Footer', `${info.footerLength} bytes (pre-2004 Virtual PC)`);
  if (info.savedState !== undefined) row('Saved state', info.savedState ? 'yes' : 'no');
  if (info.parents.length) info.parents.forEach((p, i) => row(i === 0 ? 'Parents' : '', `${i + 1}. ${p.path} (${p.variant}${p.uuid ? `, ${p.uuid}` : ''})`));
  (info.files ?? []).forEach((f, i) => row(i === 0 ? 'Files' : '', `${i + 1}. ${f}`));
  if (!info.partitions) row('Partitions', 'none (no partition table)');
  else {
    row('Partitions', `${info.partitions.scheme.toUpperCase()}${info.partitions.diskId ? ` (disk ${info.partitions.diskId})` : ''}`);
    for (const p of info.partitions.partitions) {
      const name = p.name ? ` "${p.name}"` : '';
      const fs = p.filesystem ? ` [${p.filesystem}]` : '';
      row('', `${String(p.index).padStart(2)}  ${p.typeName}${name}${fs}  at ${formatBytes(p.startBytes)}, ${formatBytes(p.sizeBytes)}${p.bootable ? ', active' : ''}`);
    }
  }
  if (info.guest) {
    row('Guest', `${info.guest.family} → guestOS "${info.guest.guestOS}", firmware ${info.guest.firmware}`);
    if (info.guest.os) row('Guest OS', `${info.guest.os.name}${info.guest.os.version ? ` ${info.guest.os.version}` : ''}`);
    for (const e of info.guest.evidence) row('', `- ${e}`);
  }
  info.warnings.forEach((w, i) => row(i === 0 ? 'Warnings' : '', w));
  return lines.join('\n');
}

function renderResult(r: JobResult): string {
  const lines = [`Wrote ${r.vmx ?? r.output}`];
  if (r.folder) lines.push(`  folder    ${r.folder}`);
  if (r.vm) {
    lines.push(`  vm        ${r.vm.guestOS}, ${r.vm.firmware.toUpperCase()}, ${r.vm.controller} controller, ${r.vm.memoryMB} MB, ${r.vm.cpus} CPU(s), hardware version ${r.vm.hwVersion}`);
    r.vm.guestChanges?.forEach((c, i) => lines.push(`  ${i === 0 ? 'guest    ' : '         '} ${c.what} (disk bytes ${c.offset}–${c.offset + c.length - 1})`));
  }
  lines.push(`  disk      ${r.subformat}, ${formatBytes(r.virtualSize)} virtual, ${formatBytes(r.dataBytes)} of data`);
  lines.push(`  files     ${r.files.length === 1 ? r.files[0] : `${r.files.length} files`}`);
  const verified = r.vm?.zeroCopy ? 'yes, the descriptor maps exactly the source\'s data area' : 'yes, output holds exactly the source\'s bytes';
  lines.push(`  verified  ${r.verified ? verified : 'no (--no-verify)'}`);
  lines.push(`  time      ${r.seconds.toFixed(1)} s`);
  return lines.join('\n');
}

export interface Io {
  /** A line to stdout. */
  out: (s: string) => void;
  /** A line to stderr. */
  err: (s: string) => void;
  /** Rewrites the progress line on stderr; absent when stderr is not a terminal. */
  progress?: ((s: string, final: boolean) => void) | undefined;
}

// Text output is made of fields made printable (text from inside a file must not drive the
// terminal), then checked once more line by line; JSON output keeps every string exact.

function reportError(info: ErrorInfo, json: boolean, io: Io): number {
  if (json) io.out(jsonLine({ type: 'error', ...info }));
  else {
    const safe = printableFields(info);
    io.err(printableLines(`ferry: ${safe.message}${safe.hint ? `\n  ${safe.hint}` : ''}`));
  }
  return exitCodeFor(info.code);
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: string[], io: Io, signal?: AbortSignal): Promise<number> {
  let json = argv.includes('--json');
  try {
    const cmd = parseCommand(argv);
    if (cmd.command === 'help') {
      // Asked for: the usage on stdout. No command at all is a usage error, as scripts should see it.
      if (argv.length === 0) {
        io.err(USAGE);
        return 1;
      }
      io.out(USAGE);
      return 0;
    }
    json = cmd.json;
    if (cmd.command === 'inspect') {
      const rule = cmd.values['vhd-size'];
      const opts = rule === 'current' || rule === 'chs' ? { vhdSizeRule: rule as 'current' | 'chs' } : {};
      const info = (await isMachinePath(cmd.path))
        ? await inspectMachine(cmd.path, { ...opts, allowOutsideDisks: cmd.values['allow-outside-disks'] === true })
        : await inspectDisk(cmd.path, opts);
      const clean = printableFields(info);
      io.out(json ? jsonLine(info) : printableLines([...(clean.machine ? [...renderMachine(clean.machine), ''] : []), renderInspect(clean)].join('\n')));
      return 0;
    }
    const onProgress = (p: Progress): void => {
      if (json) io.out(jsonLine({ type: 'progress', ...p }));
      else io.progress?.(renderProgress(p), p.done === p.total);
    };
    const result = await runJob(cmd.request, { signal, onProgress });
    if (json) io.out(jsonLine({ type: 'result', ...result }));
    else {
      const safe = printableFields(result);
      for (const w of safe.warnings) io.err(printableLines(`warning: ${w}`));
      io.out(printableLines(renderResult(safe)));
    }
    return 0;
  } catch (err) {
    return reportError(toErrorInfo(err), json, io);
  }
}

/** The process entry: wires signals and stdio, sets the exit code. */
export function runCli(): void {
  const controller = new AbortController();
  let interrupts = 0;
  let finished = false;
  const onSignal = (): void => {
    // The first signal cancels (and cleans up); a second one gives up at once.
    if (++interrupts > 1) {
      Staging.discardAllNow();
      finished = true;
      process.exit(130);
    }
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io: Io = {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
    progress: process.stderr.isTTY ? (s, final) => process.stderr.write(`\r${s}\u001b[K${final ? '\n' : ''}`) : undefined,
  };
  // If the event loop ever empties while the work is unfinished (a bug: something awaited that
  // nothing will settle), say so and fail instead of exiting 0 with no result.
  process.on('exit', () => {
    if (finished) return;
    process.stderr.write('ferry: internal error: the work stopped before it finished.\n');
    process.exitCode = 3;
  });
  void main(process.argv.slice(2), io, controller.signal).then((code) => {
    finished = true;
    process.exitCode = code;
  });
}

if (require.main === module) runCli();
