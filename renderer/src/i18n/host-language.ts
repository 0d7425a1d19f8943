// The page and main agree on the language: the page owns the choice (its own storage), tells
// main which language it speaks so the menu and dialogs follow, and takes a pick from main's
// Language menu as if it were made in the page's own picker.
import type { FerryApi } from '../../../shared/api';
import { currentLanguage, i18n } from './index';
import { chooseLanguage } from './language';

export function shareLanguageWithHost(api: Pick<FerryApi, 'useLanguage' | 'onChooseLanguage'>): () => void {
  const tell = (): void => {
    void api.useLanguage(currentLanguage()).catch(() => undefined);
  };
  i18n.on('languageChanged', tell);
  const off = api.onChooseLanguage((language) => chooseLanguage(language));
  tell();
  return () => {
    i18n.off('languageChanged', tell);
    off();
  };
}
