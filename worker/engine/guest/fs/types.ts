// The read-only view every guest file-system reader gives: paths in, bounded file contents out.
export type NodeKind = 'file' | 'dir' | 'symlink' | 'other';

export interface GuestStat {
  kind: NodeKind;
  size: number;
}

/** A run of a file's data on the disk: file bytes [fileOffset, +length) are disk bytes [diskOffset, +length). */
export interface DiskRange {
  fileOffset: number;
  diskOffset: number;
  length: number;
}

/** What each file-system driver implements; `GuestFs` adds paths and symlinks on top. */
export interface FsDriver<N> {
  readonly type: string;
  root(): Promise<N>;
  /** The entry `name` of directory `dir` (case-insensitively where the file system is). */
  child(dir: N, name: string): Promise<N | undefined>;
  list(dir: N): Promise<string[]>;
  stat(node: N): GuestStat;
  /** The whole file; fails (GuestFsError) when it is larger than `maxBytes`. */
  read(node: N, maxBytes: number): Promise<Buffer>;
  readlink(node: N): Promise<string>;
  /** Bytes [offset, offset + length) of a file, for files too large to read whole. */
  readRange?(node: N, offset: number, length: number): Promise<Buffer>;
  /** Where a file's bytes are on the disk, when the file system stores them plainly. */
  diskRanges?(node: N): Promise<DiskRange[]>;
}
