import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { lstat, mkdir, realpath, rename, rm, rmdir, statfs, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { formatBytesIec as formatBytes } from '../../../shared/bytes';
import { safeFileName } from '../../../shared/file-names';
import { FerryError } from '../errors';
import { announceCreated } from './created';
import { moveNoReplace } from './no-replace';

/**
 * A test seam: a function stored under this global symbol runs just before output is moved into
 * place, with the final paths, so a test can put something in the way at exactly that moment.
 */
export const BEFORE_COMMIT = Symbol.for('ferry.test.beforeCommit');

export async function beforeCommit(targets: string[]): Promise<void> {
  const hook = (globalThis as Record<symbol, unknown>)[BEFORE_COMMIT];
  if (typeof hook === 'function') await (hook as (targets: string[]) => unknown)(targets);
}

/**
 * A hidden folder beside the final output where everything is written first. Nothing reaches
 * its final name until the work is complete and verified; on failure the folder is removed.
 */
export class Staging {
  /** Staging folders not yet committed or discarded, for a process that must exit at once. */
  private static readonly live = new Set<string>();

  private constructor(
    readonly dir: string,
    private readonly parent: string,
  ) {
    Staging.live.add(dir);
  }

  /**
   * Removes every live staging folder synchronously: for a second Ctrl-C, when the process exits
   * before the first cancel has finished cleaning up.
   */
  static discardAllNow(): void {
    for (const dir of Staging.live) rmSync(dir, { recursive: true, force: true });
    Staging.live.clear();
  }

  static async create(parent: string, label: string): Promise<Staging> {
    const safe = safeFileName(label, { maxChars: 40, fallback: 'ferry', ascii: true });
    const dir = join(parent, `.${safe}.ferry-partial-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new FerryError('E_IO', `${parent}: the destination folder does not exist.`, 'Create it first or choose another folder.');
      throw err;
    }
    announceCreated(dir);
    return new Staging(dir, parent);
  }

  /**
   * Moves the named files into the parent folder. Without `overwrite` a name taken since the
   * targets were checked fails the commit with E_EXISTS, leaves that file alone and takes back
   * the files this commit had already put in place; with it, files of the same name are replaced.
   */
  async commitFiles(names: string[], overwrite = false): Promise<string[]> {
    // The descriptor (first name) goes last, so a reader never sees it before its extents.
    const order = [...names.slice(1), names[0]!];
    await beforeCommit(order.map((n) => join(this.parent, n)));
    const placed: string[] = [];
    try {
      for (const name of order) {
        const from = join(this.dir, name);
        const to = join(this.parent, name);
        if (overwrite) {
          await rename(from, to);
          announceCreated(to);
        } else {
          await moveNoReplace(from, to);
        }
        placed.push(to);
      }
    } catch (err) {
      // Without overwrite every placed name was free: removing them removes only this job's files.
      if (!overwrite) await Promise.all(placed.map((p) => unlink(p).catch(() => undefined)));
      throw err;
    }
    await rmdir(this.dir);
    Staging.live.delete(this.dir);
    return names.map((n) => join(this.parent, n));
  }

  /** Renames the whole staging folder to `finalDir`, replacing an empty folder of that name (for --overwrite). */
  async commitFolder(finalDir: string): Promise<void> {
    await rename(this.dir, finalDir);
    announceCreated(finalDir);
    Staging.live.delete(this.dir);
  }

  /** The staging folder is empty (its entries were moved elsewhere): remove it. */
  async removeEmpty(): Promise<void> {
    await rmdir(this.dir);
    Staging.live.delete(this.dir);
  }

  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    Staging.live.delete(this.dir);
  }
}

async function canonical(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    // Not there yet: canonicalise the folder, keep the name.
    try {
      return join(await realpath(dirname(path)), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/** Refuses targets that exist (unless overwriting) or that are one of the source's files. */
export async function checkTargets(targets: string[], overwrite: boolean, sourceFiles: string[]): Promise<void> {
  const protectedPaths = new Set(await Promise.all(sourceFiles.map(canonical)));
  for (const target of targets) {
    if (protectedPaths.has(await canonical(target))) {
      throw new FerryError('E_USAGE', `${target}: is the source disk (or one of its parents); Ferry never writes to its input.`, 'Choose another output name.');
    }
  }
  for (const target of targets) {
    const st = await lstat(target).catch(() => undefined);
    if (!st) continue;
    if (st.isDirectory()) {
      throw new FerryError('E_EXISTS', `${target}: is an existing folder; Ferry replaces files, never folders.`, 'Give the output a file name (for example disk.vmdk) or choose another place.');
    }
    if (!overwrite) throw new FerryError('E_EXISTS', `${target}: already exists.`, 'Choose another name, or pass --overwrite to replace it.');
  }
}

/** Characters a descriptor's quoted file name cannot hold, and that no file name should. */
const UNSAFE_NAME = /["\x00-\x1f\x7f]/;

/** Refuses an output file name the VMDK descriptor could not name faithfully. */
export function checkOutputName(name: string): void {
  if (UNSAFE_NAME.test(name)) {
    throw new FerryError('E_USAGE', `"${name.replace(/[\x00-\x1f\x7f]/g, '?')}": a VMDK cannot name a file holding double quotes or control characters.`, 'Choose a name without them.');
  }
}

/** Fails early, with the numbers, when the destination cannot hold what will be written. */
export async function checkFreeSpace(dir: string, needed: number): Promise<void> {
  let free: number;
  try {
    const s = await statfs(dir);
    free = Number(s.bavail) * Number(s.bsize);
  } catch {
    return; // A file system that cannot say; the write itself will tell.
  }
  if (free < needed) {
    throw new FerryError(
      'E_NO_SPACE',
      `${dir}: not enough free space: the output needs about ${formatBytes(needed)} but only ${formatBytes(free)} is free.`,
      'Free some space or choose a destination on another drive.',
    );
  }
}
