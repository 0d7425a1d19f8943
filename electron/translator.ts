// The main process's words (menu, dialogs, the host's own messages) from the wizard's catalogues,
// in the language the page last said it speaks. The page owns that choice; main only follows it.
import i18next, { type i18n as I18n } from 'i18next';
import { CATALOGUES } from '../shared/i18n/catalogues';
import { FALLBACK_LANGUAGE, LANGUAGE_CODES, pickLanguage, type Language } from '../shared/i18n/languages';

export type Translate = (key: string, params?: Record<string, string | number>) => string;

export interface Translator {
  readonly language: Language;
  readonly t: Translate;
  use(language: Language): void;
}

export function createTranslator(language: Language = FALLBACK_LANGUAGE): Translator {
  const instance: I18n = i18next.createInstance();
  void instance.init({
    lng: language,
    fallbackLng: FALLBACK_LANGUAGE,
    resources: Object.fromEntries(LANGUAGE_CODES.map((code) => [code, { translation: CATALOGUES[code] }])),
    // Dialogs and menus are plain text, not HTML: a path with & or < must read as it is.
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
  });
  let current = language;
  return {
    get language() {
      return current;
    },
    t: (key, params) => instance.t(key, { lng: current, ...params }),
    use(next) {
      current = next;
    },
  };
}

/** The English words, for hosts that never hear of a language (the tests', the harness's). */
export const ENGLISH: Translate = createTranslator('en').t;

/**
 * Chromium's --lang for the system's first preference: Chromium names Chinese zh-CN and zh-TW,
 * not by the script subtags macOS and Windows report.
 */
export function chromiumLocale(tag: string): string {
  if (!/^zh(-|_|$)/i.test(tag)) return tag;
  return pickLanguage([tag]);
}

/** The language main speaks before the page has said which it uses: the system's. */
export function systemLanguage(preferred: readonly string[]): Language {
  return pickLanguage(preferred);
}
