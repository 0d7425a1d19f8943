import { execFile } from 'node:child_process';
import { open, type FileHandle } from 'node:fs/promises';
import { writeAll } from '../io/write-all';

/** Most iovecs one writev may carry (POSIX IOV_MAX on Linux and macOS). */
const MAX_IOV = 1024;

/**
 * The size of the writes a large write is split into. Not smaller: pieces side by side wait on
 * the file's inode lock, and the writers overlap a chunk's write with the next chunk's read instead
 * (docs/architecture.md, "How writes run").
 */
const WRITE_PIECE = 4 * 1024 * 1024;

/** A file the engine creates (never a source): exclusive create, positioned vectored writes. */
export class OutputFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string): Promise<OutputFile> {
    return new OutputFile(path, await open(path, 'wx'));
  }

  /** Writes `data` at `position`; one larger than WRITE_PIECE goes out as several writes side by side. */
  async write(data: Buffer, position: number): Promise<void> {
    if (data.length <= WRITE_PIECE) return writeAll(this.handle, data, position);
    const pieces: Array<Promise<void>> = [];
    for (let at = 0; at < data.length; at += WRITE_PIECE) pieces.push(writeAll(this.handle, data.subarray(at, Math.min(data.length, at + WRITE_PIECE)), position + at));
    await Promise.all(pieces);
  }

  /** Writes `buffers` back to back starting at `position`; like `write`, in pieces of about WRITE_PIECE side by side. */
  async writev(buffers: Buffer[], position: number): Promise<void> {
    const groups: Array<{ buffers: Buffer[]; position: number }> = [];
    let group: Buffer[] = [];
    let bytes = 0;
    let at = position;
    for (const b of buffers) {
      group.push(b);
      bytes += b.length;
      if (bytes >= WRITE_PIECE || group.length === MAX_IOV) {
        groups.push({ buffers: group, position: at });
        at += bytes;
        group = [];
        bytes = 0;
      }
    }
    if (group.length > 0) groups.push({ buffers: group, position: at });
    await Promise.all(groups.map((g) => this.writevAll(g.buffers, g.position)));
  }

  /** One vectored write of at most MAX_IOV buffers, continued after short writes. */
  private async writevAll(buffers: Buffer[], position: number): Promise<void> {
    let batch = buffers;
    let total = batch.reduce((n, b) => n + b.length, 0);
    let pos = position;
    while (total > 0) {
      const { bytesWritten } = await this.handle.writev(batch, pos);
      pos += bytesWritten;
      total -= bytesWritten;
      if (total === 0) break;
      // A short write: drop what was written and go on with the rest.
      let skip = bytesWritten;
      while (skip >= batch[0]!.length) {
        skip -= batch[0]!.length;
        batch = batch.slice(1);
      }
      batch = [batch[0]!.subarray(skip), ...batch.slice(1)];
    }
  }

  truncate(size: number): Promise<void> {
    return this.handle.truncate(size);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/**
 * Reserves `size` bytes for a flat extent so that a full disk fails now, not mid-way, and the
 * file is not fragmented. Node has no fallocate(2); util-linux's fallocate(1) does it on Linux.
 * Elsewhere (or where the file system cannot) the file stays sparse, which reads the same.
 */
export function preallocate(path: string, size: number): Promise<boolean> {
  if (process.platform !== 'linux' || size === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile('fallocate', ['-l', String(size), path], (err) => resolve(!err));
  });
}
