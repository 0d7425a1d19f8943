// Writes a .box: a gzip'd tar whose members sit at the archive's top level, as Vagrant unpacks
// a box (small members from memory, the rest streamed from their files).
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { padding, trailer, ustarHeader } from '../ova/ustar';

export type BoxMember = { name: string; data: Buffer } | { name: string; path: string };

async function* tarStream(members: BoxMember[]): AsyncGenerator<Buffer> {
  const mtime = Date.now() / 1000;
  let length = 0;
  for (const m of members) {
    const size = 'data' in m ? m.data.length : (await stat(m.path)).size;
    yield ustarHeader(m.name, size, mtime);
    if ('data' in m) yield m.data;
    else {
      let copied = 0;
      for await (const chunk of createReadStream(m.path, { highWaterMark: 4 * 1024 * 1024 })) {
        copied += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (copied !== size) throw new Error(`${m.path} changed size while it was packed`);
    }
    const pad = padding(size);
    yield pad;
    length += 512 + size + pad.length;
  }
  yield trailer(length);
}

/** Creates `target` (which must not exist) as a gzip'd tar of `members`, in order. */
export async function writeBox(target: string, members: BoxMember[], signal?: AbortSignal): Promise<void> {
  const source = Readable.from(tarStream(members));
  const gzip = createGzip({ level: 6 });
  const out = createWriteStream(target, { flags: 'wx' });
  await (signal ? pipeline(source, gzip, out, { signal }) : pipeline(source, gzip, out));
}
