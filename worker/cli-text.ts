// What the CLI prints comes partly from inside the files it reads (creator strings, partition and
// file-system labels, archive member names, parent paths, messages that quote them). None of it
// may drive the terminal: control characters (C0, DEL, C1, as ECMA-48 defines them) and the
// Unicode bidirectional overrides and isolates (UAX #9) are taken out of text output. JSON output
// keeps every string exact; the characters JSON.stringify leaves raw are written as \u escapes.

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const RAW_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` without any character that could move the cursor, recolour, retitle or reorder the terminal. */
export function printable(text: string): string {
  return text.replace(UNSAFE, '');
}

/** Text of several lines, each made printable (the line breaks are the CLI's own). */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

/** A copy of `value` (plain data: objects, arrays, strings, numbers) with every string made printable. */
export function printableFields<T>(value: T): T {
  if (typeof value === 'string') return printable(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => printableFields(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = printableFields(v);
    return out as T;
  }
  return value;
}

/** One line of JSON: the same values as JSON.stringify gives, with no raw control or bidi character in it. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
