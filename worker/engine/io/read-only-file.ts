import { open, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { FerryError, corrupt } from '../errors';

/** The size of the reads a large read is split into. */
const READ_PIECE = 1024 * 1024;

/** Never block on a FIFO, never adopt a terminal (both flags are absent on Windows, where neither applies). */
const OPEN_EXTRA = (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * A source file opened read-only. Every read states what it is reading so that a short read
 * (a truncated file, a table pointing past the end) becomes an error naming the structure.
 */
export class ReadOnlyFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<ReadOnlyFile> {
    let handle: FileHandle;
    try {
      // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever; it
      // changes nothing for regular files, and anything else is refused below.
      handle = await open(path, constants.O_RDONLY | OPEN_EXTRA);
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
    try {
      const st = await handle.stat();
      if (st.isDirectory()) throw new FerryError('E_NOT_A_DISK', `${path}: is a folder, not a disk image.`);
      if (!st.isFile()) throw new FerryError('E_NOT_A_DISK', `${path}: is not a regular file (a device, pipe or socket), so it cannot be a disk image.`);
      return new ReadOnlyFile(path, handle, st.size);
    } catch (err) {
      await handle.close();
      throw err;
    }
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
    let got = 0;
    while (got < length) {
      const { bytesRead } = await this.handle.read(buf, offset + got, length - got, position + got);
      if (bytesRead === 0) {
        throw corrupt(this.path, `unexpected end of file while reading ${what} at offset ${position + got}; the file may have been truncated.`);
      }
      got += bytesRead;
    }
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
