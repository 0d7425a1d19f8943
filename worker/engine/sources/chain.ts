import { realpath, stat } from 'node:fs/promises';
import { FerryError } from '../errors';
import type { NameKind } from './inside-paths';
import { notice, type Notice } from '../notices';

/** A path in the canonical form a differencing chain is tracked by (as given when it cannot be resolved). */
export async function chainKey(path: string): Promise<string> {
  return realpath(path).catch(() => path);
}

/**
 * Whether a parent candidate is worth opening: false when it is not a regular file; an error when
 * it is already part of the chain (a loop, or a child naming itself).
 */
export async function usableParent(childPath: string, candidate: { path: string; source: string }, visited: Set<string>): Promise<boolean> {
  const st = await stat(candidate.path).catch(() => undefined);
  if (!st?.isFile()) return false;
  if (visited.has(await chainKey(candidate.path))) {
    throw new FerryError(
      'E_PARENT_LOOP',
      `${childPath}: its parent ${candidate.path} (from its ${candidate.source}) is already part of the chain; the chain loops.`,
      'A differencing disk cannot be its own ancestor; the files were renamed or copied over each other.',
    );
  }
  return true;
}

/** The warning for a parent locator never opened: which locator, the path it names (printable), and why. */
export function skippedLocator(locator: Notice, named: string, kind: NameKind): Notice {
  const shown = named.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  const cut = shown.length > 300 ? `${shown.slice(0, 300)}…` : shown;
  return notice(kind === 'unc' ? 'locator-skipped-unc' : 'locator-skipped-device', { locator, name: cut });
}
