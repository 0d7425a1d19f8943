// An unpacked copy of a compressed download, kept for later. The app's inspection keeps the disk
// it unpacked (`UnpackOptions.keep`), and the worker running the job that follows offers it here,
// so that job's unpack reads it instead of unpacking the download a second time. Whoever kept a
// copy removes it; an unpack that reuses one never does.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { UnpackedCopy } from '../../../../shared/worker-protocol';

/** The shape crosses to main and back unchanged, so the contract's type is the engine's. */
export type KeptCopy = UnpackedCopy;

// One task per worker thread, so what is offered lives exactly as long as the task that uses it.
const offered = new Map<string, KeptCopy>();

/** Lets the next unpack of `copy.archive` in this thread use `copy` instead of unpacking. */
export function offerKeptCopy(copy: KeptCopy): void {
  offered.set(resolve(copy.archive), copy);
}

/** The copy offered for `archive`, if the archive is unchanged since and the copy is whole; each offer serves once. */
export async function takeKeptCopy(archive: string): Promise<KeptCopy | undefined> {
  const key = resolve(archive);
  const copy = offered.get(key);
  if (!copy) return undefined;
  offered.delete(key);
  const [source, unpacked] = await Promise.all([stat(key).catch(() => undefined), stat(copy.file).catch(() => undefined)]);
  const unchanged = source?.size === copy.archiveSize && source.mtimeMs === copy.archiveMtimeMs;
  return unchanged && unpacked?.isFile() && unpacked.size === copy.size ? copy : undefined;
}
