// Where a differencing VHDX's parent is, and which parent it must be (MS-VHDX §2.6.2.6.3).
import { dirname, isAbsolute, resolve, win32 } from 'node:path';
import { skippedLocator } from '../chain';
import { classifyName, isRemoteOrDevice, type NameKind } from '../inside-paths';
import { parseGuid } from '../../formats/vhdx/guid';
import { notice, type Notice } from '../../notices';

export interface ParentCandidate {
  path: string;
  /** Which locator entry named it, for error messages. */
  source: string;
}

/** Turns a Windows path into one usable on this host (only separators change off Windows). */
function hostPath(windowsPath: string): string {
  return process.platform === 'win32' ? windowsPath : windowsPath.replace(/\\/g, '/');
}

/** `\\?\C:\x` → `C:\x`; `\\?\UNC\server\share\x` → `\\server\share\x`. */
function stripExtendedPrefix(p: string): string {
  if (/^\\\\\?\\UNC\\/i.test(p)) return `\\\\${p.slice(8)}`;
  if (p.startsWith('\\\\?\\')) return p.slice(4);
  return p;
}

/**
 * Places to look for the parent, in order: `relative_path` (from the child's folder),
 * `absolute_win32_path`, `volume_path` (only meaningful on Windows), then the parent's file name
 * beside the child (a chain copied to another machine or folder). An entry naming a network share
 * or a device is never opened (a warning for it goes to `skipped`); only its file name is looked
 * for beside the child.
 */
export function vhdxParentCandidates(childPath: string, locator: Map<string, string>, skipped: Notice[] = []): ParentCandidate[] {
  const childDir = dirname(childPath);
  const out: ParentCandidate[] = [];
  const names: string[] = [];
  /** Whether the entry `key` may be opened; a warning for it when not. */
  const allowed = (key: string, value: string, kind: NameKind = classifyName(value)): boolean => {
    if (!isRemoteOrDevice(kind)) return true;
    skipped.push(skippedLocator(notice('locator-vhdx', { key }), value, kind));
    return false;
  };
  const relative = locator.get('relative_path');
  if (relative) {
    if (allowed('relative_path', relative)) out.push({ path: resolve(childDir, hostPath(relative.replace(/^\.\\/, ''))), source: 'relative_path' });
    names.push(relative);
  }
  const absolute = locator.get('absolute_win32_path');
  if (absolute) {
    // `\\?\C:\x` is a local path written the long way; `\\?\UNC\…` stays a network path.
    const local = stripExtendedPrefix(absolute);
    if (allowed('absolute_win32_path', absolute, /^\\\\\?\\[A-Za-z]:[\\/]/.test(absolute) ? classifyName(local) : classifyName(absolute))) {
      const p = hostPath(local);
      if (isAbsolute(p)) out.push({ path: p, source: 'absolute_win32_path' });
    }
    names.push(absolute);
  }
  const volume = locator.get('volume_path');
  if (volume) {
    // Only a local volume by its GUID, and only where such paths mean something.
    if (process.platform === 'win32' && classifyName(volume) === 'volume') out.push({ path: volume, source: 'volume_path' });
    else if (process.platform === 'win32') allowed('volume_path', volume);
    names.push(volume);
  }
  for (const n of names) {
    const base = win32.basename(n);
    if (base && !isRemoteOrDevice(classifyName(base))) out.push({ path: resolve(childDir, base), source: 'the parent\'s file name, beside the child' });
  }
  const seen = new Set<string>();
  return out.filter((c) => (seen.has(c.path) ? false : (seen.add(c.path), true)));
}

/**
 * The DataWriteGuid values a parent may have: `parent_linkage`, and `parent_linkage2` if present.
 * Hyper-V writes `parent_linkage2` as the zero GUID when there is no second one; that names no disk.
 */
export function parentLinkages(locator: Map<string, string>): Buffer[] {
  const out: Buffer[] = [];
  for (const key of ['parent_linkage', 'parent_linkage2']) {
    const v = locator.get(key);
    const g = v ? parseGuid(v) : undefined;
    if (g && (key === 'parent_linkage' || g.some((byte) => byte !== 0))) out.push(g);
  }
  return out;
}

/** The name to report when no parent is found. */
export function parentDisplayName(locator: Map<string, string>): string | undefined {
  const n = locator.get('relative_path') ?? locator.get('absolute_win32_path') ?? locator.get('volume_path');
  return n ? win32.basename(n) : undefined;
}
