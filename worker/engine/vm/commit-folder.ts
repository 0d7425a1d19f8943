// Putting a finished VM folder in place. Without --overwrite the folder name is claimed with
// mkdir (which fails if anything, even an empty folder, took it since it was checked) and the
// staged files are moved in, disk first and .vmx last, each without replacing anything. With
// --overwrite an existing folder is set aside, the staging folder renamed in its place and the
// old one removed; it is put back if the rename fails.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, realpath, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { FerryError } from '../errors';
import { announceCreated } from '../output/created';
import { appeared, moveNoReplace } from '../output/no-replace';
import { beforeCommit, type Staging } from '../output/staging';

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

/** Puts the staged VM at `folder`: a new folder, or (with `overwrite`) in place of an existing one. */
export async function commitVmFolder(staging: Staging, folder: string, overwrite: boolean): Promise<void> {
  await beforeCommit([folder]);
  if (overwrite) return replaceVmFolder(staging, folder);
  await claimFolder(folder);
  const placed: string[] = [];
  try {
    for (const name of await inOrder(staging.dir, basename(folder))) {
      await moveNoReplace(join(staging.dir, name), join(folder, name));
      placed.push(join(folder, name));
    }
  } catch (err) {
    // Only what this commit put there goes; the folder too, unless something else is in it now.
    await Promise.all(placed.map((p) => unlink(p).catch(() => undefined)));
    await rmdir(folder).catch(() => undefined);
    throw err;
  }
  await staging.removeEmpty();
}

async function claimFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw appeared(folder);
    throw err;
  }
  announceCreated(folder);
}

/** The staged files, the descriptor second to last and the .vmx last: VMware never finds a .vmx without its disk. */
async function inOrder(dir: string, stem: string): Promise<string[]> {
  const rank = (name: string): number => (/\.vmx$/i.test(name) ? 2 : name === `${stem}.vmdk` ? 1 : 0);
  return (await readdir(dir)).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

async function replaceVmFolder(staging: Staging, folder: string): Promise<void> {
  if (!(await exists(folder))) {
    await staging.commitFolder(folder);
    return;
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
