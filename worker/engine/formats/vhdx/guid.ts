// GUIDs as VHDX stores them: Microsoft mixed-endian (Data1 u32 LE, Data2 u16 LE, Data3 u16 LE,
// then Data4's 8 bytes as they are).

/** The usual text form, lowercase, without braces: `2dc27766-f623-4200-9d64-115e9bfd4a08`. */
export function guidText(bytes: Uint8Array, at = 0): string {
  const b = (i: number) => bytes[at + i]!.toString(16).padStart(2, '0');
  const run = (...idx: number[]) => idx.map(b).join('');
  return `${run(3, 2, 1, 0)}-${run(5, 4)}-${run(7, 6)}-${run(8, 9)}-${run(10, 11, 12, 13, 14, 15)}`;
}

const GUID_RE = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

/** Parses `{xxxxxxxx-…}` or `xxxxxxxx-…` (any case) into the 16 bytes VHDX stores; undefined if malformed. */
export function parseGuid(text: string): Buffer | undefined {
  const m = GUID_RE.exec(text.trim());
  if (!m) return undefined;
  const hex = m.slice(1).join('');
  const raw = Buffer.from(hex, 'hex');
  const out = Buffer.from(raw);
  out[0] = raw[3]!;
  out[1] = raw[2]!;
  out[2] = raw[1]!;
  out[3] = raw[0]!;
  out[4] = raw[5]!;
  out[5] = raw[4]!;
  out[6] = raw[7]!;
  out[7] = raw[6]!;
  return out;
}

/** The 16 on-disk bytes of a GUID written in text form (for constants known to be well formed). */
export function guidBytes(text: string): Buffer {
  const b = parseGuid(text);
  if (!b) throw new Error(`malformed GUID constant ${text}`);
  return b;
}

export function isZeroGuid(bytes: Uint8Array, at = 0): boolean {
  for (let i = 0; i < 16; i++) if (bytes[at + i] !== 0) return false;
  return true;
}
