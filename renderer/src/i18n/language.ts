// Which language the page speaks: the remembered choice, else the system's; the choice is kept
// in the page's own storage (never in the host, which the harness shares between pages), and
// `<html lang>` and the window's title follow it.
import { i18n } from './index';
import { isLanguage, pickLanguage, type Language } from '../../../shared/i18n/languages';

export const LANGUAGE_STORAGE_KEY = 'ferry.language';

/** What of the page this touches, typed here so the tests can run it under Node with stand-ins. */
interface Page {
  localStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  document?: { documentElement: { lang: string }; title: string };
}
const page = globalThis as Page;

function remembered(): Language | null {
  try {
    const value = page.localStorage?.getItem(LANGUAGE_STORAGE_KEY);
    return isLanguage(value) ? value : null;
  } catch {
    return null; // storage refused (a locked-down profile): follow the system each time
  }
}

/** Applies the language to the document: `<html lang>` and the window's (taskbar) title. */
function applyToDocument(language: Language): void {
  if (!page.document) return;
  page.document.documentElement.lang = language;
  page.document.title = i18n.t('app.windowTitle');
}

/** The remembered choice, else the system's preference (Electron passes it to Chromium as the page's languages). */
export function startLanguage(systemLanguages: readonly string[]): void {
  const language = remembered() ?? pickLanguage(systemLanguages);
  void i18n.changeLanguage(language);
  applyToDocument(language);
}

/** The user's own choice: used at once and remembered for the next start. */
export function chooseLanguage(language: Language): void {
  try {
    page.localStorage?.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // not remembered; still used for this session
  }
  void i18n.changeLanguage(language);
  applyToDocument(language);
}
