// The one rule for names Ferry creates inside a folder (VM folders and their files, OVA members,
// scratch and staging names, the name the wizard proposes) and for names it is asked to create.
// Windows is the strictest file system VMware runs on, so its rules are the rule everywhere:
// https://learn.microsoft.com/windows/win32/fileio/naming-a-file
// Pure: no Node or DOM imports, so the engine, main and the renderer share it.

/**
 * DOS device names: Windows opens the device instead of a file for these, whatever the extension
 * and however they are cased. COM0 and LPT0 are listed too (newer Windows reserves them), and the
 * superscript digits ¹ ² ³ count as digits there.
 */
const DEVICE_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

/** Characters Windows refuses in a name, the path separators, and control characters. */
const FORBIDDEN_CHARS = /[<>:"/\\|?*\u0000-\u001f\u007f]/;
const FORBIDDEN_RUNS = /[<>:"/\\|?*\u0000-\u001f\u007f]+/g;

/** Longest name the validators accept for a name to create. */
export const MAX_FILE_NAME_CHARS = 128;

/**
 * Whether Windows treats `name` as a device: the part before the first dot, without the spaces
 * and dots Windows drops from its end, is a device name (`CON`, `nul.txt`, `Com1 .log`, `AUX.`).
 */
export function isWindowsDeviceName(name: string): boolean {
  const base = name.split('.')[0]!.replace(/[ .]+$/, '');
  return DEVICE_NAME.test(base);
}

/** Why `name` cannot be created as it is, in words for a form; null when it can. */
export function fileNameProblem(name: string, maxChars = MAX_FILE_NAME_CHARS): string | null {
  if (name === '') return 'The name is empty.';
  if (Array.from(name).length > maxChars) return `Use at most ${maxChars} characters.`;
  if (name.trim() !== name) return 'Remove the spaces at the start or end.';
  if (/^\.+$/.test(name)) return 'A name cannot be only dots.';
  if (FORBIDDEN_CHARS.test(name)) return 'Names cannot contain < > : " / \\ | ? * or control characters.';
  if (/[. ]$/.test(name)) return 'A name cannot end with a dot or a space.';
  if (isWindowsDeviceName(name)) return `"${name.split('.')[0]!.trim()}" is a name Windows keeps for a device; choose another.`;
  return null;
}

/** Whether Ferry may create a file or folder called `name` inside a folder the user chose. */
export function isSafeFileName(name: string, maxChars = MAX_FILE_NAME_CHARS): boolean {
  return fileNameProblem(name, maxChars) === null;
}

function trimEnds(s: string): string {
  // Leading dots hide a file on Unix; trailing dots and spaces vanish on Windows.
  return s.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
}

/** Changes a device name (`CON`, `nul.disk`) into one that is not (`CON_`, `nul_.disk`); others stay. */
export function avoidDeviceName(s: string): string {
  if (!isWindowsDeviceName(s)) return s;
  const dot = s.indexOf('.');
  const base = (dot < 0 ? s : s.slice(0, dot)).replace(/[ .]+$/, '');
  return `${base}_${s.slice(base.length)}`;
}

export interface SafeNameOptions {
  /** At most this many characters (code points, never a split character). */
  maxChars: number;
  /** What an empty or all-punctuation name becomes. */
  fallback: string;
  /** Only `A-Z a-z 0-9 . _ -` (for archive members some importers mishandle otherwise). */
  ascii?: boolean;
}

/**
 * A name safe on every file system, made from any user-given or file-derived text: the path
 * segments joined with `_` (`..` segments dropped), forbidden characters replaced by `_`, ends
 * trimmed of dots and spaces, capped, and a device name changed (`CON` → `CON_`).
 */
export function safeFileName(text: string, opts: SafeNameOptions): string {
  const segments = text.normalize('NFC').split(/[/\\]+/).filter((seg) => !/^[\s.]*$/.test(seg));
  let s = segments.join('_').replace(FORBIDDEN_RUNS, '_').replace(/\s+/g, ' ');
  if (opts.ascii) s = s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+|[._]+$/g, '');
  s = trimEnds(s);
  s = trimEnds(Array.from(s).slice(0, opts.maxChars).join(''));
  if (s === '' || /^_+$/.test(s)) return opts.fallback;
  // The `_` may push a name at the cap one character over; that is still far below any limit.
  return avoidDeviceName(s);
}
