// The one rule for names read from inside a file (VMDK extents, VHD/VHDX parent locators): which
// of them may be opened. Such a name comes from the file's author, not from the user, so it may
// point anywhere: at the user's keys (`../.ssh/id_rsa` read into the output), at a device, or at a
// network share (on Windows, merely opening `\\host\share\x` sends the user's credentials there).
// Names may be in Windows or POSIX form whatever the host: both `\` and `/` separate.
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';

export type NameKind =
  /** One file name, no folder: `disk-flat.vmdk`. */
  | 'plain'
  /** A relative path that stays inside its folder: `sub/disk-s001.vmdk`, `./x`. */
  | 'relative-inside'
  /** A relative path whose `..` climbs out of its folder: `../.ssh/id_rsa`. */
  | 'relative-escaping'
  /** Rooted on this machine: `/etc/passwd`, `\x`, `C:\x`, and `C:x` (relative to drive C's current folder). */
  | 'absolute'
  /** A network path: `\\host\share\x`, `//host/x`, `\\?\UNC\host\share`. */
  | 'unc'
  /** A device or namespace path: `\\.\PhysicalDrive0`, `\\?\GLOBALROOT\…`, `\??\x`, a reserved name such as `NUL` or `COM1`. */
  | 'device'
  /** `\\?\Volume{GUID}\x`: a local volume by its GUID, as Hyper-V records it (meaningful on Windows only). */
  | 'volume'
  /** Empty, or holding a NUL or another control character. */
  | 'invalid';

const SEP = /[\\/]/;
/** Windows device names, reserved in every folder and with any extension (`nul.txt` is NUL). */
const RESERVED = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$)(\..*)?$/i;
const VOLUME = /^[\\/]{2}\?[\\/]Volume\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}[\\/]/i;

/** What kind of name `name` is; pure, the same on every host. */
export function classifyName(name: string): NameKind {
  // Network and device forms first: whatever else such a name holds, it is never to be opened.
  if (VOLUME.test(name)) return 'volume';
  if (/^[\\/]{2}[?.][\\/]unc[\\/]/i.test(name)) return 'unc';
  // `\\?\`, `\\.\`, `//./`, `\??\`: the Win32 and NT device namespaces.
  if (/^[\\/]{2}[?.]([\\/]|$)/.test(name) || /^[\\/]\?\?[\\/]/.test(name)) return 'device';
  if (/^[\\/]{2}/.test(name)) return 'unc';
  if (name === '' || /[\u0000-\u001f\u007f]/.test(name)) return 'invalid';
  const parts = name.split(SEP);
  // Windows drops trailing dots and spaces, so `NUL.` and `com1 ` are devices too, in any folder.
  if (parts.some((p) => RESERVED.test(p.replace(/[. ]+$/, '')))) return 'device';
  if (SEP.test(name[0]!) || /^[A-Za-z]:/.test(name)) return 'absolute';
  let depth = 0;
  let named = 0;
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      depth--;
      if (depth < 0) return 'relative-escaping';
      continue;
    }
    depth++;
    named++;
  }
  if (depth === 0) return 'relative-escaping'; // `.`, `sub/..`: the folder itself, no file in it
  return named === 1 && parts.length === 1 ? 'plain' : 'relative-inside';
}

/** Why a name of this kind is refused where only names inside the folder are allowed. */
export function refusalReason(kind: NameKind): string | undefined {
  switch (kind) {
    case 'plain':
    case 'relative-inside':
      return undefined;
    case 'relative-escaping':
      return 'it climbs out of the folder with ".."';
    case 'absolute':
      return 'it is an absolute path';
    case 'unc':
      return 'it is a network (UNC) path';
    case 'device':
    case 'volume':
      return 'it names a device';
    case 'invalid':
      return 'it is empty or holds control characters';
  }
}

/** A network or device path: never opened, not even to look (on Windows that reaches out to the host). */
export function isRemoteOrDevice(kind: NameKind): boolean {
  return kind === 'unc' || kind === 'device';
}

/** `name` with `\` as a separator on a host whose separator is `/` (a name written on Windows). */
export function hostForm(name: string, p: path.PlatformPath = path): string {
  return p.sep === '/' ? name.replace(/\\/g, '/') : name;
}

/** Whether `target` lies strictly inside `folder` (both already resolved the same way). */
export function isInside(folder: string, target: string, p: path.PlatformPath = path): boolean {
  const rel = p.relative(folder, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${p.sep}`) && !p.isAbsolute(rel);
}

export type InsideAnswer = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Where a name read from a file in `folder` leads, if it may be opened: a plain name or a relative
 * path that, after every symbolic link on the way is resolved, is still inside the folder. A name
 * that does not exist yet answers its path (opening it then says it is missing).
 */
export async function resolveInside(folder: string, name: string): Promise<InsideAnswer> {
  const reason = refusalReason(classifyName(name));
  if (reason) return { ok: false, reason };
  const target = path.resolve(folder, hostForm(name));
  const realFolder = await realpath(folder).catch(() => path.resolve(folder));
  let realTarget: string;
  try {
    realTarget = await realpath(target);
  } catch {
    // A link to nowhere may point outside, and what it names may appear before it is opened.
    if ((await lstat(target).catch(() => undefined))?.isSymbolicLink()) return { ok: false, reason: 'it is a symbolic link that leads to no file' };
    // Missing: judge the deepest part that exists, so a link to a folder outside is caught even
    // when the file in it is not there.
    realTarget = await realParent(target);
  }
  if (!isInside(realFolder, realTarget)) return { ok: false, reason: `after following symbolic links it leads to ${realTarget}, outside the folder` };
  return { ok: true, path: target };
}

/** The real path of the deepest existing folder above `target`, joined with the rest. */
async function realParent(target: string): Promise<string> {
  const rest: string[] = [];
  let at = target;
  for (;;) {
    const up = path.dirname(at);
    rest.unshift(path.basename(at));
    if (up === at) return target;
    const real = await realpath(up).catch(() => undefined);
    if (real !== undefined) return path.join(real, ...rest);
    at = up;
  }
}
