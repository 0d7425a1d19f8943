import { open, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { FerryError, corrupt } from '../errors';
import { nativeAddon } from './native-addon';

/** The size of the reads a large read is split into. */
const READ_PIECE = 1024 * 1024;

/** Set once the addon has said this system cannot read from the page cache without waiting. */
let cacheReadsUnsupported = false;

/**
 * After a read that found part of its bytes outside the page cache, this many reads of the same
 * file skip the attempt: a file read from the disk (a cold source) would otherwise have every
 * read start the kernel's read-ahead from this thread, which can wait on the disk's queue, and
 * in interleaved cold runs that made the conversion ~25 % slower.
 */
const SKIP_AFTER_MISS = 64;

/**
 * Copies into buf[offset..] what the page cache already holds of the file from `position` on, here
 * and now; the bytes copied (0 where the addon is not built or the system cannot tell). Nearly
 * every read of a warm conversion and of every read-back finds its bytes cached, and for those the
 * trip through libuv's threads (a pool thread woken, then this one) costs more than the copy: the
 * read-back of 512 MiB took ~15-30 % less time this way on the bench's machine.
 */
function readFromCache(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
  if (cacheReadsUnsupported) return 0;
  const addon = nativeAddon()?.addon;
  if (!addon) return 0;
  const n = addon.readCached(fd, buf, offset, length, position);
  if (n < 0) cacheReadsUnsupported = true;
  return Math.max(0, n);
}

/** Never block on a FIFO, never adopt a terminal (both flags are absent on Windows, where neither applies). */
const OPEN_EXTRA = (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * Most handles of "parkable" files (the extents of a split VMDK: up to 32 768 of them for a
 * 64 TiB disk) kept open at once; the least recently used idle ones are closed and reopened on
 * their next read, so no disk runs into the process's limit on open files.
 */
const MAX_PARKABLE_OPEN = 128;
const openParkable = new Set<ReadOnlyFile>(); // in order of last use, oldest first

function closeIdleParkable(): void {
  for (const f of openParkable) {
    if (openParkable.size <= MAX_PARKABLE_OPEN) break;
    f.park();
  }
}

async function openHandle(path: string): Promise<FileHandle> {
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever; it
    // changes nothing for regular files, and anything else is refused below.
    return await open(path, constants.O_RDONLY | OPEN_EXTRA);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FerryError('E_NOT_FOUND', `${path}: no such file.`, 'Check the path and try again.');
    if (code === 'ENOTDIR') throw new FerryError('E_NOT_FOUND', `${path}: no such file (a part of the path is a file, not a folder).`, 'Check the path and try again.');
    if (code === 'ENAMETOOLONG') throw new FerryError('E_NOT_FOUND', `${path.slice(0, 120)}…: no such file (the name is too long for this system).`, 'Check the path and try again.');
    if (code === 'ELOOP') throw new FerryError('E_NOT_FOUND', `${path}: the path leads through a loop of symbolic links, so no file is there.`, 'Check where the link points.');
    if (code === 'EACCES' || code === 'EPERM') throw new FerryError('E_PERMISSION', `${path}: permission denied while opening it for reading.`);
    if (code === 'EISDIR') throw new FerryError('E_NOT_A_DISK', `${path}: is a folder, not a disk image.`);
    throw err;
  }
}

/**
 * A source file opened read-only. Every read states what it is reading so that a short read
 * (a truncated file, a table pointing past the end) becomes an error naming the structure.
 */
export class ReadOnlyFile {
  private handle: FileHandle | undefined;
  private reopening: Promise<FileHandle> | undefined;
  private busy = 0;
  private closed = false;
  /** Reads left that go straight to libuv, since one found bytes outside the page cache. */
  private skipCache = 0;

  private constructor(
    readonly path: string,
    handle: FileHandle,
    readonly size: number,
    /** The file's identity, checked when a parked handle is reopened. */
    private readonly identity: { dev: number; ino: number; mtimeMs: number } | undefined,
  ) {
    this.handle = handle;
    if (identity) {
      openParkable.add(this);
      closeIdleParkable();
    }
  }

  /**
   * Opens `path` for reading. `parkable`: one of many files of one disk, whose handle may be
   * closed while idle and reopened on demand (it must then still be the same, unchanged file).
   */
  static async open(path: string, opts: { parkable?: boolean } = {}): Promise<ReadOnlyFile> {
    const handle = await openHandle(path);
    try {
      const st = await handle.stat();
      if (st.isDirectory()) throw new FerryError('E_NOT_A_DISK', `${path}: is a folder, not a disk image.`);
      if (!st.isFile()) throw new FerryError('E_NOT_A_DISK', `${path}: is not a regular file (a device, pipe or socket), so it cannot be a disk image.`);
      return new ReadOnlyFile(path, handle, st.size, opts.parkable ? { dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs } : undefined);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Closes the handle of an idle parkable file; its next read reopens it. */
  park(): void {
    if (!this.identity || this.busy > 0 || !this.handle) return;
    const h = this.handle;
    this.handle = undefined;
    openParkable.delete(this);
    void h.close().catch(() => undefined);
  }

  private async acquire(): Promise<FileHandle> {
    if (this.closed) throw new FerryError('E_INTERNAL', `Internal error: ${this.path} read after it was closed.`);
    this.busy++;
    try {
      if (this.identity) {
        // Most recently used goes last.
        openParkable.delete(this);
        openParkable.add(this);
      }
      if (this.handle) return this.handle;
      this.reopening ??= this.reopen().finally(() => (this.reopening = undefined));
      return await this.reopening;
    } catch (err) {
      this.busy--;
      throw err;
    }
  }

  private async reopen(): Promise<FileHandle> {
    const handle = await openHandle(this.path);
    const st = await handle.stat().catch(async (err: unknown) => {
      await handle.close();
      throw err;
    });
    const id = this.identity!;
    if (st.dev !== id.dev || st.ino !== id.ino || st.size !== this.size || st.mtimeMs !== id.mtimeMs) {
      await handle.close();
      throw new FerryError('E_IO', `${this.path}: the file was replaced or changed while it was being read.`, 'Leave the disk\'s files alone while Ferry reads them, then try again.');
    }
    this.handle = handle;
    closeIdleParkable();
    return handle;
  }

  /**
   * Reads exactly `length` bytes at `position` into `into[0..length)`. A large read goes out as
   * several reads side by side: copying out of the page cache is cheaper spread over threads.
   */
  async readExact(position: number, length: number, what: string, into?: Buffer): Promise<Buffer> {
    const buf = into ?? Buffer.allocUnsafe(length);
    if (position < 0 || position + length > this.size) {
      throw corrupt(this.path, `${what} at offset ${position} (${length} bytes) lies beyond the end of the file (${this.size} bytes).`);
    }
    if (length <= 2 * READ_PIECE) await this.readPiece(buf, 0, length, position, what);
    else {
      const pieces: Array<Promise<void>> = [];
      for (let at = 0; at < length; at += READ_PIECE) pieces.push(this.readPiece(buf, at, Math.min(READ_PIECE, length - at), position + at, what));
      await Promise.all(pieces);
    }
    return buf;
  }

  private async readPiece(buf: Buffer, offset: number, length: number, position: number, what: string): Promise<void> {
    const handle = await this.acquire();
    try {
      let got = 0;
      if (this.skipCache > 0) this.skipCache--;
      else {
        got = readFromCache(handle.fd, buf, offset, length, position);
        if (got < length) this.skipCache = SKIP_AFTER_MISS;
      }
      while (got < length) {
        const { bytesRead } = await handle.read(buf, offset + got, length - got, position + got);
        if (bytesRead === 0) {
          throw corrupt(this.path, `unexpected end of file while reading ${what} at offset ${position + got}; the file may have been truncated.`);
        }
        got += bytesRead;
      }
    } finally {
      this.busy--;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    openParkable.delete(this);
    const h = this.handle;
    this.handle = undefined;
    await h?.close().catch(() => undefined);
  }
}
