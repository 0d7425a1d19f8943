// The message catalogues against the sources that speak from them (the renderer, and main's
// menu, dialogs and messages under electron/): every complete catalogue has exactly
// the keys English has (plural forms by each language's rules), every key is looked up
// somewhere and every lookup has a key, the placeholders agree, and no component keeps words
// of its own where the catalogue should speak.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { NOTICE_TEXTS } from '../../shared/notices';
import { ROOT } from '../harness/server';

const SRC = join(ROOT, 'renderer/src');
/** Where keys are looked up: the wizard, and the main process's menu, dialogs and host messages. */
const LOOKUP_DIRS = [SRC, join(ROOT, 'electron')];
const I18N = join(ROOT, 'shared/i18n');
/** Catalogues that must hold every key; a partial one (a language under way) would be listed apart. */
const COMPLETE = ['en.json', 'zh-CN.json', 'zh-TW.json'];
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

function sourcesUnder(dir: string, exts: readonly string[]): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sourcesUnder(path, exts) : exts.some((x) => e.name.endsWith(x)) ? [path] : [];
  });
}

/** The catalogue flattened to dotted keys and their texts. */
function flatten(node: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else flatten(v, key, out);
  }
  return out;
}

const catalogue = (file: string): Map<string, string> => flatten(JSON.parse(readFileSync(join(I18N, file), 'utf8')));

/** Keys as the sources name them: a plural key's forms are one key. */
const baseKeys = (keys: Iterable<string>): Set<string> => new Set([...keys].map((k) => k.replace(PLURAL_SUFFIX, '')));

/** The plural categories a language's rules use for whole numbers (what i18next asks for). */
function pluralForms(language: string): string[] {
  const rules = new Intl.PluralRules(language);
  return [...new Set(Array.from({ length: 200 }, (_, n) => rules.select(n)))].sort();
}

const placeholders = (text: string): string[] => [...text.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]!).sort();

/** What the sources look up: literal keys, and templated ones as patterns (`steps.${id}` → steps.[^.]+). */
function lookups(): { literal: Set<string>; patterns: RegExp[] } {
  const literal = new Set<string>();
  const patterns: RegExp[] = [];
  for (const file of LOOKUP_DIRS.flatMap((dir) => sourcesUnder(dir, ['.ts', '.tsx']))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'([^']+)'/g)) literal.add(m[1]!);
    for (const m of text.matchAll(/i18nKey="([^"]+)"/g)) literal.add(m[1]!);
    for (const m of text.matchAll(/\bt\(\s*`([^`]+)`/g)) {
      const parts = m[1]!.split(/\$\{[^}]*\}/).map((p) => p.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
      if (parts.length === 1) literal.add(m[1]!);
      else patterns.push(new RegExp(`^${parts.join('[^.]+')}$`));
    }
  }
  return { literal, patterns };
}

describe('the message catalogues', () => {
  const en = catalogue('en.json');
  const files = readdirSync(I18N).filter((f) => f.endsWith('.json'));

  test('every catalogue file is a complete one or listed as partial', () => {
    assert.deepEqual(files.sort(), [...COMPLETE].sort());
  });

  for (const file of COMPLETE) {
    const language = file.replace(/\.json$/, '');
    test(`${file} has every key English has and no other, each plural in ${language}'s forms`, () => {
      const cat = catalogue(file);
      const missing = [...baseKeys(en.keys())].filter((k) => !baseKeys(cat.keys()).has(k));
      const extra = [...baseKeys(cat.keys())].filter((k) => !baseKeys(en.keys()).has(k));
      assert.deepEqual(missing, [], `missing in ${file}`);
      assert.deepEqual(extra, [], `not in en.json`);
      const plurals = [...baseKeys([...en.keys()].filter((k) => PLURAL_SUFFIX.test(k)))];
      for (const key of plurals) {
        const forms = [...cat.keys()].filter((k) => k.replace(PLURAL_SUFFIX, '') === key).map((k) => PLURAL_SUFFIX.exec(k)![1]!).sort();
        assert.deepEqual(forms, pluralForms(language), `${file}: ${key}'s plural forms`);
      }
    });

    test(`${file}: every text has the placeholders English has`, () => {
      const cat = catalogue(file);
      for (const [key, text] of cat) {
        const english = en.get(key) ?? en.get(`${key.replace(PLURAL_SUFFIX, '')}_other`)!;
        assert.deepEqual(placeholders(text), placeholders(english), `${file}: ${key}`);
        assert.ok(text.trim() !== '', `${file}: ${key} is empty`);
      }
    });
  }

  test("the engine's notices: every code is said in every complete catalogue, and every key there is a code", () => {
    const codes = Object.keys(NOTICE_TEXTS).sort();
    for (const file of COMPLETE) {
      const said = [...catalogue(file).keys()].filter((k) => k.startsWith('engine.')).map((k) => k.slice('engine.'.length)).sort();
      assert.deepEqual(said, codes, `${file}: engine.* keys against the codes in shared/notice-texts.ts`);
    }
  });

  test('every key is looked up by the sources, and every lookup has a key', () => {
    const { literal, patterns } = lookups();
    const keys = baseKeys(en.keys());
    const unused = [...keys].filter((k) => !literal.has(k) && !patterns.some((p) => p.test(k)));
    assert.deepEqual(unused, [], 'keys nothing looks up');
    const unknown = [...literal].filter((k) => !keys.has(k));
    assert.deepEqual(unknown, [], 'lookups with no key');
    for (const p of patterns) assert.ok([...keys].some((k) => p.test(k)), `${p} matches no key`);
  });
});

// ── words left in the components ─────────────────────────────────────────────────────────────

/** Names that stay as they are in every language: products, formats, systems, firmware, buses. */
const NAMES = [
  'Ferry', 'VMware Workstation', 'VMware', 'Workstation', 'Player', 'Fusion', 'ESXi', 'vSphere', 'vCenter', 'Hyper-V',
  'VHDX', 'VHD', 'VMDK', 'OVA', 'OVF', 'Windows', 'Linux', 'UEFI', 'BIOS', 'GPT', 'MBR', 'NTFS',
];
const UI_PROPS = new Set(['title', 'aria-label', 'placeholder', 'alt', 'label', 'aria-valuetext', 'subtitle']);

/** A text that still holds a word once product names, file extensions and punctuation are taken out. */
function hasWords(text: string): boolean {
  let rest = text.replace(/\.[a-z0-9]{2,4}\b/g, ' ');
  for (const name of NAMES) rest = rest.split(name).join(' ');
  return /\p{L}{2,}/u.test(rest);
}

/** The hard-coded texts a component shows: JSX text, UI props given a string, strings a JSX expression yields. */
function hardCodedTexts(source: string, fileName = 'x.tsx'): string[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const yielded = (e: ts.Expression): void => {
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
      if (hasWords(e.text)) found.push(e.text);
    } else if (ts.isTemplateExpression(e)) {
      const text = [e.head.text, ...e.templateSpans.map((s) => s.literal.text)].join(' ');
      if (hasWords(text)) found.push(text);
    } else if (ts.isConditionalExpression(e)) {
      yielded(e.whenTrue);
      yielded(e.whenFalse);
    } else if (ts.isBinaryExpression(e) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.AmpersandAmpersandToken].includes(e.operatorToken.kind)) {
      yielded(e.right);
    } else if (ts.isParenthesizedExpression(e)) {
      yielded(e.expression);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node) && hasWords(node.text)) found.push(node.text.trim());
    if (ts.isJsxExpression(node) && node.expression && !ts.isJsxAttribute(node.parent)) yielded(node.expression);
    if (ts.isJsxAttribute(node) && UI_PROPS.has(node.name.getText(sf)) && node.initializer) {
      if (ts.isStringLiteral(node.initializer)) {
        if (hasWords(node.initializer.text)) found.push(node.initializer.text);
      } else if (ts.isJsxExpression(node.initializer) && node.initializer.expression) yielded(node.initializer.expression);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('no hard-coded words in the components', () => {
  test('the check finds JSX text, UI props and yielded strings, and lets lookups and product names pass', () => {
    const found = hardCodedTexts(`
      const a = <p title="Hello there">Drop a disk<b>{ok ? 'Stopping…' : t('x')}</b>{\`Making \${n}\`}</p>;
      const b = <span aria-label={t('y')} title="VMware Workstation / Player / Fusion">VHD, VHDX · {t('z')} · .vmdk</span>;
    `);
    assert.deepEqual(found, ['Hello there', 'Drop a disk', 'Stopping…', 'Making  ']);
  });

  for (const file of sourcesUnder(SRC, ['.tsx'])) {
    test(relative(SRC, file), () => {
      assert.deepEqual(hardCodedTexts(readFileSync(file, 'utf8'), file), []);
    });
  }
});
