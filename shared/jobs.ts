// Requests, progress and results of conversion jobs: what the CLI, the worker thread and the
// app's JobService exchange.
import type { GuestChange } from './disk-info';
import type { ErrorInfo } from './errors';
import type { Notice } from './notices';
import type { Adapter, Controller, Firmware, Subformat, VhdSizeRule, VmSubformat } from './options';

export interface ConvertRequest {
  kind: 'convert';
  source: string;
  /** The .vmdk to create (for split and flat subformats: the descriptor). */
  output: string;
  subformat: Subformat;
  adapter: Adapter;
  verify: boolean;
  overwrite: boolean;
  vhdSizeRule?: VhdSizeRule;
}

/**
 * What a cloud image is given on its first boot, through VMware's guestinfo keys: public keys and
 * a host name (Ferry writes the Ignition config or cloud-config the image reads), or the user's
 * own Ignition config or cloud-init files, passed unchanged. Texts, not paths: the CLI reads the files.
 */
export interface FirstBoot {
  /** OpenSSH public key lines. */
  sshKeys?: string[];
  hostname?: string;
  /** An Ignition config (JSON), for CoreOS-family images. */
  ignition?: string;
  /** cloud-init user-data. */
  cloudInit?: string;
  /** cloud-init meta-data. */
  cloudInitMeta?: string;
}

/** The virtual hardware a `vm` or `ova` job may ask for; what is absent is detected or defaulted. */
export interface HardwareChoices {
  /** The VM's name (default: the source's file name); for an OVA it also names the files inside. */
  name?: string;
  guest?: string;
  memoryMB?: number;
  cpus?: number;
  firmware?: Firmware;
  controller?: Controller;
  hwVersion?: number;
  /** Windows boot repair in the output disk (default on); false is `--no-guest-repair`. */
  guestRepair?: boolean;
  firstBoot?: FirstBoot;
}

export interface VmRequest extends HardwareChoices {
  kind: 'vm';
  source: string;
  /** The folder in which `<name>/` is created. */
  destDir: string;
  subformat: VmSubformat;
  /** Point the VM at the fixed VHD in place instead of copying its data. */
  zeroCopy: boolean;
  verify: boolean;
  overwrite: boolean;
  vhdSizeRule?: VhdSizeRule;
  /** The source is a machine configuration whose disks may come from outside its folder (the user confirmed). */
  allowOutsideDisks?: boolean;
  /** Disks 2..n of the machine, after `source` (the boot disk). */
  extraSources?: string[];
}

/** What `ova` and `box` share: a machine packed into one file. */
interface PackedMachineRequest extends HardwareChoices {
  source: string;
  /** The file to create. */
  output: string;
  verify: boolean;
  overwrite: boolean;
  vhdSizeRule?: VhdSizeRule;
  /** As for `vm`. */
  allowOutsideDisks?: boolean;
  /** As for `vm`: each becomes a disk of the one machine. */
  extraSources?: string[];
}

/** `ferry ova`: an OVA (OVF 1.0 + SHA-256 manifest + streamOptimized disk) for ESXi and vSphere. */
export interface OvaRequest extends PackedMachineRequest {
  kind: 'ova';
}

/** `ferry box`: a Vagrant box for the vmware_desktop provider (a gzip'd tar of the VM's .vmx and disk, metadata.json, a Vagrantfile). */
export interface BoxRequest extends PackedMachineRequest {
  kind: 'box';
}

export type JobRequest = ConvertRequest | VmRequest | OvaRequest | BoxRequest;

/** The extension of the file a job's `output` names; a `vm` job names a folder and makes `<Name>.vmx` in it. */
export const OUTPUT_EXTENSION = { convert: '.vmdk', ova: '.ova', vm: '.vmx', box: '.box' } as const satisfies Record<JobRequest['kind'], string>;

/** Whether `path` ends in the extension `kind` writes (any case). */
export const hasOutputExtension = (kind: JobRequest['kind'], path: string): boolean => path.toLowerCase().endsWith(OUTPUT_EXTENSION[kind]);

export const PHASES = ['decompressing', 'converting', 'verifying'] as const;
export type Phase = (typeof PHASES)[number];

export interface Progress {
  phase: Phase;
  /** Bytes of the virtual disk covered so far in this phase. */
  done: number;
  total: number;
  /** Bytes per second over the recent past. */
  rate: number;
}

export interface VmSummary {
  guestOS: string;
  firmware: Firmware;
  controller: Controller;
  memoryMB: number;
  cpus: number;
  hwVersion: number;
  /** True when the VM uses the source .vhd in place (`--zero-copy`). */
  zeroCopy: boolean;
  /** What boot repair changed in the guest, with the disk bytes patched; absent when nothing. */
  guestChanges?: GuestChange[];
}

/** What a `vm`, `ova` or `box` job wrote for the guest's first boot. */
export interface FirstBootSummary {
  /** The guestinfo keys written (in the .vmx, or as OVF properties). */
  guestinfo: string[];
  /** The first-boot agent the image was taken to run: 'fedora-coreos', 'flatcar', 'container-linux' or 'cloud-init'. */
  image: string;
  /** The user the keys let in, where the image family says. */
  sshUser?: string;
}

export interface JobResult {
  /** The file a user opens: the .vmdk descriptor, or the .vmx for a VM. */
  output: string;
  /** Every file made, absolute paths. */
  files: string[];
  vmx?: string;
  /** The VM folder, for `vm` jobs. */
  folder?: string;
  /** The virtual hardware a `vm` or `ova` job chose (detected or as asked). */
  vm?: VmSummary;
  firstBoot?: FirstBootSummary;
  subformat: Subformat;
  virtualSize: number;
  /** Bytes of disk data actually written (zero grains excluded). */
  dataBytes: number;
  verified: boolean;
  /** In English, as the CLI prints them. */
  warnings: string[];
  /** The same warnings as codes with parameters, in the same order: what the wizard says in the user's language. */
  warningCodes: Notice[];
  seconds: number;
}

export type JobEvent =
  | ({ type: 'progress'; jobId: string } & Progress)
  | { type: 'done'; jobId: string; result: JobResult }
  | { type: 'failed'; jobId: string; error: ErrorInfo }
  | { type: 'cancelled'; jobId: string };
