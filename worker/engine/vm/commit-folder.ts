// Putting a finished VM folder in place. The folder appears whole or not at all; an existing
// one is replaced only when the user asked, and is kept if the replacement fails.
import { randomBytes } from 'node:crypto';
import { lstat, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { FerryError } from '../errors';
import type { Staging } from '../output/staging';

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** E_EXISTS unless overwriting; E_USAGE when replacing the folder would delete the source disk. */
export async function checkVmFolderTarget(folder: string, overwrite: boolean, sourceFiles: string[]): Promise<void> {
  if (!(await exists(folder))) return;
  if (!overwrite) {
    throw new FerryError('E_EXISTS', `${folder}: already exists.`, 'Choose another --name or destination, or pass --overwrite to replace the folder.');
  }
  const real = await realpath(folder);
  for (const file of sourceFiles) {
    const src = await realpath(file).catch(() => file);
    if (src === real || src.startsWith(real + sep)) {
      throw new FerryError('E_USAGE', `${folder}: holds the source disk ${file}; replacing the folder would delete it.`, 'Choose another --name or destination folder.');
    }
  }
}

/** Renames the staging folder to `folder`, first moving an existing one aside when overwriting. */
export async function commitVmFolder(staging: Staging, folder: string, overwrite: boolean): Promise<void> {
  if (!(await exists(folder))) {
    await staging.commitFolder(folder);
    return;
  }
  if (!overwrite) {
    throw new FerryError('E_EXISTS', `${folder}: appeared while the VM was being made.`, 'Choose another --name or destination, or pass --overwrite.');
  }
  const aside = join(dirname(folder), `.${basename(folder).slice(0, 40)}.ferry-old-${randomBytes(4).toString('hex')}`);
  await rename(folder, aside);
  try {
    await staging.commitFolder(folder);
  } catch (err) {
    await rename(aside, folder).catch(() => undefined);
    throw err;
  }
  await rm(aside, { recursive: true, force: true }).catch(() => undefined);
}
