// Writes the OVA file: the .ovf, the .mf, then the disk, as tar members in that order
// (OVF 1.0 (DMTF DSP0243) puts the .ovf first; VMware's mkova.sh puts the manifest right after it).
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { FerryError, throwIfAborted } from '../errors';
import type { ManifestAlgorithm } from './ovf';
import { padding, trailer, ustarHeader } from './ustar';

const COPY_CHUNK = 4 * 1024 * 1024;

export interface SmallMember {
  name: string;
  data: Buffer;
}

export interface FileMember {
  name: string;
  path: string;
  size: number;
  algorithm: ManifestAlgorithm;
  /** What the manifest says; the copy is hashed again on its way into the archive and must match. */
  digest: string;
}

/** The digest of a file, read in large chunks; stops between chunks when cancelled. */
export async function digestFile(path: string, algorithm: ManifestAlgorithm, signal?: AbortSignal): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const hash = createHash(algorithm);
    const buf = Buffer.allocUnsafe(COPY_CHUNK);
    for (;;) {
      throwIfAborted(signal);
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
    return hash.digest('hex');
  } finally {
    await fh.close();
  }
}

/** Creates `target` (which must not exist) holding `small` members, then the disk(s) copied from their files. */
export async function writeOva(target: string, small: SmallMember[], disks: FileMember | readonly FileMember[], signal?: AbortSignal): Promise<number> {
  const out = await open(target, 'wx');
  try {
    let length = 0;
    const write = async (buf: Buffer): Promise<void> => {
      let done = 0;
      while (done < buf.length) {
        const { bytesWritten } = await out.write(buf, done, buf.length - done, length + done);
        done += bytesWritten;
      }
      length += buf.length;
    };
    const mtime = Date.now() / 1000;
    for (const m of small) {
      await write(ustarHeader(m.name, m.data.length, mtime));
      await write(m.data);
      await write(padding(m.data.length));
    }
    for (const last of Array.isArray(disks) ? (disks as readonly FileMember[]) : [disks as FileMember]) {
      await write(ustarHeader(last.name, last.size, mtime));
      const src = await open(last.path, 'r');
      try {
        const hash = createHash(last.algorithm);
        const buf = Buffer.allocUnsafe(COPY_CHUNK);
        let copied = 0;
        while (copied < last.size) {
          throwIfAborted(signal);
          const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, last.size - copied), copied);
          if (bytesRead === 0) break;
          const piece = buf.subarray(0, bytesRead);
          hash.update(piece);
          await write(piece);
          copied += bytesRead;
        }
        if (copied !== last.size || hash.digest('hex') !== last.digest) {
          throw new FerryError('E_VERIFY', `${last.path}: the disk changed while it was being packed into the OVA.`, 'Something else is writing to the destination folder; try again.');
        }
      } finally {
        await src.close();
      }
      await write(padding(last.size));
    }
    await write(trailer(length));
    await out.sync();
    return length;
  } finally {
    await out.close();
  }
}
