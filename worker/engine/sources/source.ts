import type { EngineDiskInfo } from '../notices';

/** A run of the virtual disk: `data` must be read, `zero` is known to read as zeros. */
export interface Run {
  offset: number;
  length: number;
  kind: 'data' | 'zero';
}

/**
 * The read side of a conversion, one implementation per input format. Differencing chains are
 * already merged: a source shows the guest-visible disk.
 */
export interface DiskSource {
  readonly path: string;
  readonly size: number;
  /** What `inspect` reports, without the partition table (read separately through `read`). */
  readonly info: Omit<EngineDiskInfo, 'partitions' | 'guest'>;
  /** Files read besides `path` and the parents (a VMDK descriptor's extent files): never written to. */
  readonly extentFiles?: readonly string[];
  /**
   * Bytes this view shows in place of the file's (a guest repair's patch): a copy that bypasses
   * `read` (the kernel's copy of a flat extent) must write them itself.
   */
  readonly overlay?: ReadonlyArray<{ offset: number; bytes: Buffer }>;
  /** Ordered, non-overlapping runs covering [0, size) exactly. ("Extent" means a file, as VMware and qemu use it.) */
  runs(): AsyncIterable<Run>;
  /** Reads [offset, offset + length) of the virtual disk into `into[0..length)`. */
  read(offset: number, length: number, into: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** Every file a source reads (itself, its extents, its parents): what an output must never overwrite. */
export function sourceFiles(source: DiskSource): string[] {
  return [source.path, ...(source.extentFiles ?? []), ...source.info.parents.map((p) => p.path)];
}
