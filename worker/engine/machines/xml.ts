// A small, strict XML reader for machine configurations (.vmc, Hyper-V exports): elements,
// attributes, text, CDATA, comments and processing instructions; the five predefined entities and
// numeric character references. A DOCTYPE is refused, so no entity can expand (XML 1.0 §4.2), and
// the depth and element count are bounded: a configuration is small, a crafted file may not be.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (CDATA included), entities decoded, not trimmed. */
  text: string;
}

const MAX_DEPTH = 64;
const MAX_ELEMENTS = 200_000;
const NAME = /^[A-Za-z_:][-A-Za-z0-9_.:]*/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The text of an XML file's bytes: UTF-16 (by its BOM, or by the NUL of `<\0`) or UTF-8. */
export function decodeXmlBytes(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString('utf16le', 2);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (bytes.length >= 2 && bytes[0] === 0x3c && bytes[1] === 0x00) return bytes.toString('utf16le');
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.toString('utf8', 3);
  return bytes.toString('utf8');
}

function decodeEntities(s: string, where: () => string): string {
  return s.replace(/&([^;&\s]{1,10});/g, (_m, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) return codePoint(parseInt(ref.slice(2), 16), where);
    if (ref.startsWith('#')) return codePoint(parseInt(ref.slice(1), 10), where);
    const v = ENTITIES[ref];
    if (v === undefined) throw new Error(`unknown entity &${ref}; ${where()}`);
    return v;
  });
}

function codePoint(n: number, where: () => string): string {
  if (!Number.isInteger(n) || n < 1 || n > 0x10ffff) throw new Error(`bad character reference ${where()}`);
  return String.fromCodePoint(n);
}

/** Parses a document; returns its root element, or an error string naming the line. */
export function parseXml(text: string): XmlElement | string {
  let i = 0;
  const line = (at = i) => `at line ${text.slice(0, at).split('\n').length}`;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  try {
    while (i < text.length) {
      const lt = text.indexOf('<', i);
      const chunk = lt === -1 ? text.slice(i) : text.slice(i, lt);
      if (chunk.length > 0) {
        const top = stack[stack.length - 1];
        if (top) top.text += decodeEntities(chunk, line);
        else if (chunk.trim() !== '') return `text outside the root element ${line()}`;
      }
      if (lt === -1) break;
      i = lt;
      if (text.startsWith('<!--', i)) {
        const end = text.indexOf('-->', i + 4);
        if (end === -1) return `unterminated comment ${line()}`;
        i = end + 3;
      } else if (text.startsWith('<![CDATA[', i)) {
        const end = text.indexOf(']]>', i + 9);
        const top = stack[stack.length - 1];
        if (end === -1 || !top) return `misplaced or unterminated CDATA ${line()}`;
        top.text += text.slice(i + 9, end);
        i = end + 3;
      } else if (text.startsWith('<?', i)) {
        const end = text.indexOf('?>', i + 2);
        if (end === -1) return `unterminated processing instruction ${line()}`;
        i = end + 2;
      } else if (text.startsWith('<!', i)) {
        return `a DOCTYPE or declaration ${line()}; configuration files have none`;
      } else if (text.startsWith('</', i)) {
        const end = text.indexOf('>', i);
        if (end === -1) return `unterminated end tag ${line()}`;
        const name = text.slice(i + 2, end).trim();
        const top = stack.pop();
        if (!top || top.name !== name) return `end tag </${name}> does not close <${top?.name ?? '(nothing)'}> ${line()}`;
        i = end + 1;
      } else {
        const m = NAME.exec(text.slice(i + 1, i + 1 + 256));
        if (!m) return `bad tag ${line()}`;
        const el: XmlElement = { name: m[0], attrs: {}, children: [], text: '' };
        i += 1 + m[0].length;
        for (;;) {
          while (/\s/.test(text[i] ?? '')) i++;
          if (text.startsWith('/>', i) || text[i] === '>') break;
          const a = /^([A-Za-z_:][-A-Za-z0-9_.:]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(text.slice(i, i + 64 * 1024));
          if (!a) return `bad attribute in <${el.name}> ${line()}`;
          el.attrs[a[1]!] = decodeEntities(a[3] ?? a[4] ?? '', line);
          i += a[0].length;
        }
        if (++count > MAX_ELEMENTS) return `more than ${MAX_ELEMENTS} elements`;
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(el);
        else if (root) return `a second root element <${el.name}> ${line()}`;
        else root = el;
        if (text[i] === '>') {
          if (stack.length >= MAX_DEPTH) return `elements nested deeper than ${MAX_DEPTH} ${line()}`;
          stack.push(el);
          i += 1;
        } else i += 2;
      }
    }
  } catch (err) {
    return (err as Error).message;
  }
  if (stack.length > 0) return `<${stack[stack.length - 1]!.name}> is never closed`;
  if (!root) return 'no root element';
  return root;
}

/** The first child named `name` (case-insensitive, as Windows writes these files either way). */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  const want = name.toLowerCase();
  return el?.children.find((c) => c.name.toLowerCase() === want);
}

/** Every child named `name` (case-insensitive). */
export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  const want = name.toLowerCase();
  return el?.children.filter((c) => c.name.toLowerCase() === want) ?? [];
}

/** The element at a path of child names, e.g. `['settings', 'memory', 'bank']`. */
export function at(el: XmlElement | undefined, path: readonly string[]): XmlElement | undefined {
  let cur = el;
  for (const p of path) cur = child(cur, p);
  return cur;
}

/** The trimmed text at a path, if the element exists. */
export function textAt(el: XmlElement | undefined, path: readonly string[]): string | undefined {
  const found = at(el, path);
  return found ? found.text.trim() : undefined;
}
