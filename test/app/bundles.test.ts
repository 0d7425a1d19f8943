// The built bundles, loaded under plain Node with `electron` replaced by a recording stub: the
// main process must wire the security settings, IPC, protocol and launch files as intended,
// and the preload must expose exactly the named functions. Also: the renderer's size and CSP.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { EventEmitter } from 'node:events';
import { CONTENT_SECURITY_POLICY } from '../../electron/app-protocol';
import { HOST_METHODS, invokeChannel } from '../../shared/host-contract';
import { makeVhd } from '../harness/fixtures';
import { ROOT } from '../harness/server';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('node:module') as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };

/** Loads a CommonJS bundle with `require('electron')` answered by `stub`. */
function loadWithElectron(bundle: string, stub: unknown): void {
  const original = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === 'electron') return stub;
    return original.call(this, request, parent, isMain);
  };
  try {
    delete require.cache[bundle];
    require(bundle);
  } finally {
    Module._load = original;
  }
}

type Listener = (...args: any[]) => unknown;

class FakeWebContents extends EventEmitter {
  readonly sent: { channel: string; payload: unknown }[] = [];
  openHandler: Listener | null = null;
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  setWindowOpenHandler(h: Listener): void {
    this.openHandler = h;
  }
}

function electronStub() {
  const calls: Record<string, unknown[][]> = {};
  const record = (name: string) => (...args: unknown[]) => {
    (calls[name] ??= []).push(args);
  };
  const appEvents = new EventEmitter();
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  const windows: FakeWindow[] = [];
  const handlers = new Map<string, Listener>();
  const protocolHandlers = new Map<string, Listener>();
  const permission: { request?: Listener; check?: Listener; device?: Listener } = {};

  class FakeWindow extends EventEmitter {
    readonly webContents = new FakeWebContents();
    readonly progress: unknown[] = [];
    loaded = '';
    constructor(readonly options: any) {
      super();
      windows.push(this);
      appEvents.emit('web-contents-created', {}, this.webContents);
    }
    loadURL(url: string) {
      this.loaded = url;
      return Promise.resolve();
    }
    setProgressBar(v: unknown) {
      this.progress.push(v);
    }
    isDestroyed() {
      return false;
    }
    isFocused() {
      return true;
    }
    isMinimized() {
      return false;
    }
    show() {}
    focus() {}
    restore() {}
    flashFrame() {}
  }

  const stub = {
    app: Object.assign(appEvents, {
      isPackaged: true,
      getPreferredSystemLanguages: () => ['zh-Hans-CN', 'en-US'],
      commandLine: { appendSwitch: record('appendSwitch') },
      setAppUserModelId: record('setAppUserModelId'),
      requestSingleInstanceLock: (data: unknown) => {
        record('requestSingleInstanceLock')(data);
        return true;
      },
      whenReady: () => ready,
      quit: record('quit'),
    }),
    BrowserWindow: FakeWindow,
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: record('setApplicationMenu') },
    dialog: {
      showOpenDialog: async (..._args: unknown[]) => ({ canceled: false, filePaths: [stubState.pick] }),
      showMessageBoxSync: () => 0,
    },
    ipcMain: {
      handle: (channel: string, fn: Listener) => handlers.set(channel, fn),
      removeHandler: (channel: string) => handlers.delete(channel),
    },
    nativeTheme: { shouldUseDarkColors: false },
    protocol: {
      registerSchemesAsPrivileged: record('registerSchemesAsPrivileged'),
      handle: (scheme: string, fn: Listener) => protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Listener) => (permission.request = fn),
        setPermissionCheckHandler: (fn: Listener) => (permission.check = fn),
        setDevicePermissionHandler: (fn: Listener) => (permission.device = fn),
      },
    },
    shell: { showItemInFolder: record('showItemInFolder'), openPath: async () => '' },
  };
  const stubState = { pick: '' };
  return { stub, calls, appEvents, windows, handlers, protocolHandlers, permission, stubState, becomeReady: readyResolve, ready };
}

const trusted = { senderFrame: { url: 'app://ferry/index.html', parent: null } };

describe('the main-process bundle (out/main/index.js) under a stubbed electron', () => {
  const e = electronStub();
  let dir: string;
  let vhd: string;
  const launched: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-main-bundle-'));
    vhd = makeVhd(join(dir, 'launched.vhd'));
    launched.push(vhd);
    const argv = process.argv;
    process.argv = ['/opt/Ferry/ferry', '--no-sandbox', vhd];
    try {
      loadWithElectron(join(ROOT, 'out/main/index.js'), e.stub);
    } finally {
      process.argv = argv;
    }
    e.becomeReady();
    await e.ready;
    await new Promise((r) => setImmediate(r));
  });

  after(async () => {
    // Let any job the tests started finish (its worker would keep the process alive).
    e.appEvents.emit('before-quit', { preventDefault() {} });
    rmSync(dir, { recursive: true, force: true });
  });

  test('registers the app scheme before ready and takes the single-instance lock with its launch files', () => {
    const [[schemes]] = e.calls.registerSchemesAsPrivileged as [[{ scheme: string; privileges: Record<string, boolean> }[]]];
    assert.equal(schemes[0]!.scheme, 'app');
    assert.equal(schemes[0]!.privileges.secure, true);
    assert.equal(schemes[0]!.privileges.standard, true);
    assert.deepEqual(e.calls.requestSingleInstanceLock, [[{ files: launched }]]);
  });

  test('the page gets the system’s first preferred language as Chromium’s --lang (navigator.languages)', () => {
    assert.deepEqual(e.calls.appendSwitch, [['lang', 'zh-CN']], 'by the name Chromium gives it');
  });

  test('one 1000×700 window, isolated and sandboxed, with the preload that was built, loading app://ferry', () => {
    assert.equal(e.windows.length, 1);
    const w = e.windows[0]!;
    assert.equal(w.options.width, 1000);
    assert.equal(w.options.height, 700);
    const prefs = w.options.webPreferences;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.devTools, false, 'no devtools in a packaged app');
    assert.equal(prefs.preload, join(ROOT, 'out/preload/index.js'));
    readFileSync(prefs.preload); // exists
    assert.equal(w.loaded, 'app://ferry/index.html');
  });

  test('navigation away and new windows are refused; so is every permission', () => {
    const contents = e.windows[0]!.webContents;
    let prevented = 0;
    contents.emit('will-navigate', { preventDefault: () => prevented++ }, 'https://evil.example/');
    contents.emit('will-navigate', { preventDefault: () => prevented++ }, 'app://ferry/index.html');
    contents.emit('will-redirect', { preventDefault: () => prevented++ }, 'file:///etc/passwd');
    assert.equal(prevented, 2);
    assert.deepEqual(contents.openHandler?.({ url: 'https://example.com/' }), { action: 'deny' });
    let granted: boolean | undefined;
    e.permission.request?.({}, 'media', (v: boolean) => (granted = v));
    assert.equal(granted, false);
    assert.equal(e.permission.check?.({}, 'clipboard-read'), false);
  });

  test('app://ferry serves the renderer with the CSP header, and nothing outside it', async () => {
    const handle = e.protocolHandlers.get('app')!;
    const index = (await handle({ url: 'app://ferry/index.html' })) as Response;
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.match(await index.text(), /<div id="root">/);
    for (const url of ['app://ferry/../main/index.js', 'app://ferry/%2e%2e/main/index.js', 'app://other/index.html']) {
      assert.equal(((await handle({ url })) as Response).status, 404, url);
    }
  });

  test('every host method is on its channel, and untrusted frames are refused', async () => {
    assert.deepEqual([...e.handlers.keys()].sort(), HOST_METHODS.map((m) => invokeChannel(m)).sort());
    await assert.rejects(async () => e.handlers.get('ferry:pickSource')!({ senderFrame: { url: 'https://evil.example/', parent: null } }));
  });

  test('launch files wait for the renderer; inspect runs on the bundled worker; a job drives the taskbar', async () => {
    const w = e.windows[0]!;
    const sentOn = (channel: string) => w.webContents.sent.filter((s) => s.channel === channel);
    assert.deepEqual(sentOn('ferry:event:openFiles'), []);
    await e.handlers.get('ferry:ready')!(trusted);
    assert.deepEqual(sentOn('ferry:event:openFiles').map((s) => s.payload), [launched]);

    const inspection = (await e.handlers.get('ferry:inspect')!(trusted, vhd)) as { ok: boolean; value: { disk: { format: string }; suggestedDestination: string } };
    assert.ok(inspection.ok, JSON.stringify(inspection));
    assert.equal(inspection.value.disk.format, 'vhd');
    assert.equal(inspection.value.suggestedDestination, dir);

    const started = (await e.handlers.get('ferry:start')!(trusted, {
      kind: 'convert',
      source: vhd,
      output: join(dir, 'out.vmdk'),
      subformat: 'monolithicSparse',
      adapter: 'ide',
      verify: true,
      overwrite: false,
    })) as { ok: boolean; value: string };
    assert.ok(started.ok);
    for (let i = 0; i < 200 && !sentOn('ferry:event:jobEvent').some((s) => (s.payload as { type: string }).type === 'done'); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const types = sentOn('ferry:event:jobEvent').map((s) => (s.payload as { type: string }).type);
    assert.equal(types.at(-1), 'done');
    assert.ok(w.progress.length >= 2);
    assert.ok(w.progress.slice(0, -1).every((v) => typeof v === 'number' && v >= 0 && v <= 1), JSON.stringify(w.progress));
    assert.equal(w.progress.at(-1), -1, 'cleared when the job ends');
  });

  test('the menu speaks the system’s language until the page names its own; the Language menu asks the page, which answers with useLanguage', async () => {
    type Item = { label?: string; type?: string; checked?: boolean; submenu?: Item[]; click?: () => void };
    const menus = e.calls.setApplicationMenu as [Item[]][];
    const latest = (): Item[] => menus.at(-1)![0];
    const labels = (items: Item[]) => items.map((i) => i.label);
    const languageMenu = (items: Item[]): Item[] => items.find((i) => i.label === '查看' || i.label === 'View')!.submenu!.find((i) => i.type === 'submenu')!.submenu!;
    assert.deepEqual(labels(latest()), ['文件', '编辑', '查看', '窗口'], 'zh-Hans-CN is the system’s first language');
    assert.deepEqual(languageMenu(latest()).map((i) => [i.label, i.checked]), [['English', false], ['简体中文', true], ['繁體中文', false]]);
    assert.equal(e.windows[0]!.options.title, 'Ferry');

    const w = e.windows[0]!;
    languageMenu(latest()).find((i) => i.label === 'English')!.click!();
    assert.deepEqual(w.webContents.sent.at(-1), { channel: 'ferry:event:chooseLanguage', payload: 'en' });
    assert.deepEqual(labels(latest()), ['文件', '编辑', '查看', '窗口'], 'the page decides, not the click');

    assert.equal(await e.handlers.get('ferry:useLanguage')!(trusted, 'en'), null);
    assert.deepEqual(labels(latest()), ['File', 'Edit', 'View', 'Window']);
    assert.deepEqual(languageMenu(latest()).map((i) => i.checked), [true, false, false]);
    await assert.rejects(async () => e.handlers.get('ferry:useLanguage')!(trusted, 'fr'), /language/);
    await e.handlers.get('ferry:useLanguage')!(trusted, 'zh-TW');
    assert.deepEqual(labels(latest()), ['檔案', '編輯', '檢視', '視窗']);
  });

  test('a second launch hands its files to the running window', async () => {
    const w = e.windows[0]!;
    const before = w.webContents.sent.length;
    e.appEvents.emit('second-instance', {}, ['/opt/Ferry/ferry', '--original-process-start-time=1'], dir, { files: [vhd] });
    const sent = w.webContents.sent.slice(before);
    assert.deepEqual(sent, [{ channel: 'ferry:event:openFiles', payload: [vhd] }]);
  });
});

describe('the preload bundle (out/preload/index.js)', () => {
  const source = readFileSync(join(ROOT, 'out/preload/index.js'), 'utf8');

  test('is one CommonJS file that requires nothing but electron (a sandboxed preload can require little else)', () => {
    const required = [...source.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(required)], ['electron']);
    assert.doesNotMatch(source, /^\s*(import|export)\s/m);
  });

  test('exposes `ferry` with exactly the named functions; listeners get the payload only', async () => {
    const exposed = new Map<string, Record<string, Listener>>();
    const invoked: unknown[][] = [];
    const listeners = new Map<string, Listener>();
    loadWithElectron(join(ROOT, 'out/preload/index.js'), {
      contextBridge: { exposeInMainWorld: (name: string, api: Record<string, Listener>) => exposed.set(name, api) },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => {
          invoked.push(args);
          return args[0] === 'ferry:pickSource' ? '/picked.vhd' : null;
        },
        on: (channel: string, fn: Listener) => listeners.set(channel, fn),
        removeListener: (channel: string) => listeners.delete(channel),
      },
      webUtils: { getPathForFile: (file: { name: string }) => `/dropped/${file.name}` },
    });
    assert.deepEqual([...exposed.keys()], ['ferry']);
    const api = exposed.get('ferry')!;
    assert.deepEqual(Object.keys(api).sort(), [
      'cancel',
      'inspect',
      'inspectMachine',
      'onChooseLanguage',
      'onInspectProgress',
      'onJobEvent',
      'onOpenFiles',
      'openInVmware',
      'pathForFile',
      'pickDestination',
      'pickSource',
      'pickSources',
      'showInFolder',
      'start',
      'useLanguage',
    ]);
    assert.ok(Object.values(api).every((v) => typeof v === 'function'), 'functions only: no ipcRenderer, no objects');

    const got: unknown[][] = [];
    const off = api.onJobEvent!((...args: unknown[]) => got.push(args)) as () => void;
    const event = { type: 'cancelled', jobId: 'j1' };
    listeners.get('ferry:event:jobEvent')!({ sender: 'the IpcRendererEvent must not leak' }, event);
    assert.deepEqual(got, [[event]]);
    off();
    assert.equal(listeners.has('ferry:event:jobEvent'), false);

    api.onOpenFiles!(() => undefined);
    api.onOpenFiles!(() => undefined);
    assert.equal(invoked.filter((c) => c[0] === 'ferry:ready').length, 1, 'ready is said once');

    assert.equal(api.pathForFile!({ name: 'a.vhd' }), '/dropped/a.vhd');
    assert.deepEqual(invoked.at(-1), ['ferry:grantDropped', '/dropped/a.vhd']);
    assert.equal(await api.pickSource!(), '/picked.vhd');
  });
});

describe('the renderer bundle (out/renderer)', () => {
  const dir = join(ROOT, 'out/renderer');

  test('its JavaScript stays under 250 KB gzipped', () => {
    const scripts = readdirSync(join(dir, 'assets')).filter((f) => f.endsWith('.js'));
    assert.ok(scripts.length > 0);
    const gz = scripts.reduce((n, f) => n + gzipSync(readFileSync(join(dir, 'assets', f)), { level: 9 }).length, 0);
    assert.ok(gz < 250 * 1024, `${(gz / 1024).toFixed(1)} KB gzipped`);
  });

  test('its page carries the same strict CSP main sends, and loads nothing from elsewhere', () => {
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    assert.equal(meta?.[1], CONTENT_SECURITY_POLICY);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-(inline|eval)/);
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
  });
});
