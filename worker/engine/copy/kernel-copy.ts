// A flat extent that is a byte range of the source file, copied by the OS (copy_file_range,
// clonefile, CopyFileW; a reflink where the file system has one), as `cp` does.
import { constants } from 'node:fs';
import { copyFile, open, stat, truncate, unlink } from 'node:fs/promises';
import { FerryError, throwIfAborted } from '../errors';
import type { DiskSource } from '../sources/source';
import type { VmdkPlan } from '../writers/vmdk/vmdk-writer';
import { writeAll } from '../io/write-all';

const POLL_MS = 200;

/**
 * True when the plan's one flat extent is the first `size` bytes of the source file as it stands:
 * a raw image of whole sectors or a fixed VHD (whose footer follows the data), neither compressed
 * nor with parents.
 */
export function isByteRangeOfSource(source: DiskSource, plan: VmdkPlan): boolean {
  const info = source.info;
  if (plan.subformat !== 'monolithicFlat' || plan.extents.length !== 1 || !info) return false;
  if (info.compression || info.parents.length > 0 || info.path !== source.path) return false;
  const fixedVhd = info.format === 'vhd' && info.variant === 'fixed';
  // A raw image stored sparsely (holes) is copied through user space instead, which skips its
  // zero grains and keeps the output sparse and its data count exact.
  const dense = info.allocatedBytes >= source.size;
  return (fixedVhd || info.format === 'raw') && info.fileSize >= source.size && dense;
}

/**
 * Copies the first `size` bytes of `from` to a new file `to` in the kernel, then trims what
 * follows (a VHD's footer). Progress follows the destination's size. The OS call cannot be
 * interrupted: a cancel stops waiting, removes the partial file and lets the OS finish the copy
 * into the removed file in the background.
 */
export async function kernelCopy(from: string, to: string, size: number, onCopied: (bytes: number) => void, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  const copy = copyFile(from, to, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
  let done = false;
  const finished = copy.finally(() => {
    done = true;
  });
  finished.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const poll = (): void => {
    timer = setTimeout(() => {
      if (done) return;
      stat(to).then(
        (st) => onCopied(Math.min(size, st.size)),
        () => undefined,
      );
      poll();
    }, POLL_MS);
  };
  poll();
  try {
    const outcome = await Promise.race([finished.then(() => 'copied' as const), aborted]);
    if (outcome === 'aborted') {
      // The OS may not have opened the destination yet: it would then create it after this unlink
      // and fill it, so it is removed again whenever the copy settles.
      void finished.then(
        () => unlink(to).catch(() => undefined),
        () => unlink(to).catch(() => undefined),
      );
      await unlink(to).catch(() => undefined);
      throw new FerryError('E_CANCELLED', 'Cancelled. The operating system may still finish copying into the removed file in the background; its space is freed when it does.');
    }
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
  const st = await stat(to);
  if (st.size < size) {
    throw new FerryError('E_IO', `The copy of ${from} to ${to} stopped at ${st.size} of ${size} bytes.`, 'Check that the destination has room and the source is readable, then try again.');
  }
  if (st.size > size) await truncate(to, size);
  onCopied(size);
}

/** Writes `overlay` into the copied flat file at its offsets (a guest repair's patch), before verification. */
export async function writeOverlay(path: string, overlay: ReadonlyArray<{ offset: number; bytes: Buffer }>): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    for (const p of overlay) await writeAll(handle, p.bytes, p.offset);
  } finally {
    await handle.close();
  }
}
