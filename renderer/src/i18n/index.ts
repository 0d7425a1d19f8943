// The message catalogues through i18next. Starts in English so the store and its tests have
// words without a page; language.ts then applies the remembered or the system's language.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { CATALOGUES } from '../../../shared/i18n/catalogues';
import { FALLBACK_LANGUAGE, LANGUAGE_CODES, isLanguage, type Language } from '../../../shared/i18n/languages';

export { LANGUAGES, pickLanguage, type Language } from '../../../shared/i18n/languages';
export { CATALOGUES };

export const i18n = i18next.createInstance();
void i18n.use(initReactI18next).init({
  lng: FALLBACK_LANGUAGE,
  fallbackLng: FALLBACK_LANGUAGE,
  resources: Object.fromEntries(LANGUAGE_CODES.map((code) => [code, { translation: CATALOGUES[code] }])),
  // React escapes what it renders; escaping here as well would show &quot; in the page.
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

export const t = i18n.t.bind(i18n);

/** The language in use, as a catalogue code. */
export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : FALLBACK_LANGUAGE;
}
