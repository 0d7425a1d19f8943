// Shared by the end-to-end tests: Debian's Chromium through playwright-core, fixture disks made
// with qemu-img/qemu-io, and screenshots under test-results/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../harness/server';

export const CHROMIUM = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-results', 'app');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export async function openPage(browser: Browser, url: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  // Reduced motion (which the app honours) so a screenshot never catches a transition half-way.
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, colorScheme, deviceScaleFactor: 1, reducedMotion: 'reduce' });
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
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Drops `fileName` on the page the way a file manager would: dragenter, dragover, drop. */
export async function dropFile(page: Page, fileName: string): Promise<void> {
  await page.evaluate((name) => {
    const g = globalThis as unknown as {
      DataTransfer: new () => { items: { add(f: unknown): void } };
      File: new (parts: string[], name: string) => unknown;
      DragEvent: new (type: string, init: object) => unknown;
      document: { body: { dispatchEvent(e: unknown): void } };
    };
    const dt = new g.DataTransfer();
    dt.items.add(new g.File(['x'], name));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      g.document.body.dispatchEvent(new g.DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, fileName);
}
