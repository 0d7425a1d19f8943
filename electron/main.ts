// The main process: wires the window, menu, dialogs, IPC and launch files to the Electron-free
// modules beside it. No conversion logic lives here.
import { BrowserWindow, Menu, app, dialog, ipcMain, nativeTheme, protocol, session, shell, type MenuItemConstructorOptions } from 'electron';
import { basename, dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { eventChannel } from '../shared/host-contract';
import { overallFraction } from '../shared/progress';
import type { JobEvent } from '../shared/jobs';
import { LIMITS } from '../shared/limits';
import { APP_HOST, APP_SCHEME, APP_URL, serveAsset } from './app-protocol';
import { createHandlers } from './handlers';
import { FerryHost } from './host';
import { isTrustedSender, originOf, registerIpc, type TrustedOrigin } from './ipc';
import { dialogExtensions } from '../shared/source-names';
import { diskFiles, isRegularFile, launchFilesFromSecondInstance, pathsFromArgv } from './launch-files';
import { JobService } from './jobs';
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

const jobs = new JobService({ createWorker: () => new Worker(THREAD) });
const host = new FerryHost({
  jobs,
  dialogs: {
    async pickSource() {
      const options: Electron.OpenDialogOptions = {
        title: 'Choose a virtual disk',
        properties: ['openFile'],
        filters: [
          { name: 'Disk images', extensions: dialogExtensions() },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const answer = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return answer.canceled ? null : (answer.filePaths[0] ?? null);
    },
    async pickSources() {
      const options: Electron.OpenDialogOptions = {
        title: 'Choose virtual disks or a machine',
        properties: ['openFile', 'multiSelections'],
        filters: [
          { name: 'Disk images and machines', extensions: dialogExtensions() },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const answer = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return answer.canceled ? [] : answer.filePaths.slice(0, LIMITS.sources);
    },
    async pickDestination() {
      const options: Electron.OpenDialogOptions = { title: 'Choose where to save', buttonLabel: 'Choose', properties: ['openDirectory', 'createDirectory'] };
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
    const options: Electron.MessageBoxOptions = {
      type: 'warning',
      buttons: ['Keep it', 'Replace'],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
      message: `Replace “${basename(path)}”?`,
      detail: `${path} already exists. If you replace it, what is there now is deleted when the conversion finishes.`,
    };
    const answer = win ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
    return answer.response === 1;
  },
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
  const window = new BrowserWindow(windowOptions(PRELOAD, { dark: nativeTheme.shouldUseDarkColors, devTools: !app.isPackaged }));
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
    const choice = dialog.showMessageBoxSync(window, {
      type: 'question',
      buttons: ['Keep converting', 'Stop and quit'],
      defaultId: 0,
      cancelId: 0,
      message: 'A conversion is still running.',
      detail: 'If you quit now it is cancelled, and nothing it has written so far is kept.',
    });
    if (choice === 0) e.preventDefault();
  });
  window.on('closed', () => {
    win = null;
    host.rendererGone();
  });
  void window.loadURL(devUrl ?? APP_URL);
}

function buildMenu(): void {
  const isMac = process.platform === 'darwin';
  const openDisk: MenuItemConstructorOptions = {
    label: 'Open Disk…',
    accelerator: 'CmdOrCtrl+O',
    click: async () => {
      const paths = await host.pickSources();
      if (paths.length) host.openFiles(paths);
    },
  };
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' } as const] : []),
    { label: 'File', submenu: [openDisk, { type: 'separator' }, isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...(app.isPackaged ? [] : ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as const)),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function focusWindow(): void {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.focus();
}

// The page's languages (navigator.languages, which the wizard follows) are Chromium's --lang:
// give it the system's first preference rather than the process locale.
// Chromium names Chinese zh-CN and zh-TW, not by the script subtags macOS and Windows report.
function chromiumLocale(tag: string): string {
  if (!/^zh\b/i.test(tag)) return tag;
  return /-(hant|tw|hk|mo)\b/i.test(tag) ? 'zh-TW' : 'zh-CN';
}
const [systemLanguage] = app.getPreferredSystemLanguages();
if (systemLanguage) app.commandLine.appendSwitch('lang', chromiumLocale(systemLanguage));

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
