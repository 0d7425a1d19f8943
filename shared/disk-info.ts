// What `inspect` learns about a source disk. Plain data: it crosses the worker and IPC boundaries.

export type SourceFormat = 'vhd' | 'vhdx' | 'vmdk' | 'raw';
export type SourceVariant = 'fixed' | 'dynamic' | 'differencing' | 'flat' | 'sparse' | 'streamOptimized' | 'raw';

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
  warnings: string[];
}
