// The header's language picker: each language named in its own script, marked with its own
// `lang` so it is read out and shaped in that language whatever the page speaks.
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, currentLanguage, type Language } from '../i18n';
import { chooseLanguage } from '../i18n/language';
import './LanguagePicker.css';

export function LanguagePicker(): ReactElement {
  const { t } = useTranslation();
  const language = currentLanguage();
  const own = LANGUAGES.find((l) => l.code === language);
  return (
    <select
      className="language-picker"
      aria-label={t('app.language')}
      value={language}
      lang={own?.code}
      onChange={(e) => chooseLanguage(e.target.value as Language)}
    >
      {LANGUAGES.map((l) => (
        <option key={l.code} value={l.code} lang={l.code}>
          {l.name}
        </option>
      ))}
    </select>
  );
}
