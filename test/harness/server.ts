// The test harness: serves the built renderer on a loopback port and bridges `window.ferry`
// over a WebSocket to the real FerryHost, JobService and worker. Only the OS pieces differ from
// the app: dialogs answer from configuration, and "show"/"open" are recorded, not performed.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { WebSocketServer, type WebSocket } from 'ws';
import { CONTENT_SECURITY_POLICY, contentTypeFor } from '../../electron/app-protocol';
import { createHandlers } from '../../electron/handlers';
import { FerryHost } from '../../electron/host';
import { JobService } from '../../electron/jobs';
import { isRegularFile } from '../../electron/launch-files';
import { menuTemplate, outline, type MenuOutline } from '../../electron/menu';
import { createTranslator } from '../../electron/translator';
import { LANGUAGE_CODES, isLanguage, type Language } from '../../shared/i18n/languages';
import { parseClientFrame, TOKEN_PARAM, WS_PATH, type ServerFrame } from './ws-protocol';

export const ROOT = resolve(__dirname, '../..');
const BRIDGE_PATH = '/__ferry/bridge.js';

export interface HarnessOptions {
  /** What "Choose file…" answers (null: the dialog was closed). */
  pickSource?: string | null;
  /** What "Choose file…" answers when it may choose several (default: `pickSource` alone, or none). */
  pickSources?: string[] | null;
  /** What "Choose folder…" answers; also the suggested destination when set. */
  pickDest?: string | null;
  /** Dropped files resolve by name inside this folder. */
  dropDir?: string | null;
  /** Disks "opened from the OS", delivered once the page is ready. */
  launchFiles?: string[];
  port?: number;
  rendererDir?: string;
  threadPath?: string;
  cancelGraceMs?: number;
  /** Called for each "Show in folder" / "Open in VMware" (which the harness does not perform). */
  onShell?: (action: 'showInFolder' | 'openPath', path: string) => void;
  /** What main's "replace it?" dialog answers (default: no). */
  confirmOverwrite?: ConfirmAnswer;
  /** Called for each time the dialog is asked, with the path it names. */
  onConfirm?: (path: string) => void;
  /** Called each time a page says which language it speaks (main's menu and dialogs follow it). */
  onLanguage?: (language: Language) => void;
}

export type ConfirmAnswer = 'yes' | 'no';

/** `FERRY_CONFIRM_OVERWRITE`: yes or no, no when unset or empty; anything else is a mistake worth stopping for. */
export function confirmAnswerFrom(value: string | undefined): ConfirmAnswer {
  if (value === undefined || value === '' || value === 'no') return 'no';
  if (value === 'yes') return 'yes';
  throw new Error(`FERRY_CONFIRM_OVERWRITE must be yes or no, not "${value}".`);
}

export interface ShellCall {
  action: 'showInFolder' | 'openPath';
  path: string;
}

export interface Harness {
  /** The page's address, with the token its WebSocket must present. */
  url: string;
  host: FerryHost;
  jobs: JobService;
  shellCalls: ShellCall[];
  /** The paths main's "replace it?" dialog was asked about, in order. */
  confirmCalls: string[];
  /** The languages pages said they speak (`useLanguage`), in order. */
  languageCalls: Language[];
  /** Main's menu as the app would build it now (in the language a page last said it speaks). */
  menu(): MenuOutline[];
  /** As a click on that language in main's Language menu: every open page is told. */
  chooseLanguageFromMenu(language: Language): void;
  close(): Promise<void>;
}

const MENU_PATH = '/__ferry/menu';
const MENU_LANGUAGE_PATH = '/__ferry/menu/language';
const LANGUAGE_LIST = LANGUAGE_CODES.join(', ');

/** The page's bridge, bundled for the browser (an IIFE) with Vite. */
async function bundleBridge(): Promise<string> {
  // Vite's types need `bundler` resolution, which this (node10) project does not use; the call is small.
  const vite = 'vite';
  const { build } = (await import(vite)) as { build(config: object): Promise<unknown> };
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    root: ROOT,
    build: {
      write: false,
      minify: false,
      target: 'chrome120',
      lib: { entry: join(ROOT, 'test/harness/browser-bridge.ts'), formats: ['iife'], name: 'FerryHarnessBridge' },
    },
  });
  const first = (Array.isArray(output) ? output[0] : output) as { output: { type: string; code?: string }[] };
  const chunk = first.output.find((o) => o.type === 'chunk');
  if (!chunk?.code) throw new Error('the harness bridge did not bundle');
  return chunk.code;
}

function withBridge(html: string): string {
  // A classic script runs before the app's (deferred) module script, so `window.ferry` exists when
  // the app starts; placed after the CSP meta tag, so the policy applies to it too.
  const at = html.indexOf('<script');
  const tag = `<script src="${BRIDGE_PATH}"></script>\n    `;
  return at < 0 ? html.replace('</head>', `${tag}</head>`) : html.slice(0, at) + tag + html.slice(at);
}

/** The host the harness serves: the app's own FerryHost and JobService, with test-only OS answers. */
export function createHarnessHost(opts: HarnessOptions = {}): {
  host: FerryHost;
  jobs: JobService;
  shellCalls: ShellCall[];
  confirmCalls: string[];
  languageCalls: Language[];
  menu(): MenuOutline[];
  dropDir: string | null;
} {
  const threadPath = opts.threadPath ?? join(ROOT, 'out/main/thread.js');
  const dropDir = opts.dropDir ? resolve(opts.dropDir) : null;
  const pickSource = opts.pickSource ? resolve(opts.pickSource) : null;
  const pickSources = opts.pickSources?.length ? opts.pickSources.map((p) => resolve(p)) : pickSource ? [pickSource] : [];
  // A folder dialog answers with a folder that exists (it can create one), so the harness does too.
  const pickDest = (): string | null => {
    if (!opts.pickDest) return null;
    const dir = resolve(opts.pickDest);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const shellCalls: ShellCall[] = [];
  const record = (action: ShellCall['action'], path: string): void => {
    shellCalls.push({ action, path });
    opts.onShell?.(action, path);
  };
  const confirmCalls: string[] = [];
  // One menu for the process, as the app has one: it follows whichever page spoke last. The
  // choice itself stays in each page's storage.
  const languageCalls: Language[] = [];
  const words = createTranslator('en');
  const jobs = new JobService({ createWorker: () => new Worker(threadPath), ...(opts.cancelGraceMs ? { cancelGraceMs: opts.cancelGraceMs } : {}) });
  const host = new FerryHost({
    jobs,
    dialogs: {
      pickSource: async () => pickSource,
      pickSources: async () => pickSources,
      pickDestination: async () => pickDest(),
    },
    shell: {
      showInFolder: (path) => record('showInFolder', path),
      openPath: async (path) => {
        record('openPath', path);
        return '';
      },
    },
    suggestDestination: (source) => pickDest() ?? dirname(source),
    acceptDrop: (path) => dropDir !== null && dirname(resolve(path)) === dropDir && isRegularFile(path),
    confirmOverwrite: async (path) => {
      confirmCalls.push(path);
      opts.onConfirm?.(path);
      return opts.confirmOverwrite === 'yes';
    },
    useLanguage: (language) => {
      languageCalls.push(language);
      words.use(language);
      opts.onLanguage?.(language);
    },
  });
  if (opts.launchFiles?.length) host.openFiles(opts.launchFiles.map((p) => resolve(p)));
  const menu = (): MenuOutline[] =>
    outline(menuTemplate({ t: words.t, language: words.language, isMac: false, isPackaged: true, openDisk: () => undefined, chooseLanguage: (l) => host.chooseLanguageFromMenu(l) }));
  return { host, jobs, shellCalls, confirmCalls, languageCalls, menu, dropDir };
}

/** Whether a WebSocket request's URL carries the harness's token (compared in constant time). */
function hasToken(url: string | undefined, token: string): boolean {
  let given: string;
  try {
    given = new URL(url ?? '', 'http://x').searchParams.get(TOKEN_PARAM) ?? '';
  } catch {
    return false;
  }
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const rendererDir = opts.rendererDir ?? join(ROOT, 'out/renderer');
  const { host, jobs, shellCalls, confirmCalls, languageCalls, menu, dropDir } = createHarnessHost(opts);
  // Only the page the harness served may drive the host: its origin, and the secret in its URL.
  const token = randomBytes(16).toString('hex');
  let servedOrigin = '';
  const handlers = createHandlers(host);

  const bridgeConfig = `window.__FERRY_HARNESS__ = ${JSON.stringify({ dropDir: dropDir ?? '', sep })};\n`;
  const bridge = bridgeConfig + (await bundleBridge());

  const serveFile = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end(); // a malformed escape such as %E0%A4%A
      return;
    }
    if (pathname === BRIDGE_PATH) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      res.end(bridge);
      return;
    }
    const relative = pathname === '/' ? '/index.html' : pathname;
    const file = normalize(join(rendererDir, relative));
    if (!file.startsWith(rendererDir + sep) || relative.includes('\0')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': contentTypeFor(file),
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'cache-control': 'no-store',
      });
      res.end(relative === '/index.html' ? withBridge(body.toString('utf8')) : body);
    } catch {
      res.writeHead(404).end();
    }
  };

  /** Main's menu, for checks that cannot see a native one: read it, or click a language in it. */
  const serveMenu = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    if (!hasToken(req.url, token)) {
      res.writeHead(403).end();
      return;
    }
    if (url.pathname === MENU_PATH && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(menu()));
      return;
    }
    if (url.pathname === MENU_LANGUAGE_PATH && req.method === 'POST') {
      const language = url.searchParams.get('language');
      if (!isLanguage(language)) {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`language must be one of the menu's: ${LANGUAGE_LIST}`);
        return;
      }
      host.chooseLanguageFromMenu(language);
      res.writeHead(204).end();
      return;
    }
    res.writeHead(405).end();
  };

  const server = createServer((req, res) => {
    const url = URL.canParse(req.url ?? '/', 'http://x') ? new URL(req.url ?? '/', 'http://x') : null;
    if (url && (url.pathname === MENU_PATH || url.pathname === MENU_LANGUAGE_PATH)) {
      serveMenu(req, res, url);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    serveFile(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const wss = new WebSocketServer({ server, path: WS_PATH, verifyClient: ({ origin, req }: { origin?: string; req: IncomingMessage }) => origin === servedOrigin && hasToken(req.url, token) });
  wss.on('connection', (socket: WebSocket) => serveConnection(socket));

  let connections = 0;
  function serveConnection(socket: WebSocket): void {
    connections++;
    const started = new Set<string>();
    const send = (frame: ServerFrame): void => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
    };
    const off = host.onEvent((event) => send({ event: event.name, payload: event.payload }));
    socket.on('message', (data) => {
      let frame;
      try {
        frame = parseClientFrame(JSON.parse(String(data)));
      } catch {
        socket.close(1003, 'malformed frame');
        return;
      }
      const { id, method, arg } = frame;
      handlers[method](arg).then(
        (answer) => {
          if (method === 'start' && (answer as { ok?: boolean }).ok) started.add((answer as { value: string }).value);
          send({ id, answer: answer ?? null });
        },
        (err: unknown) => send({ id, refused: err instanceof Error ? err.message : String(err) }),
      );
    });
    socket.on('close', () => {
      off();
      // As when the app's window goes: but only once no page is left (the next may already be open).
      if (--connections === 0) host.rendererGone();
      // A page that goes away takes its jobs with it, as closing the app's window does.
      for (const jobId of started) jobs.cancel(jobId);
    });
  }

  await new Promise<void>((resolveListen) => server.listen(opts.port ?? 0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  servedOrigin = `http://127.0.0.1:${port}`;

  return {
    url: `${servedOrigin}/?${TOKEN_PARAM}=${token}`,
    host,
    jobs,
    shellCalls,
    confirmCalls,
    languageCalls,
    menu,
    chooseLanguageFromMenu: (language) => host.chooseLanguageFromMenu(language),
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
      await jobs.cancelAll();
      await host.shutdown();
      host.dispose();
    },
  };
}
