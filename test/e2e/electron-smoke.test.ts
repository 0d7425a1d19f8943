// The real app in the real Electron: skipped unless Electron's binary is present (it cannot be
// downloaded where these tests usually run; release CI has it: `npx install-electron`, or set
// ELECTRON_OVERRIDE_DIST_PATH). Checks what only the binary can show: the preload really exposes
// `window.ferry` under the sandbox, the page has no Node, and it cannot navigate away.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../harness/server';

function electronBinary(): string | null {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pkg = join(ROOT, 'node_modules/electron');
  const pathTxt = join(pkg, 'path.txt');
  if (override) {
    const name = process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron';
    return existsSync(join(override, name)) ? join(override, name) : null;
  }
  if (!existsSync(pathTxt)) return null;
  const binary = join(pkg, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();

test('the app starts in Electron with an isolated, Node-free page and window.ferry', { skip: binary ? false : 'no Electron binary here' }, async () => {
  const { _electron } = await import('playwright-core');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const app = await _electron.launch({ executablePath: binary!, args: [...(root ? ['--no-sandbox'] : []), ROOT] });
  try {
    const page = await app.firstWindow();
    await page.getByRole('heading', { level: 1, name: /Turn a Hyper-V disk/ }).waitFor();
    const facts = await page.evaluate(() => {
      const g = globalThis as unknown as { ferry?: Record<string, unknown>; require?: unknown; process?: unknown; location: { href: string } };
      return { api: Object.keys(g.ferry ?? {}).sort(), require: typeof g.require, process: typeof g.process, url: g.location.href };
    });
    assert.deepEqual(facts.api, ['cancel', 'inspect', 'onJobEvent', 'onOpenFiles', 'openInVmware', 'pathForFile', 'pickDestination', 'pickSource', 'showInFolder', 'start']);
    assert.equal(facts.require, 'undefined');
    assert.equal(facts.process, 'undefined');
    assert.equal(facts.url, 'app://ferry/index.html');
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    assert.equal(page.url(), 'app://ferry/index.html', 'navigation away is refused');
  } finally {
    await app.close();
  }
});
