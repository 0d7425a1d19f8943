// Names of a VM folder and its files. They must survive every file system VMware runs on
// (Windows is the strictest) and stay short (docs/vmx.md#file-names: long names break tools).
import { basename, extname } from 'node:path';
import { stripCompressionSuffix } from '../sources/compressed/members';

/** Longest file stem we make, in characters; `-flat.vmdk`/`-s001.vmdk` still fit easily. */
export const MAX_STEM_CHARS = 60;
const FALLBACK_STEM = 'vm';

/** CON, PRN, AUX, NUL, COM1–9, LPT1–9: Windows refuses these as names, with any extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
/** Characters Windows forbids in names, plus the path separators, plus control characters. */
const UNSAFE = /[<>:"/\\|?*\u0000-\u001f\u007f]+/g;

function trimEnds(s: string): string {
  // Leading dots hide a file on Unix; trailing dots and spaces vanish on Windows.
  return s.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
}

/** A file and folder stem made from any user-given or file-derived name. */
export function safeFileStem(name: string): string {
  // Path segments made only of dots ("..") carry no name; drop them before joining the rest.
  const segments = name.normalize('NFC').split(/[/\\]+/).filter((seg) => !/^[\s.]*$/.test(seg));
  let s = segments.join('_').replace(UNSAFE, '_').replace(/\s+/g, ' ');
  s = trimEnds(s);
  s = Array.from(s).slice(0, MAX_STEM_CHARS).join('');
  s = trimEnds(s);
  if (s === '' || /^_+$/.test(s)) return FALLBACK_STEM;
  // "CON.x" is as reserved as "CON": change the part before the first dot.
  const base = s.split('.')[0]!;
  if (WINDOWS_RESERVED.test(base.trim())) s = `${base}_${s.slice(base.length)}`;
  return s;
}

/** The name a VM gets when the user gives none: `coreos_xen_image.vhd.bz2` → `coreos_xen_image`. */
export function defaultVmName(sourcePath: string): string {
  let file = basename(sourcePath);
  for (let prev = ''; prev !== file; ) {
    prev = file;
    file = stripCompressionSuffix(file);
  }
  const ext = extname(file);
  return ext && ext !== file ? file.slice(0, -ext.length) : file;
}

/** What VMware shows as the VM's name: the name as given, without control characters, bounded. */
export function displayNameOf(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  const bounded = Array.from(clean).slice(0, 120).join('');
  return bounded === '' ? FALLBACK_STEM : bounded;
}
