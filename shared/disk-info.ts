// What `inspect` learns about a source disk. Plain data: it crosses the worker and IPC boundaries.

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
  /** The four-character application tag, trimmed (`vpc`, `win`, `qemu`, `qem2`, `d2v`, …). */
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
  reason: string;
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
  /** Why we think so, one short clause per piece of evidence. */
  evidence: string[];
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
  warnings: string[];
}
