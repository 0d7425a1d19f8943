import type { FileHandle } from 'node:fs/promises';

/** Writes all of `data` at `position` (a positional write may write less than asked). */
export async function writeAll(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}
