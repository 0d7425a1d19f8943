// The one place machine configurations and VMDK delta chains read a path written inside a file
// (the old host's `C:\VMs\disk.vhdx`, a relative `.\disk.vhd`, a POSIX path). When the shared rule
// for names read from inside files lands, these functions become calls to it.
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** A Windows drive or UNC path: absolute on the host that wrote it, whatever this computer is. */
function isWindowsAbsolute(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || /^\\\\/.test(p);
}

/** The file name at the end of a written path, whichever separator it uses. */
export function writtenFileName(p: string): string {
  const parts = p.split(/[\\/]/).filter((s) => s !== '');
  return parts[parts.length - 1] ?? '';
}

/** Whether the path names one place wherever it is read from (not relative to the configuration). */
export function isWrittenAbsolute(p: string): boolean {
  return isWindowsAbsolute(p) || p.startsWith('/');
}

/** The written path as this computer can open it, or undefined (a Windows path on a POSIX host). */
export function statedPath(p: string): string | undefined {
  if (process.platform === 'win32') return isAbsolute(p) ? resolve(p) : undefined;
  return p.startsWith('/') ? p : undefined;
}

/** A relative written path resolved against `dir`, its separators made this computer's. */
export function resolveWritten(dir: string, p: string): string {
  return resolve(dir, p.replace(/[\\/]/g, sep));
}

/** Whether `path`, with symlinks resolved, lies inside `tree` (resolved too). */
export async function isWithin(tree: string, path: string): Promise<boolean> {
  const [t, p] = await Promise.all([realpath(tree).catch(() => resolve(tree)), realpath(path).catch(() => resolve(path))]);
  const rel = relative(t, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
