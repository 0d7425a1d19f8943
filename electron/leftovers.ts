// Main's backstop for "cancel leaves nothing behind": the engine stages its output and removes
// the staging itself, but a worker that is terminated or crashes cannot. The worker announces
// every path its task creates (a `created` message, sent before anything is written there), and
// after a task that did not finish main removes exactly those paths: nothing found by a name
// pattern, so a file that merely looks like Ferry's is never touched.
import { rm } from 'node:fs/promises';
import { isAbsolute } from 'node:path';

/** Removes the recorded paths, newest first; answers the paths removed (or already gone). */
export async function removeCreated(paths: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const path of [...paths].reverse()) {
    if (!isAbsolute(path)) continue;
    await rm(path, { recursive: true, force: true }).then(
      () => removed.push(path),
      () => undefined,
    );
  }
  return removed;
}
