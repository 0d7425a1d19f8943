import { basename, dirname, isAbsolute, resolve, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReadOnlyFile } from '../../io/read-only-file';
import { skippedLocator } from '../chain';
import { classifyName, isRemoteOrDevice } from '../inside-paths';
import { LocatorCode, decodeUtf16Guess, type VhdDynamicHeader } from '../../formats/vhd/dynamic-header';
import { notice, type Notice } from '../../notices';

/** A locator payload larger than this is not a path. */
const MAX_LOCATOR_BYTES = 64 * 1024;

export interface ParentCandidate {
  path: string;
  /** Which record named it, for error messages. */
  source: string;
}

/** Turns a Windows path (with `\` separators, maybe a drive letter) into one usable here. */
function hostPath(windowsPath: string): string {
  if (process.platform === 'win32') return windowsPath;
  return windowsPath.replace(/\\/g, '/');
}

async function readLocatorText(file: ReadOnlyFile, code: number, offset: bigint, length: number): Promise<string | undefined> {
  if (length === 0 || length > MAX_LOCATOR_BYTES || offset > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const pos = Number(offset);
  if (pos + length > file.size) return undefined;
  const raw = await file.readExact(pos, length, 'parent locator');
  switch (code) {
    case LocatorCode.W2ru:
    case LocatorCode.W2ku:
      return decodeUtf16Guess(raw);
    case LocatorCode.Wi2r:
    case LocatorCode.Wi2k:
    case LocatorCode.MacX:
      return raw.toString(code === LocatorCode.MacX ? 'utf8' : 'latin1').replace(/\0.*$/s, '');
    default:
      return undefined;
  }
}

function macUrlToPath(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'file:') return undefined;
    return fileURLToPath(new URL(`file://${u.pathname}`));
  } catch {
    return undefined;
  }
}

const CODE_NAMES: Record<number, string> = {
  [LocatorCode.W2ru]: 'W2ru',
  [LocatorCode.W2ku]: 'W2ku',
  [LocatorCode.Wi2r]: 'Wi2r',
  [LocatorCode.Wi2k]: 'Wi2k',
  [LocatorCode.MacX]: 'MacX',
};

/** The path a locator names, as written (a Mac URL as its path): what the path rule judges. */
function namedPath(code: number, text: string): string | undefined {
  return code === LocatorCode.MacX ? macUrlToPath(text) ?? text : text;
}

/**
 * Where a differencing VHD's parent may be, in the order to try: the relative locator, the
 * absolute one, the Mac URL, then the stored parent name beside the child. A locator naming a
 * network share or a device is never opened (a warning for it goes to `skipped`); its file name
 * is still looked for beside the child.
 */
export async function vhdParentCandidates(childPath: string, file: ReadOnlyFile, header: VhdDynamicHeader, skipped: Notice[] = []): Promise<ParentCandidate[]> {
  const childDir = dirname(childPath);
  const byPriority: Array<{ rank: number; candidate: ParentCandidate }> = [];
  for (const loc of header.locators) {
    const text = await readLocatorText(file, loc.code, loc.dataOffset, loc.dataLength);
    if (!text) continue;
    const named = namedPath(loc.code, text);
    if (named !== undefined && isRemoteOrDevice(classifyName(named))) {
      const kind = CODE_NAMES[loc.code];
      skipped.push(skippedLocator(kind ? notice('locator-vhd', { kind }) : notice('locator-vhd-unknown'), named, classifyName(named)));
      const name = win32.basename(named);
      if (name && !isRemoteOrDevice(classifyName(name))) byPriority.push({ rank: 4, candidate: { path: resolve(childDir, name), source: `${CODE_NAMES[loc.code] ?? 'parent'} locator's file name, beside the child` } });
      continue;
    }
    switch (loc.code) {
      case LocatorCode.W2ru:
      case LocatorCode.Wi2r: {
        const rel = hostPath(text).replace(/^\.[\\/]/, '');
        byPriority.push({ rank: 0, candidate: { path: resolve(childDir, rel), source: 'relative locator (W2ru)' } });
        break;
      }
      case LocatorCode.W2ku:
      case LocatorCode.Wi2k: {
        const abs = hostPath(text);
        if (isAbsolute(abs)) byPriority.push({ rank: 1, candidate: { path: abs, source: 'absolute locator (W2ku)' } });
        byPriority.push({ rank: 4, candidate: { path: resolve(childDir, win32.basename(text)), source: 'absolute locator (W2ku), beside the child' } });
        break;
      }
      case LocatorCode.MacX: {
        const p = macUrlToPath(text);
        if (p) {
          byPriority.push({ rank: 2, candidate: { path: p, source: 'Mac locator (MacX)' } });
          byPriority.push({ rank: 4, candidate: { path: resolve(childDir, basename(p)), source: 'Mac locator (MacX), beside the child' } });
        }
        break;
      }
    }
  }
  if (header.parentName) {
    const name = win32.basename(header.parentName.replace(/\//g, '\\'));
    if (name && !isRemoteOrDevice(classifyName(name))) byPriority.push({ rank: 3, candidate: { path: resolve(childDir, name), source: 'parent name' } });
  }
  byPriority.sort((a, b) => a.rank - b.rank);
  const seen = new Set<string>();
  const out: ParentCandidate[] = [];
  for (const { candidate } of byPriority) {
    if (seen.has(candidate.path)) continue;
    seen.add(candidate.path);
    out.push(candidate);
  }
  return out;
}
