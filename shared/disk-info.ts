// What `inspect` learns about a source disk. Plain data: it crosses the worker and IPC boundaries.
import type { Notice } from './notices';

export const SOURCE_FORMATS = ['vhd', 'vhdx', 'vmdk', 'raw'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];
export const SOURCE_VARIANTS = ['fixed', 'dynamic', 'differencing', 'flat', 'sparse', 'streamOptimized', 'raw'] as const;
export type SourceVariant = (typeof SOURCE_VARIANTS)[number];

export interface Geometry {
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
}

export interface Creator {
  /**
   * A VHD's four-character application tag, trimmed (`vpc`, `win`, `qemu`, `qem2`, `d2v`, …); a
   * VHDX's creator string, up to 256 UTF-16 units (`Microsoft Windows 10.0.18363.0`).
   */
  app: string;
  /** A readable name for the tag when we know it (`Virtual PC`, `Hyper-V / Windows`, …). */
  appName?: string;
  version: string;
  host: string;
}

/** Present when a VHD's `current size` and its CHS geometry disagree. */
export interface SizeCandidates {
  currentSize: number;
  chsSize: number;
  chosen: 'current' | 'chs';
  /** Why, in English as the CLI prints it. */
  reason: string;
  /** The same reason as a code with parameters. */
  reasonCode: Notice;
}

export interface ParentLink {
  path: string;
  variant: SourceVariant;
  uuid?: string;
}

export type PartitionScheme = 'mbr' | 'gpt';

export interface PartitionEntry {
  index: number;
  /** MBR: two hex digits (`0x83`); GPT: the type GUID in its usual text form. */
  type: string;
  typeName: string;
  /** GPT partition name, if any. */
  name?: string;
  startBytes: number;
  sizeBytes: number;
  bootable?: boolean;
  /** File system recognised from the partition's first sectors, if any. */
  filesystem?: string;
}

export interface PartitionTable {
  scheme: PartitionScheme;
  /** GPT disk GUID or MBR disk signature. */
  diskId?: string;
  partitions: PartitionEntry[];
}

export interface GuestGuess {
  /** A .vmx `guestOS` value. */
  guestOS: string;
  /** Human-readable family, e.g. `Windows`, `Linux`, `Container Linux (CoreOS)`. */
  family: string;
  firmware: 'bios' | 'efi';
  /** Why we think so, one short clause per piece of evidence (in English, as the CLI prints it). */
  evidence: string[];
  /** The same clauses as codes with parameters, in the same order: what the wizard says in the user's language. */
  evidenceCodes: Notice[];
  /** The OS as the guest's own files name it (Windows registry, Linux os-release), when they could be read. */
  os?: GuestOs;
}

/** One change Ferry made inside the guest (boot repair): the registry value and the disk bytes patched. */
export interface GuestChange {
  /** e.g. `ControlSet001\Services\storahci\Start: 3 → 0`. */
  what: string;
  /** Byte offset on the virtual disk, and how many bytes. */
  offset: number;
  length: number;
}

/** How a Linux guest's newest kernel has a storage driver: built in, in its initramfs, neither, or not known. */
export const DRIVER_STATES = ['builtin', 'initramfs', 'missing', 'unknown'] as const;
export type DriverAvailability = (typeof DRIVER_STATES)[number];

export interface GuestOs {
  /** `Windows 11 Pro`, `Red Hat Enterprise Linux`, … */
  name: string;
  /** `23H2, build 22631.3155`, `9.4`, … */
  version?: string;
  /** Windows build number. */
  build?: number;
  /** Linux: the boot storage drivers (`vmw_pvscsi`, `ahci`, `ata_piix`) of the newest kernel. */
  drivers?: Record<string, DriverAvailability>;
}

/** Containers Ferry unpacks before reading the disk inside. */
export const COMPRESSION_FORMATS = ['gzip', 'bzip2', 'xz', 'zip', 'tar'] as const;
export type CompressionFormat = (typeof COMPRESSION_FORMATS)[number];

/** Present when the source file is compressed or an archive: what was unpacked to reach the disk. */
export interface CompressionInfo {
  /** The outermost container (`bzip2` for a .vhd.bz2, `gzip` for a .tar.gz). */
  format: CompressionFormat;
  /** Every container from the outside in (`['gzip', 'tar']` for a .tar.gz). */
  layers: CompressionFormat[];
  /** The archive member that holds the disk (zip and tar), as named in the archive. */
  member?: string;
  /** Bytes of the unpacked disk file. */
  unpackedSize: number;
}

export interface DiskInfo {
  path: string;
  fileSize: number;
  format: SourceFormat;
  variant: SourceVariant;
  virtualSize: number;
  sizeCandidates?: SizeCandidates;
  /** Bytes the source actually stores for this layer and its parents (what a conversion reads). */
  allocatedBytes: number;
  blockSize?: number;
  creator?: Creator;
  uuid?: string;
  geometry?: Geometry;
  savedState?: boolean;
  /** Pre-2004 Virtual PC images end in a 511-byte footer. */
  footerLength?: number;
  /** Parents, nearest first; empty unless the disk is differencing. */
  parents: ParentLink[];
  partitions: PartitionTable | null;
  guest?: GuestGuess;
  /** The source is compressed (or an archive); everything else describes the disk inside. */
  compression?: CompressionInfo;
  /**
   * Every file reading the disk opens, in the order it opens them: the source itself, then a VMDK's
   * extent files, then the parents nearest first. (`inspect` always sets it.)
   */
  files?: string[];
  /** The source was a machine configuration (or its folder): this disk is its boot disk. */
  machine?: MachineInfo;
  /** In English, as the CLI prints them. */
  warnings: string[];
  /** The same warnings as codes with parameters, in the same order. */
  warningCodes: Notice[];
}

/** Configuration files Ferry reads a whole machine from. */
export const MACHINE_KINDS = ['vmc', 'hyperv-xml', 'hyperv-vmcx', 'vmx'] as const;
export type MachineKind = (typeof MACHINE_KINDS)[number];
export const MACHINE_BUSES = ['ide', 'scsi', 'sata', 'nvme'] as const;
export type MachineBus = (typeof MACHINE_BUSES)[number];

/** One disk a configuration attaches, as it writes it, and where it was found on this computer. */
export interface MachineDisk {
  bus: MachineBus;
  /** The controller's number (IDE 0/1, SCSI 0–3, …). */
  controller: number;
  /** The slot on that controller (IDE master 0 / slave 1, SCSI target, …). */
  unit: number;
  /** The path as the configuration writes it: the old host's, often `C:\…`. */
  path: string;
  /** A second, relative form the configuration also records (Virtual PC). */
  relativePath?: string;
  /** The controller model the configuration names (`lsilogic`, `pvscsi`, …), when it names one. */
  model?: string;
  /** Where the disk was found, and by which rule; absent when it was not found. */
  found?: { path: string; how: 'beside' | 'stated'; outside: boolean };
  /** The app's survey of a machine: every place a disk not found was looked for, in order. */
  lookedFor?: string[];
  /**
   * The app's survey: the found file's size, and what it holds once it may be read (a disk
   * outside the machine's folder is not opened before the user confirms it).
   */
  file?: MachineDiskFile;
}

/** A machine's disk as the app's survey found it. */
export interface MachineDiskFile {
  fileSize: number;
  format?: SourceFormat;
  variant?: SourceVariant;
  virtualSize?: number;
  /** Why it could not be read as a disk (the engine's message). */
  problem?: string;
}

/**
 * A machine configuration as the wizard shows it before converting: every disk, where it was
 * found and what it is. `disk` (the boot disk, inspected) is there only when every disk was found
 * and may be used, so a job can start.
 */
export interface MachineSurvey {
  machine: MachineInfo;
  disk?: DiskInfo;
}

export interface MachineSnapshot {
  id: string;
  name: string;
  parent?: string;
  /** The snapshot the machine runs from now. */
  current?: boolean;
  /** Its saved state or configuration file, when there is one. */
  file?: string;
}

/** A file of a VMware VM folder and what it is for. */
export interface MachineFile {
  name: string;
  role: string;
}

/** A machine read from its configuration: the defaults a `vm` or `ova` job starts from. */
export interface MachineInfo {
  kind: MachineKind;
  /** The configuration file read. */
  config: string;
  /** The folder disks may come from without confirmation. */
  tree: string;
  name: string;
  memoryMB?: number;
  cpus?: number;
  /** Hyper-V's generation: 2 boots by UEFI. */
  generation?: 1 | 2;
  firmware?: 'bios' | 'efi';
  secureBoot?: boolean;
  /** A .vmx `guestOS` value, when the configuration states one. */
  guestOS?: string;
  nics: number;
  /** In boot order: the first is the boot disk. */
  disks: MachineDisk[];
  snapshots: MachineSnapshot[];
  /** VMware folders: every file and its role. */
  files?: MachineFile[];
  warnings: string[];
  /** The same warnings as codes with parameters, in the same order. */
  warningCodes: Notice[];
}
