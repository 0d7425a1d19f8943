// The main process: wires the window, menu, dialogs, IPC and launch files to the Electron-free
// modules beside it. No conversion logic lives here.
import { BrowserWindow, Menu, app, dialog, ipcMain, nativeTheme, protocol, session, shell, type MenuItemConstructorOptions } from 'electron';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { eventChannel } from '../shared/host-contract';
import { overallFraction } from '../shared/progress';
import type { JobEvent } from '../shared/jobs';
import { LIMITS } from '../shared/limits';
import { APP_HOST, APP_SCHEME, APP_URL, serveAsset } from './app-protocol';
import { createHandlers } from './handlers';
import { FerryHost } from './host';
import { isTrustedSender, originOf, registerIpc, type TrustedOrigin } from './ipc';
import { destinationDialog, quitWhileConvertingQuestion, replaceQuestion, sourceDialog, sourcesDialog } from './dialog-texts';
import { diskFiles, isRegularFile, launchFilesFromSecondInstance, pathsFromArgv } from './launch-files';
import { JobService } from './jobs';
import { menuTemplate } from './menu';
import { chromiumLocale, createTranslator, systemLanguage } from './translator';
import { mayNavigate, windowOptions } from './window-policy';

const RENDERER_DIR = join(__dirname, '../renderer');
const PRELOAD = join(__dirname, '../preload/index.js');
const THREAD = join(__dirname, 'thread.js');

// Before `ready`: the scheme that serves the renderer behaves like https (secure, standard origin).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.setAppUserModelId('app.ferry.desktop');

const devUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
const devOrigin = devUrl ? originOf(devUrl) : null;
const origins: TrustedOrigin[] = [{ protocol: `${APP_SCHEME}:`, host: APP_HOST }, ...(devOrigin ? [devOrigin] : [])];

let win: BrowserWindow | null = null;

// Main speaks the system's language until the page says which it uses (its remembered choice).
const preferred = app.getPreferredSystemLanguages();
const words = createTranslator(systemLanguage(preferred));
const { t } = words;

const jobs = new JobService({ createWorker: () => new Worker(THREAD) });
const host = new FerryHost({
  jobs,
  dialogs: {
    async pickSource() {
      const options: Electron.OpenDialogOptions = sourceDialog(t);
      const answer = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return answer.canceled ? null : (answer.filePaths[0] ?? null);
    },
    async pickSources() {
      const options: Electron.OpenDialogOptions = sourcesDialog(t);
      const answer = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return answer.canceled ? [] : answer.filePaths.slice(0, LIMITS.sources);
    },
    async pickDestination() {
      const options: Electron.OpenDialogOptions = destinationDialog(t);
      const answer = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return answer.canceled ? null : (answer.filePaths[0] ?? null);
    },
  },
  shell: {
    showInFolder: (path) => shell.showItemInFolder(path),
    openPath: (path) => shell.openPath(path),
  },
  suggestDestination: (source) => dirname(source),
  // Only the preload reports drops, with webUtils' answer for a real File; still, it must be a file.
  acceptDrop: isRegularFile,
  // Asked here, not in the page: a page's "overwrite" alone never replaces anything.
  async confirmOverwrite(path) {
    const options: Electron.MessageBoxOptions = replaceQuestion(t, path);
    const answer = win ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
    return answer.response === 1;
  },
  useLanguage(language) {
    if (language === words.language) return;
    words.use(language);
    buildMenu();
  },
  t,
});

host.onEvent((event) => {
  if (!win || win.isDestroyed()) return;
  win.webContents.send(eventChannel(event.name), event.payload);
  if (event.name === 'jobEvent') showJobInTaskbar(win, event.payload);
});

/** The taskbar button (Windows), dock icon (macOS) or launcher entry (Unity) mirrors the job. */
function showJobInTaskbar(window: BrowserWindow, event: JobEvent): void {
  if (event.type === 'progress') {
    window.setProgressBar(overallFraction(event, host.phasesOf(event.jobId)));
    return;
  }
  window.setProgressBar(-1);
  if (event.type === 'done' && !window.isFocused()) window.flashFrame(true);
}

let lastReload = 0;

function createWindow(): void {
  const window = new BrowserWindow(windowOptions(PRELOAD, { dark: nativeTheme.shouldUseDarkColors, devTools: !app.isPackaged, title: t('app.windowTitle') }));
  win = window;
  window.once('ready-to-show', () => window.show());
  window.on('focus', () => window.flashFrame(false));
  window.webContents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) host.rendererGone();
  });
  window.webContents.on('render-process-gone', (_e, details) => {
    host.rendererGone();
    // A crashed or killed page would leave a blank window: load the wizard again, once per minute
    // at most, so a page that crashes at start cannot spin.
    const now = Date.now();
    if (details.reason !== 'clean-exit' && !window.isDestroyed() && now - lastReload > 60_000) {
      lastReload = now;
      window.reload();
    }
  });
  window.on('close', (e) => {
    if (jobs.running === 0) return;
    const choice = dialog.showMessageBoxSync(window, quitWhileConvertingQuestion(t));
    if (choice === 0) e.preventDefault();
  });
  window.on('closed', () => {
    win = null;
    host.rendererGone();
  });
  void window.loadURL(devUrl ?? APP_URL);
}

/** The menu in the language main follows; built again whenever the page speaks another. */
function buildMenu(): void {
  const template = menuTemplate({
    t,
    language: words.language,
    isMac: process.platform === 'darwin',
    isPackaged: app.isPackaged,
    openDisk: () => {
      void host.pickSources().then((paths) => {
        if (paths.length) host.openFiles(paths);
      });
    },
    // The page applies and remembers it, then tells main through useLanguage.
    chooseLanguage: (language) => host.chooseLanguageFromMenu(language),
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template as MenuItemConstructorOptions[]));
}

function focusWindow(): void {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.focus();
}

// The page's languages (navigator.languages, which the wizard follows) are Chromium's --lang:
// give it the system's first preference rather than the process locale.
const [firstPreferred] = preferred;
if (firstPreferred) app.commandLine.appendSwitch('lang', chromiumLocale(firstPreferred));

// One instance: a disk double-clicked while Ferry runs goes to the running window.
const launchFiles = pathsFromArgv(process.argv, { isPackaged: app.isPackaged });
if (!app.requestSingleInstanceLock({ files: launchFiles })) {
  app.quit();
} else {
  host.openFiles(launchFiles);

  // macOS delivers documents by event, possibly before `ready`.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    host.openFiles(diskFiles([path]));
    focusWindow();
  });

  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    host.openFiles(launchFilesFromSecondInstance(additionalData, argv, { isPackaged: app.isPackaged, cwd: workingDirectory }));
    if (!win) createWindow();
    focusWindow();
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (e, url) => {
      if (!mayNavigate(url, origins)) e.preventDefault();
    });
    contents.on('will-redirect', (e, url) => {
      if (!mayNavigate(url, origins)) e.preventDefault();
    });
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  // Once, before quitting: stop every job and inspection, then remove the unpacked copy the
  // wizard kept (the jobs first: a copy a job reads goes when that job has ended).
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    void jobs
      .cancelAll()
      .then(() => host.shutdown())
      .finally(() => app.quit());
  });
  app.on('window-all-closed', () => app.quit());
  app.on('activate', () => {
    if (!win) createWindow();
  });

  void app.whenReady().then(() => {
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    ses.setPermissionCheckHandler(() => false);
    ses.setDevicePermissionHandler(() => false);
    protocol.handle(APP_SCHEME, async (request) => {
      const asset = await serveAsset(RENDERER_DIR, request.url);
      return new Response(asset.body, { status: asset.status, headers: asset.headers });
    });
    registerIpc(ipcMain, createHandlers(host), (event) => isTrustedSender(event, origins));
    buildMenu();
    createWindow();
  });
}
