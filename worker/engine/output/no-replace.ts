// Putting a finished file under its final name without ever replacing one that appeared since
// the name was checked. Node has no rename-without-replace, so a hard link takes the name (it
// fails with EEXIST when the name is taken) and the staged name is then unlinked.
import { link, open, rename, unlink } from 'node:fs/promises';
import { FerryError } from '../errors';
import { announceCreated } from './created';

/** link(2) errors that mean "this file system has no hard links" (FAT, exFAT, some network shares). */
const NO_HARD_LINKS = new Set(['EPERM', 'EACCES', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EISDIR', 'EINVAL', 'EMLINK', 'EXDEV', 'UNKNOWN']);

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** The name was free when checked and taken when Ferry came to use it. */
export function appeared(path: string): FerryError {
  return new FerryError('E_EXISTS', `${path}: appeared while Ferry was writing; it was left as it is.`, 'Choose another name or place, or pass --overwrite to replace it.');
}

type LinkFile = (existing: string, newPath: string) => Promise<void>;

/**
 * Moves `from` to `to`, failing with E_EXISTS (and leaving `to` alone) if `to` exists. Where the
 * file system has no hard links, the name is claimed with an exclusive create (O_EXCL) and the
 * file renamed over that empty placeholder: the claim is atomic, the rename over Ferry's own
 * placeholder is not guarded (a process that deletes the placeholder and puts its own file there
 * in that instant loses it). `linkFile` is replaceable for tests.
 */
export async function moveNoReplace(from: string, to: string, linkFile: LinkFile = link): Promise<void> {
  try {
    await linkFile(from, to);
  } catch (err) {
    if (errno(err) === 'EEXIST') throw appeared(to);
    if (!NO_HARD_LINKS.has(errno(err) ?? '')) throw err;
    await claimThenRename(from, to);
    return;
  }
  announceCreated(to);
  await unlink(from);
}

async function claimThenRename(from: string, to: string): Promise<void> {
  let placeholder;
  try {
    placeholder = await open(to, 'wx');
  } catch (err) {
    if (errno(err) === 'EEXIST') throw appeared(to);
    throw err;
  }
  announceCreated(to);
  await placeholder.close();
  await rename(from, to);
}
