// What a job would replace: main asks the user itself before a renderer's "overwrite" may
// delete anything, so a page cannot replace a file or folder on its own say-so.
import { lstat, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { JobRequest } from '../shared/jobs';
import { defaultVmName, safeFileStem } from '../shared/vm-names';

const exists = (path: string): Promise<boolean> => lstat(path).then(() => true, () => false);

/** The VM folder a `vm` job makes: the engine's own naming. */
export function vmFolderOf(request: Extract<JobRequest, { kind: 'vm' }>): string {
  return join(request.destDir, safeFileStem(request.name ?? defaultVmName(request.source)));
}

/** The extents VMware names after a descriptor (`x-flat.vmdk`, `x-s001.vmdk`, `x-f001.vmdk`), which overwriting replaces too. */
async function existingExtents(output: string): Promise<string[]> {
  const stem = basename(output).replace(/\.vmdk$/i, '');
  const names = await readdir(dirname(output)).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(`${stem}-`) && /^-(flat|[sf]\d{3,})\.vmdk$/i.test(n.slice(stem.length))).sort();
}

/** The existing path the job would replace, or null when nothing is there (yet). */
export async function existingTarget(request: JobRequest): Promise<string | null> {
  if (request.kind === 'vm') {
    const folder = vmFolderOf(request);
    return (await exists(folder)) ? folder : null;
  }
  if (await exists(request.output)) return request.output;
  if (request.kind !== 'convert') return null;
  const extent = (await existingExtents(request.output))[0];
  return extent === undefined ? null : join(dirname(request.output), extent);
}
