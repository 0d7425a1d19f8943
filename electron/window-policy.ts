// The window's security settings and navigation rules, as data and pure functions so they are
// tested without Electron (types only).
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import { isTrustedSender, originOf, type TrustedOrigin } from './ipc';

export const WINDOW_SIZE = { width: 1000, height: 700, minWidth: 860, minHeight: 600 } as const;

/** Electron's checklist items 1–4: isolated, sandboxed, no Node in the page (written out, not left to defaults). */
export function webPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: true,
  };
}

export function windowOptions(preloadPath: string, dark: boolean, iconPath?: string): BrowserWindowConstructorOptions {
  return {
    ...WINDOW_SIZE,
    title: 'Ferry',
    show: false,
    // Matches the page's background so the first paint does not flash.
    backgroundColor: dark ? '#15171c' : '#f6f7f9',
    autoHideMenuBar: false,
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: webPreferences(preloadPath),
  };
}

/** In-window navigation is allowed only within our own origin (a reload, say); everything else is refused. */
export function mayNavigate(url: string, origins: readonly TrustedOrigin[]): boolean {
  return isTrustedSender({ senderFrame: { url, parent: null } }, origins);
}

export { originOf };
