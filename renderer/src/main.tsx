// The shared sheets first: the components' own sheets, imported below them, then win ties.
import './styles/tokens.css';
import './styles/base.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { StoreProvider } from './store-context';
import { createWizardStore } from './store/wizard-store';
import { t } from './i18n';
import { startLanguage } from './i18n/language';
import { shareLanguageWithHost } from './i18n/host-language';

startLanguage(navigator.languages);

const root = document.getElementById('root');
if (root) {
  if (window.ferry) {
    shareLanguageWithHost(window.ferry);
    const store = createWizardStore(window.ferry);
    createRoot(root).render(
      <StrictMode>
        <StoreProvider store={store}>
          <App />
        </StoreProvider>
      </StrictMode>,
    );
  } else {
    root.textContent = t('app.noBridge');
  }
}
