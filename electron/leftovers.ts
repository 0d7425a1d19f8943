// Main's backstop for "cancel leaves nothing behind": the engine stages its output and removes
// the staging itself, but a worker that is terminated or crashes cannot. Before a job starts we
// note what its output folder holds; after a failure we remove only what appeared since and
// belongs to this job's output names.
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { JobRequest } from '../shared/jobs';
import { defaultVmName, safeFileStem } from '../worker/engine/machine/names';

export interface OutputSite {
  dir: string;
  /** Whether a folder entry is (part of) this job's output or its staging. */
  owns(entry: string): boolean;
}

/** The engine's staging label rule (worker/engine/output/staging.ts). */
export function stagingPrefix(label: string): string {
  return `.${label.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)}`;
}

export function outputSiteOf(request: JobRequest): OutputSite {
  if (!('destDir' in request)) {
    // A job that writes one named file (a .vmdk, or a packed VM such as an .ova).
    const file = basename(request.output);
    const stem = file.replace(/\.[^.]+$/, '');
    const staging = stagingPrefix(file);
    return {
      dir: dirname(request.output),
      // The descriptor, its extents (`stem-flat.vmdk`, `stem-s001.vmdk`, …) and the staging folder.
      owns: (e) => e === file || (e.startsWith(`${stem}-`) && /\.vmdk$/i.test(e)) || (e.startsWith(staging) && e.includes('.ferry-partial-')),
    };
  }
  // The engine's own naming (worker/engine/vm/names.ts): the folder is the name made safe.
  const stem = safeFileStem(request.name ?? defaultVmName(request.source));
  const staging = stagingPrefix(stem);
  return {
    dir: request.destDir,
    owns: (e) => e === stem || (e.startsWith(staging) && e.includes('.ferry-partial-')),
  };
}

export async function listEntries(dir: string): Promise<Set<string>> {
  try {
    return new Set(await readdir(dir));
  } catch {
    return new Set();
  }
}

/** Removes entries of `site` that were not there in `before`; answers the paths removed. */
export async function removeNewOutput(site: OutputSite, before: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await listEntries(site.dir)) {
    if (before.has(entry) || !site.owns(entry)) continue;
    const path = join(site.dir, entry);
    await rm(path, { recursive: true, force: true }).then(
      () => removed.push(path),
      () => undefined,
    );
  }
  return removed;
}
