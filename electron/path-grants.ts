// The paths the renderer may name. A compromised page must not be able to read or write a path
// the user did not choose, so the host only accepts sources that came from the open dialog, a
// drop or a launch file; destinations that came from the folder dialog or the host's own
// suggestion; and, for "show" and "open", files a finished job made.
import { resolve } from 'node:path';

const key = (path: string): string => resolve(path);

/** Paths compared after resolving (`/a/./b` is `/a/b`). */
export class PathSet {
  private readonly paths = new Set<string>();
  add(path: string): void {
    this.paths.add(key(path));
  }
  has(path: string): boolean {
    return this.paths.has(key(path));
  }
}

export class PathGrants {
  readonly sources = new PathSet();
  readonly destinations = new PathSet();
  /** Files and folders made by finished jobs: what "Show in folder" and "Open in VMware" may touch. */
  readonly outputs = new PathSet();
}
