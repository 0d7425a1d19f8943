// The renderer's stylesheets: tokens hold values only, base.css what several components share,
// and every component's own rules sit in the sheet beside it. Read from the sources: a class a
// component uses must have a rule in its sheet or base.css, and no sheet keeps a class nothing uses.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../harness/server';

const SRC = join(ROOT, 'renderer/src');
const STYLES = join(SRC, 'styles');
const SHARED = ['tokens.css', 'base.css'].map((f) => join(STYLES, f));
const MAX_LINES = 500;

/** Classes a component names on purpose without a rule of its own (it looks as its parent makes it). */
const UNSTYLED: Record<string, string[]> = {
  'components/layout.tsx': ['step-icon'],
  'components/Stepper.tsx': ['stepper-label'],
  'steps/SaveStep.tsx': ['section-label'],
  'steps/WelcomeStep.tsx': ['is-busy'],
};

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? filesUnder(path, ext) : e.name.endsWith(ext) ? [path] : [];
  });
}

const rel = (path: string): string => relative(SRC, path);

interface Rule {
  selector: string;
  /** The at-rules it sits in, outermost first. */
  context: string[];
  declarations: string[];
}

/** The style rules of a sheet (no nesting beyond at-rules, as the app writes them). */
function rulesOf(css: string): Rule[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const rules: Rule[] = [];
  const open: string[] = [];
  let buffer = '';
  for (const ch of text) {
    if (ch === '{') {
      open.push(buffer.trim().replace(/\s+/g, ' '));
      buffer = '';
    } else if (ch === '}') {
      const selector = open.pop() ?? '';
      const declarations = buffer.split(';').map((d) => d.trim()).filter(Boolean);
      if (declarations.length > 0 && !open.some((c) => c.startsWith('@keyframes'))) rules.push({ selector, context: [...open], declarations });
      buffer = '';
    } else {
      buffer += ch;
    }
  }
  return rules;
}

function classesInSelector(selector: string): string[] {
  return [...selector.matchAll(/\.(-?[_a-zA-Z][\w-]*)/g)].map((m) => m[1]!);
}

function classesOfSheet(path: string): Set<string> {
  return new Set(rulesOf(readFileSync(path, 'utf8')).flatMap((r) => classesInSelector(r.selector)));
}

interface UsedClasses {
  /** Whole class names. */
  names: Set<string>;
  /** Beginnings completed at run time, as `btn-` in `btn-${kind}`. */
  prefixes: Set<string>;
}

/** The end of the `{…}` that opens at `start`, skipping braces inside strings and template literals. */
function closingBrace(src: string, start: number): number {
  let depth = 0;
  for (let i = start; i < src.length; i++) {
    const ch = src[i]!;
    if (ch === "'" || ch === '"') i = src.indexOf(ch, i + 1);
    else if (ch === '`') i = templateEnd(src, i);
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  throw new Error(`unbalanced braces from ${start}`);
}

function templateEnd(src: string, start: number): number {
  for (let i = start + 1; i < src.length; i++) {
    if (src[i] === '`') return i;
    if (src[i] === '$' && src[i + 1] === '{') i = closingBrace(src, i + 1);
  }
  throw new Error(`unterminated template from ${start}`);
}

/** Class names in a className expression: string literals, and the fixed parts of templates. */
function addClassesOfExpression(expr: string, used: UsedClasses): void {
  const addText = (text: string, endsInSubstitution: boolean): void => {
    const words = text.split(/\s+/);
    words.forEach((w, i) => {
      if (!w) return;
      if (endsInSubstitution && i === words.length - 1) used.prefixes.add(w);
      else used.names.add(w);
    });
  };
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i]!;
    if (ch === "'" || ch === '"') {
      const end = expr.indexOf(ch, i + 1);
      addText(expr.slice(i + 1, end), false);
      i = end;
    } else if (ch === '`') {
      const end = templateEnd(expr, i);
      let text = '';
      for (let j = i + 1; j < end; j++) {
        if (expr[j] === '$' && expr[j + 1] === '{') {
          const close = closingBrace(expr, j + 1);
          addText(text, !/\s$/.test(text) && text !== '');
          text = '';
          addClassesOfExpression(expr.slice(j + 2, close), used);
          j = close;
        } else {
          text += expr[j];
        }
      }
      addText(text, false);
      i = end;
    }
  }
}

function classesOfComponent(path: string): UsedClasses {
  const src = readFileSync(path, 'utf8');
  const used: UsedClasses = { names: new Set(), prefixes: new Set() };
  for (const m of src.matchAll(/className=(["'{])/g)) {
    const start = m.index + 'className='.length;
    if (m[1] === '{') addClassesOfExpression(src.slice(start + 1, closingBrace(src, start)), used);
    else addClassesOfExpression(src.slice(start, src.indexOf(m[1]!, start + 1) + 1), used);
  }
  return used;
}

const isUsed = (cls: string, used: UsedClasses): boolean => used.names.has(cls) || [...used.prefixes].some((p) => cls.startsWith(p));

const components = filesUnder(SRC, '.tsx');
const sheets = filesUnder(SRC, '.css');
const sheetBeside = (tsx: string): string => join(dirname(tsx), `${basename(tsx, '.tsx')}.css`);
const sharedClasses = new Set(SHARED.flatMap((s) => [...classesOfSheet(s)]));

describe('the renderer stylesheets', () => {
  test('the class reader sees literal, conditional and templated class names', () => {
    const used: UsedClasses = { names: new Set(), prefixes: new Set() };
    addClassesOfExpression("a ? 'x y' : `z is-${state}${b ? ' w' : ''}`", used);
    assert.deepEqual([...used.names].sort(), ['w', 'x', 'y', 'z']);
    assert.deepEqual([...used.prefixes], ['is-']);
  });

  test(`every stylesheet is at most ${MAX_LINES} lines`, () => {
    for (const sheet of sheets) {
      const lines = readFileSync(sheet, 'utf8').split('\n').length;
      assert.ok(lines <= MAX_LINES, `${rel(sheet)} has ${lines} lines`);
    }
  });

  test('a sheet is either shared (styles/, loaded first by main.tsx) or the one beside the component that imports it', () => {
    const mainImports = [...readFileSync(join(SRC, 'main.tsx'), 'utf8').matchAll(/^import .*$/gm)].map((m) => m[0]);
    assert.deepEqual(mainImports.slice(0, 2), ["import './styles/tokens.css';", "import './styles/base.css';"], 'main.tsx imports tokens.css, then base.css, before anything else');
    for (const sheet of sheets) {
      if (SHARED.includes(sheet)) continue;
      assert.notEqual(dirname(sheet), STYLES, `${rel(sheet)}: styles/ holds only tokens.css and base.css`);
      const tsx = join(dirname(sheet), `${basename(sheet, '.css')}.tsx`);
      assert.ok(existsSync(tsx), `${rel(sheet)} has no component beside it`);
      assert.match(readFileSync(tsx, 'utf8'), new RegExp(`^import '\\./${basename(sheet)}';$`, 'm'), `${rel(tsx)} does not import ${basename(sheet)}`);
    }
  });

  test('tokens.css holds only custom properties on :root (light, and dark by prefers-color-scheme); no other sheet defines one', () => {
    for (const rule of rulesOf(readFileSync(SHARED[0]!, 'utf8'))) {
      assert.equal(rule.selector, ':root');
      assert.ok(rule.context.every((c) => c === '@media (prefers-color-scheme: dark)'), rule.context.join(' '));
      for (const d of rule.declarations) assert.match(d, /^(--[\w-]+|color-scheme)\s*:/, d);
    }
    for (const sheet of sheets.filter((s) => s !== SHARED[0])) {
      for (const rule of rulesOf(readFileSync(sheet, 'utf8'))) {
        for (const d of rule.declarations) assert.doesNotMatch(d, /^--/, `${rel(sheet)} ${rule.selector}: ${d}`);
      }
    }
  });

  test('every var(--x) a sheet or component uses is a token', () => {
    const defined = new Set([...readFileSync(SHARED[0]!, 'utf8').matchAll(/(--[\w-]+)\s*:/g)].map((m) => m[1]));
    for (const file of [...sheets, ...components]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/var\((--[\w-]+)\)/g)) assert.ok(defined.has(m[1]), `${rel(file)} uses ${m[1]}, which tokens.css does not define`);
    }
  });

  test("every class a component uses has a rule in its own sheet or in base.css", () => {
    for (const tsx of components) {
      const used = classesOfComponent(tsx);
      const own = existsSync(sheetBeside(tsx)) ? classesOfSheet(sheetBeside(tsx)) : new Set<string>();
      const styled = new Set([...own, ...sharedClasses]);
      const unstyled = UNSTYLED[rel(tsx)] ?? [];
      for (const cls of used.names) {
        if (unstyled.includes(cls)) assert.ok(!styled.has(cls), `${rel(tsx)}: ${cls} now has a rule; take it off UNSTYLED`);
        else assert.ok(styled.has(cls), `${rel(tsx)} uses class "${cls}", which neither ${basename(sheetBeside(tsx))} nor base.css styles`);
      }
      for (const prefix of used.prefixes) assert.ok([...styled].some((c) => c.startsWith(prefix)), `${rel(tsx)}: no rule for any "${prefix}…" class`);
    }
  });

  test("a component's sheet names only its own classes (and shared ones as context); base.css only classes some component uses", () => {
    const everything: UsedClasses = { names: new Set(), prefixes: new Set() };
    for (const tsx of components) {
      const used = classesOfComponent(tsx);
      used.names.forEach((n) => everything.names.add(n));
      used.prefixes.forEach((p) => everything.prefixes.add(p));
      const sheet = sheetBeside(tsx);
      if (!existsSync(sheet)) continue;
      for (const cls of classesOfSheet(sheet)) {
        assert.ok(isUsed(cls, used) || sharedClasses.has(cls), `${rel(sheet)} styles "${cls}", which ${basename(tsx)} does not use`);
      }
    }
    for (const cls of sharedClasses) assert.ok(isUsed(cls, everything), `base.css styles "${cls}", which no component uses`);
  });

  test('no selector has rules in two sheets', () => {
    const owner = new Map<string, string>();
    for (const sheet of sheets) {
      for (const rule of rulesOf(readFileSync(sheet, 'utf8'))) {
        for (const selector of rule.selector.split(',').map((s) => [...rule.context, s.trim()].join(' '))) {
          const seen = owner.get(selector);
          assert.ok(seen === undefined || seen === sheet, `"${selector}" has rules in ${rel(seen ?? '')} and ${rel(sheet)}`);
          owner.set(selector, sheet);
        }
      }
    }
  });
});
