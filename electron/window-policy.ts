// The window's security settings and navigation rules, as data and pure functions so they are
// tested without Electron. The types are our own, with the security settings as literal types so
// a weaker value does not compile; main.ts hands them to BrowserWindow, which checks them against
// Electron's own types.
import { isTrustedSender, originOf, type TrustedOrigin } from './ipc';

export const WINDOW_SIZE = { width: 1000, height: 700, minWidth: 860, minHeight: 600 } as const;

export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  experimentalFeatures: false;
  navigateOnDragDrop: false;
  spellcheck: false;
  devTools: boolean;
}

export interface FerryWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  show: false;
  backgroundColor: string;
  autoHideMenuBar: boolean;
  webPreferences: SecureWebPreferences;
}

/** Electron security checklist §1–4: isolated, sandboxed, no Node in the page (written out, not left to defaults). */
export function webPreferences(preloadPath: string, devTools: boolean): SecureWebPreferences {
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
    devTools,
  };
}

/** `devTools`: only in development; a packaged app has no use for them. `title`: until the page sets its own. */
export function windowOptions(preloadPath: string, opts: { dark: boolean; devTools: boolean; title?: string }): FerryWindowOptions {
  return {
    ...WINDOW_SIZE,
    title: opts.title ?? 'Ferry',
    show: false,
    // Matches the page's background so the first paint does not flash.
    backgroundColor: opts.dark ? '#15171c' : '#f5f6f8',
    autoHideMenuBar: false,
    webPreferences: webPreferences(preloadPath, opts.devTools),
  };
}

/** In-window navigation is allowed only within our own origin (a reload, say); everything else is refused. */
export function mayNavigate(url: string, origins: readonly TrustedOrigin[]): boolean {
  return isTrustedSender({ senderFrame: { url, parent: null } }, origins);
}

export { originOf };
