// Hands the wizard store to components; they select narrowly from it.
import { createContext, useContext, type ReactElement, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { WizardState, WizardStore } from './store/wizard-store';

const StoreContext = createContext<WizardStore | null>(null);

export function StoreProvider({ store, children }: { store: WizardStore; children: ReactNode }): ReactElement {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useWizard<T>(selector: (state: WizardState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useWizard outside StoreProvider');
  return useStore(store, selector);
}
