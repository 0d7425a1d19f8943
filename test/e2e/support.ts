// Shared by the end-to-end tests: Debian's Chromium through playwright-core, fixture disks made
// with qemu-img/qemu-io, and screenshots under test-results/.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../harness/server';

export const CHROMIUM = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-results', 'app');

/** Chromium, in `lang` (its --lang: the UI language, and the page's languages) when given. */
export function launchChromium(lang?: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...(lang ? [`--lang=${lang}`] : [])],
  });
}

/** A 1000×700 page; `locale` sets navigator.languages as a browser set to that language would. */
export async function openPage(browser: Browser, url: string, colorScheme: 'light' | 'dark' = 'light', locale?: string): Promise<Page> {
  // Reduced motion (which the app honours) so a screenshot never catches a transition half-way.
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, colorScheme, deviceScaleFactor: 1, reducedMotion: 'reduce', ...(locale ? { locale } : {}) });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  (page as Page & { problems: string[] }).problems = problems;
  await page.goto(url);
  return page;
}

/** Errors and CSP violations the page reported. */
export function pageProblems(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(SCREENSHOTS, `${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path });
  return path;
}

/** Drops `fileNames` on the page at once, the way a file manager drops a selection: dragenter, dragover, drop. */
export async function dropFiles(page: Page, fileNames: readonly string[]): Promise<void> {
  await page.evaluate((names) => {
    const g = globalThis as unknown as {
      DataTransfer: new () => { items: { add(f: unknown): void } };
      File: new (parts: string[], name: string) => unknown;
      DragEvent: new (type: string, init: object) => unknown;
      document: { body: { dispatchEvent(e: unknown): void } };
    };
    const dt = new g.DataTransfer();
    for (const name of names) dt.items.add(new g.File(['x'], name));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      g.document.body.dispatchEvent(new g.DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, [...fileNames]);
}

/** Drops one file, as `dropFiles` does. */
export const dropFile = (page: Page, fileName: string): Promise<void> => dropFiles(page, [fileName]);

/** `npm run harness` exactly as external checks start it: environment in, the URL line out. */
export interface RunningHarness {
  child: ChildProcess;
  url: string;
  lines: string[];
}

export function startHarnessProcess(env: Record<string, string>): Promise<RunningHarness> {
  const child = spawn('npm', ['run', '--silent', 'harness'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the harness printed no URL within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the harness exited early (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const m = /^FERRY_HARNESS_URL=(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})$/.exec(line);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, url: m[1]!, lines });
      }
    });
  });
}
