// The .vmx text format (docs/vmx.md#file-format): one `key = "value"` a line, values always quoted.
// Inside a value, `"`, the escape character `|` and control characters are written `|XX`
// (two upper-case hex digits), the scheme libvirt's VMX driver uses (virVMXEscapeHexPipe).

export type VmxEntry = readonly [key: string, value: string];

const NEEDS_ESCAPE = /[|"\u0000-\u001f\u007f]/g;

export function escapeVmxValue(value: string): string {
  return value.replace(NEEDS_ESCAPE, (c) => `|${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function unescapeVmxValue(value: string): string {
  return value.replace(/\|([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const KEY = /^[A-Za-z0-9_.:]+$/;

/** The file's text: `.encoding` must be the first line, so callers put it first. */
export function renderVmx(entries: readonly VmxEntry[]): string {
  for (const [key] of entries) {
    if (!KEY.test(key)) throw new Error(`invalid .vmx key ${JSON.stringify(key)}`);
  }
  return entries.map(([key, value]) => `${key} = "${escapeVmxValue(value)}"`).join('\n') + '\n';
}

/** Parses .vmx text into lower-cased keys and unescaped values; returns an error string on failure. */
export function parseVmx(text: string): Map<string, string> | string {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z0-9_.:]+)\s*=\s*"([^"]*)"$/.exec(line);
    if (!m) return `line ${n + 1}: not key = "value": ${line.slice(0, 60)}`;
    const key = m[1]!.toLowerCase();
    if (out.has(key)) return `line ${n + 1}: ${m[1]} appears twice`;
    out.set(key, unescapeVmxValue(m[2]!));
  }
  return out;
}
