// Where an unpacked disk is written: a new file in which runs of zeros are not written at all,
// so they stay holes. A downloaded disk image is mostly empty; its scratch copy then takes the
// space of its data, not of its size, and costs no write time for the rest.
import { open, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { writeAll } from './write-all';

/** Zero runs are looked for in blocks of this size (aligned to the file). */
const BLOCK = 64 * 1024;
const ZERO = Buffer.alloc(BLOCK);

function isZero(data: Buffer): boolean {
  return data.length === BLOCK ? data.equals(ZERO) : data.equals(ZERO.subarray(0, data.length));
}

/** A Writable that creates `path` (it must not exist) and leaves its zero blocks unwritten. */
export function sparseFileSink(path: string, mode = 0o666): Writable {
  let handle: FileHandle | undefined;
  let position = 0;
  return new Writable({
    highWaterMark: 4 * 1024 * 1024,
    construct(cb) {
      open(path, 'wx', mode).then(
        (h) => {
          handle = h;
          cb();
        },
        (err: Error) => cb(err),
      );
    },
    write(chunk: Buffer, _enc, cb) {
      const h = handle!;
      const start = position;
      position += chunk.length;
      (async () => {
        // Cut at the file's block boundaries; write each run of non-zero blocks in one go.
        let runFrom = -1;
        let at = 0;
        while (at < chunk.length) {
          const end = Math.min(chunk.length, at + (BLOCK - ((start + at) % BLOCK)));
          const zero = isZero(chunk.subarray(at, end));
          if (!zero && runFrom < 0) runFrom = at;
          if (zero && runFrom >= 0) {
            await writeAll(h, chunk.subarray(runFrom, at), start + runFrom);
            runFrom = -1;
          }
          at = end;
        }
        if (runFrom >= 0) await writeAll(h, chunk.subarray(runFrom), start + runFrom);
      })().then(() => cb(), cb);
    },
    final(cb) {
      // The length the holes at the end would otherwise lose.
      handle!.truncate(position).then(() => cb(), cb);
    },
    destroy(err, cb) {
      const h = handle;
      handle = undefined;
      if (!h) return cb(err);
      h.close().then(
        () => cb(err),
        () => cb(err),
      );
    },
  });
}
