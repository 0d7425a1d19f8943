// What the user chooses between inspecting and converting, its defaults from the inspection,
// its checks, and the job request it turns into. Plain TypeScript: tested under Node.
import type { DiskInfo, GuestGuess } from '../../../shared/disk-info';
import { OUTPUT_EXTENSION, type ConvertRequest, type OvaRequest, type VmRequest } from '../../../shared/jobs';
import { HARDWARE_BOUNDS, adapterForController, type Controller, type Firmware, type Subformat, type VhdSizeRule } from '../../../shared/options';
import { fileNameProblem, safeFileName } from '../../../shared/file-names';
import { hostnameIssue, publicKeyIssue, publicKeyLines } from '../../../shared/first-boot';
import { sayProblem } from './first-boot-words';
import { t } from '../i18n';
import type { Many } from './many-types';

/** The disk-type step's four answers (WinImage's fixed/dynamic, plus split and stream). */
export const DISK_LAYOUTS = ['dynamic', 'fixed', 'split', 'stream'] as const;
export type DiskLayout = (typeof DISK_LAYOUTS)[number];

/** A VM folder for Workstation/Player/Fusion, the disk alone, or an OVA for ESXi and vSphere. */
export const SAVE_KINDS = ['vm', 'vmdk', 'ova'] as const;
export type SaveAs = (typeof SAVE_KINDS)[number];

/**
 * The save step's first question: where the machine will run. Workstation, Player and Fusion
 * run a hosted disk from a folder; ESXi and vSphere import a stream-optimized one, in an OVA.
 */
export const TARGETS = ['workstation', 'esxi'] as const;
export type Target = (typeof TARGETS)[number];

/** The engine shortens longer names (worker/engine/vm/names.ts); the form says so instead. */
export const MAX_NAME = 60;

export interface Choices {
  layout: DiskLayout;
  /** Split only: preallocate each 2 GB piece (twoGbMaxExtentFlat) instead of growing them. */
  preallocateSplit: boolean;
  /** 'auto' lets the engine pick from what it detected. */
  controller: Controller | 'auto';
  /** What the user picked; a stream-optimized disk never makes a VM folder (see `effectiveSaveAs`). */
  saveAs: SaveAs;
  name: string;
  destination: string;
  guestOS: string;
  memoryMB: number;
  cpus: number;
  firmware: Firmware;
  hwVersion: number | 'auto';
  vhdSizeRule: VhdSizeRule;
  verify: boolean;
  overwrite: boolean;
  /** Windows boot repair in the new VM's disk (on unless unticked). */
  guestRepair: boolean;
  /** First boot of a cloud image: pasted public keys, one a line, and a host name (both optional). */
  sshKeys?: string;
  hostname?: string;
}

export interface Setup {
  /** The boot disk (of a machine, or the first of several files). */
  disk: DiskInfo;
  suggestedDestination: string;
  choices: Choices;
  /** What the job reads when it is not `disk.path`: a machine configuration, which brings its disks. */
  source?: string;
  /** The user confirmed the machine's disks from outside its folder. */
  allowOutsideDisks?: boolean;
  /** Several files opened at once, and what to make of them. */
  many?: Many;
}

/** Only a whole machine can be made (a configuration, or several disks as one machine): no "disk only". */
export function onlyMachine(setup: Pick<Setup, 'disk' | 'many'>): boolean {
  return setup.disk.machine !== undefined || setup.many?.mode === 'machine';
}

/** Several files converted one by one: each takes its own name and hardware from what was found on it. */
export const isQueue = (setup: Pick<Setup, 'many'>): boolean => setup.many?.mode === 'each';

export function subformatOf(c: Pick<Choices, 'layout' | 'preallocateSplit'>): Subformat {
  switch (c.layout) {
    case 'dynamic':
      return 'monolithicSparse';
    case 'fixed':
      return 'monolithicFlat';
    case 'split':
      return c.preallocateSplit ? 'twoGbMaxExtentFlat' : 'twoGbMaxExtentSparse';
    case 'stream':
      return 'streamOptimized';
  }
}

/** Stream-optimized disks are for importing (ESXi, OVA); VMware cannot run a VM folder from one, so that choice becomes an OVA. */
export function effectiveSaveAs(c: Pick<Choices, 'layout' | 'saveAs'>): SaveAs {
  return c.layout === 'stream' && c.saveAs === 'vm' ? 'ova' : c.saveAs;
}

/** ESXi when the output is an OVA or the disk stream-optimized; the hosted products otherwise. */
export function targetOf(c: Pick<Choices, 'layout' | 'saveAs'>): Target {
  return c.saveAs === 'ova' || c.layout === 'stream' ? 'esxi' : 'workstation';
}

/** The disk type as it will be written: ESXi always gets a stream-optimized disk. */
export function shownLayout(c: Pick<Choices, 'layout' | 'saveAs'>): DiskLayout {
  return targetOf(c) === 'esxi' ? 'stream' : c.layout;
}

/**
 * The changes that make `target` the target. ESXi starts with an OVA and leaves the disk type
 * as it was (for coming back); the hosted products keep a chosen "disk only" and need a type
 * they can run.
 */
export function choicesForTarget(c: Pick<Choices, 'layout' | 'saveAs'>, target: Target): Partial<Choices> {
  if (target === targetOf(c)) return {};
  if (target === 'esxi') return { saveAs: 'ova' };
  return { saveAs: c.saveAs === 'ova' ? 'vm' : c.saveAs, ...(c.layout === 'stream' ? { layout: 'dynamic' as const } : {}) };
}

/** The second choice of the save step, per target: a VM folder or an OVA, or the .vmdk alone. */
export type Packaging = 'machine' | 'diskOnly';

export function packagingOf(c: Pick<Choices, 'layout' | 'saveAs'>): Packaging {
  return effectiveSaveAs(c) === 'vmdk' ? 'diskOnly' : 'machine';
}

export function choicesForPackaging(c: Pick<Choices, 'layout' | 'saveAs'>, packaging: Packaging): Partial<Choices> {
  if (targetOf(c) === 'workstation') return { saveAs: packaging === 'machine' ? 'vm' : 'vmdk' };
  // For ESXi the disk alone is the stream-optimized .vmdk that goes into the OVA.
  return packaging === 'machine' ? { saveAs: 'ova' } : { saveAs: 'vmdk', layout: 'stream' };
}

/** Picking a disk type: a hosted one while ESXi is the target switches back to Workstation, which is what it is for. */
export function choicesForLayout(c: Pick<Choices, 'layout' | 'saveAs'>, layout: DiskLayout): Partial<Choices> {
  if (layout !== 'stream' && targetOf(c) === 'esxi') return { layout, saveAs: c.saveAs === 'ova' ? 'vm' : c.saveAs };
  return { layout };
}

/** Whether the save step asks for the virtual machine's hardware. */
export const describesMachine = (saveAs: SaveAs): boolean => saveAs !== 'vmdk';

const EXTENSION: Record<SaveAs, string> = { vm: OUTPUT_EXTENSION.vm, vmdk: OUTPUT_EXTENSION.convert, ova: OUTPUT_EXTENSION.ova };

/** A file-system-safe name from the source file's name: `Win Server 2019.vhd` → `Win Server 2019`, `coreos.vhd.bz2` → `coreos`. */
export function nameFromPath(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? '';
  const unpacked = file.replace(/(\.(gz|gzip|bz2|bzip2|xz|zip|tar|tgz|tbz2?|txz))+$/i, '');
  const stem = unpacked.replace(/\.(a?vhdx?|vmdk|img|raw|bin|dd)$/i, '');
  return safeFileName(stem, { maxChars: MAX_NAME, fallback: t('save.defaultName') });
}

/** The detected operating system, unless detection came back empty-handed. */
export function recognisedGuest(disk: DiskInfo): GuestGuess | null {
  return disk.guest && disk.guest.family.toLowerCase() !== 'unknown' ? disk.guest : null;
}

export function defaultMemoryMB(disk: DiskInfo): number {
  const family = disk.guest?.family.toLowerCase() ?? '';
  return family.includes('windows') ? 4096 : 2048;
}

/** What a machine configuration states (name, memory, processors, firmware, guest) over what was found on its boot disk. */
function machineDefaults(disk: DiskInfo): Partial<Choices> {
  const m = disk.machine;
  if (!m) return {};
  const { memoryMB: mem, cpus } = HARDWARE_BOUNDS;
  return {
    name: safeFileName(m.name, { maxChars: MAX_NAME, fallback: nameFromPath(disk.path) }),
    ...(m.memoryMB !== undefined ? { memoryMB: Math.min(mem.max, Math.max(mem.min, Math.ceil(m.memoryMB / 4) * 4)) } : {}),
    ...(m.cpus !== undefined ? { cpus: Math.min(cpus.max, Math.max(cpus.min, m.cpus)) } : {}),
    ...(m.firmware ? { firmware: m.firmware } : {}),
    ...(m.guestOS && /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(m.guestOS) ? { guestOS: m.guestOS } : {}),
  };
}

/** The guest id the wizard starts from: the engine's own, which it fits to the hardware version itself. */
function detectedGuestOS(disk: DiskInfo): string {
  return disk.guest?.guestOS ?? 'other-64';
}

export function defaultChoices(disk: DiskInfo, suggestedDestination: string): Choices {
  return {
    layout: 'dynamic',
    preallocateSplit: false,
    controller: 'auto',
    saveAs: 'vm',
    name: nameFromPath(disk.path),
    destination: suggestedDestination,
    guestOS: detectedGuestOS(disk),
    memoryMB: defaultMemoryMB(disk),
    cpus: 2,
    firmware: disk.guest?.firmware ?? (disk.partitions?.scheme === 'gpt' ? 'efi' : 'bios'),
    hwVersion: 'auto',
    vhdSizeRule: 'auto',
    verify: true,
    overwrite: false,
    guestRepair: true,
    ...machineDefaults(disk),
  };
}

export type ChoiceField = 'name' | 'destination' | 'memoryMB' | 'cpus' | 'sshKeys' | 'hostname';

/** Whether the save step offers a first boot: a machine whose guest is not Windows (Linux and cloud images). */
export function offersFirstBoot(c: Choices): boolean {
  return describesMachine(effectiveSaveAs(c)) && !c.guestOS.startsWith('windows');
}

/** The first-boot part of the request, when the section is offered and filled in. */
function firstBootOf(c: Choices): { sshKeys?: string[]; hostname?: string } | undefined {
  if (!offersFirstBoot(c)) return undefined;
  const keys = publicKeyLines(c.sshKeys ?? '');
  const hostname = (c.hostname ?? '').trim();
  if (keys.length === 0 && hostname === '') return undefined;
  return { ...(keys.length ? { sshKeys: keys } : {}), ...(hostname ? { hostname } : {}) };
}

function firstBootProblems(c: Choices, problems: ChoiceProblems): void {
  if (!offersFirstBoot(c)) return;
  const keys = publicKeyLines(c.sshKeys ?? '');
  for (const [i, key] of keys.entries()) {
    const problem = publicKeyIssue(key);
    if (problem) {
      problems.sshKeys = keys.length > 1 ? t('save.firstBoot.keyNProblem', { n: i + 1, problem: sayProblem(problem) }) : t('save.firstBoot.keyProblem', { problem: sayProblem(problem) });
      break;
    }
  }
  const hostname = (c.hostname ?? '').trim();
  const problem = hostname ? hostnameIssue(hostname) : undefined;
  if (problem) problems.hostname = t('save.firstBoot.hostnameProblem', { problem: sayProblem(problem) });
}
export type ChoiceProblems = Partial<Record<ChoiceField, string>>;

/** Which of the shared name rule's problems a name has (it has one; the rule's order holds), in the catalogue's words. */
function nameProblem(name: string): string {
  if (/^\.+$/.test(name)) return t('problems.nameDots');
  // With a letter in front and no dot or space at the end, only a forbidden character is left to complain about.
  if (fileNameProblem(`x${name.replace(/[. ]+$/, '')}`, MAX_NAME + 1) !== null) return t('problems.nameForbidden');
  if (/[. ]$/.test(name)) return t('problems.nameEnd');
  return t('problems.nameDevice', { name: name.split('.')[0]!.trim() });
}

/** What stops the Convert button, per field, in words for the form. */
export function problemsWith(c: Choices): ChoiceProblems {
  const problems: ChoiceProblems = {};
  const name = c.name;
  if (name.trim() === '') problems.name = t('problems.nameEmpty');
  else if (name !== name.trim()) problems.name = t('problems.nameSpaces');
  else if (name.length > MAX_NAME) problems.name = t('problems.nameTooLong', { max: MAX_NAME });
  else if (fileNameProblem(name, MAX_NAME) !== null) problems.name = nameProblem(name);
  if (c.destination === '') problems.destination = t('problems.destination');
  if (describesMachine(effectiveSaveAs(c))) {
    const { memoryMB: mem, cpus } = HARDWARE_BOUNDS;
    if (!Number.isInteger(c.memoryMB) || c.memoryMB < mem.min || c.memoryMB > mem.max) problems.memoryMB = t('problems.memoryRange', { min: mem.min });
    else if (c.memoryMB % 4 !== 0) problems.memoryMB = t('problems.memoryMultiple');
    if (!Number.isInteger(c.cpus) || c.cpus < cpus.min || c.cpus > cpus.max) problems.cpus = t('problems.cpusRange', { min: cpus.min, max: cpus.max });
  }
  firstBootProblems(c, problems);
  return problems;
}

/** Joins a folder and a name with the folder's own separator (the renderer has no `path`). */
export function joinPath(folder: string, name: string): string {
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return folder.endsWith(sep) ? `${folder}${name}` : `${folder}${sep}${name}`;
}

/** Where the output will be, as the save step shows it before converting. */
export function plannedOutput(c: Choices): string {
  const kind = effectiveSaveAs(c);
  const file = `${c.name}${EXTENSION[kind]}`;
  return kind === 'vm' ? joinPath(joinPath(c.destination, c.name), file) : joinPath(c.destination, file);
}

export function buildRequest(setup: Setup): ConvertRequest | VmRequest | OvaRequest {
  const { disk } = setup;
  // A machine is never a lone .vmdk: "disk only" is not offered, and a stale choice becomes the folder.
  const c = onlyMachine(setup) && setup.choices.saveAs === 'vmdk' ? { ...setup.choices, saveAs: 'vm' as const } : setup.choices;
  const subformat = subformatOf(c);
  const extra = setup.many?.mode === 'machine' ? setup.many.items.slice(1).map((i) => i.path) : [];
  const common = {
    source: setup.source ?? disk.path,
    verify: c.verify,
    overwrite: c.overwrite,
    ...(c.vhdSizeRule !== 'auto' ? { vhdSizeRule: c.vhdSizeRule } : {}),
  };
  const machine = {
    name: c.name,
    // Only a guest the user picked is sent: the detected one is left to the engine, which fits it
    // to the hardware version (windows11-64 → windows9-64 before 21) exactly as for the CLI.
    ...(c.guestOS !== detectedGuestOS(disk) ? { guest: c.guestOS } : {}),
    memoryMB: c.memoryMB,
    cpus: c.cpus,
    firmware: c.firmware,
    ...(c.controller !== 'auto' ? { controller: c.controller } : {}),
    ...(c.hwVersion !== 'auto' ? { hwVersion: c.hwVersion } : {}),
    ...(c.guestRepair ? {} : { guestRepair: false }),
    ...(setup.allowOutsideDisks ? { allowOutsideDisks: true } : {}),
    ...(extra.length ? { extraSources: extra } : {}),
  };
  const firstBoot = firstBootOf(c);
  if (firstBoot) Object.assign(machine, { firstBoot });
  const kind = effectiveSaveAs(c);
  if (kind === 'ova') return { kind: 'ova', ...common, output: joinPath(c.destination, `${c.name}.ova`), ...machine };
  if (kind === 'vmdk' || subformat === 'streamOptimized') {
    return {
      kind: 'convert',
      ...common,
      output: joinPath(c.destination, `${c.name}.vmdk`),
      subformat,
      adapter: c.controller === 'auto' ? 'lsilogic' : adapterForController(c.controller),
    };
  }
  return { kind: 'vm', ...common, destDir: c.destination, subformat, ...machine, zeroCopy: false };
}
