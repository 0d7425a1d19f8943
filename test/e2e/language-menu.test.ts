// The Language menu end to end, through `npm run harness` in Debian's Chromium: a pick in
// main's menu (the harness's POST /__ferry/menu/language) changes the page at once and is
// remembered in the page; the page's own picker changes main's menu (GET /__ferry/menu); and a
// page with its own storage starts from its own system language, whatever another page chose.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, pageProblems, screenshot, startHarnessProcess, type RunningHarness } from './support';

interface Outline {
  label: string;
  checked?: boolean;
  submenu?: Outline[];
}

describe('the Language menu and the page (harness, Chromium)', () => {
  let harness: RunningHarness;
  let browser: Browser;
  const at = (path: string): URL => {
    const url = new URL(path, harness.url);
    url.searchParams.set('token', new URL(harness.url).searchParams.get('token')!);
    return url;
  };
  const menu = async (): Promise<Outline[]> => (await fetch(at('/__ferry/menu'))).json() as Promise<Outline[]>;
  const topLabels = async (): Promise<string[]> => (await menu()).map((m) => m.label);
  const checkedLanguage = async (): Promise<string | undefined> => (await menu())[2]!.submenu!.at(-1)!.submenu!.find((i) => i.checked)?.label;
  const pickInMenu = async (language: string): Promise<void> => {
    const res = await fetch(at(`/__ferry/menu/language?language=${language}`), { method: 'POST' });
    assert.equal(res.status, 204);
  };
  const lang = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang);
  const stored = (page: Page) => page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('ferry.language'));
  const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();
  /** Waits until the harness has printed that a page named `language`, `times` times in all. */
  const said = async (language: string, times: number): Promise<void> => {
    for (let i = 0; i < 200 && harness.lines.filter((l) => l === `FERRY_HARNESS_LANGUAGE=${language}`).length < times; i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(harness.lines.filter((l) => l === `FERRY_HARNESS_LANGUAGE=${language}`).length >= times, `FERRY_HARNESS_LANGUAGE=${language} ×${times} in ${harness.lines.join(' | ')}`);
  };

  before(async () => {
    harness = await startHarnessProcess({});
    browser = await launchChromium('en-US');
  });

  after(async () => {
    await browser?.close();
    if (harness && harness.child.exitCode === null) {
      const exited = new Promise((r) => harness.child.once('exit', r));
      harness.child.kill('SIGTERM'); // npm passes it on to the harness
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (harness.child.exitCode === null) harness.child.kill('SIGKILL');
    }
  });

  test('a pick in the menu changes the page at once and is remembered there; the menu follows the page', async () => {
    const page = await openPage(browser, harness.url, 'dark', 'en-US');
    await heading(page, 'Turn a Hyper-V disk into a VMware machine');
    await said('en', 1);
    assert.deepEqual(await topLabels(), ['File', 'Edit', 'View', 'Window']);
    assert.equal(await checkedLanguage(), 'English');

    await pickInMenu('zh-TW');
    await heading(page, '把 Hyper-V 磁碟變成 VMware 虛擬機器');
    assert.equal(await lang(page), 'zh-TW');
    assert.equal(await stored(page), 'zh-TW', 'remembered in the page’s own storage');
    await said('zh-TW', 1);
    assert.deepEqual(await topLabels(), ['檔案', '編輯', '檢視', '視窗']);
    assert.equal(await checkedLanguage(), '繁體中文');
    assert.equal(await page.getByRole('combobox', { name: '語言' }).inputValue(), 'zh-TW', 'the page’s picker agrees');
    await screenshot(page, 'zh-TW/00-after-menu-pick-dark');

    await page.reload();
    await heading(page, '把 Hyper-V 磁碟變成 VMware 虛擬機器');

    await page.getByRole('combobox', { name: '語言' }).selectOption('zh-CN');
    await heading(page, '把 Hyper-V 磁盘变成 VMware 虚拟机');
    await said('zh-CN', 1);
    assert.deepEqual(await topLabels(), ['文件', '编辑', '查看', '窗口']);
    assert.equal(await checkedLanguage(), '简体中文');
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });

  test('another page, with its own storage, starts in its own system language: the choice is not kept in the harness', async () => {
    const page = await openPage(browser, harness.url, 'light', 'en-US');
    await heading(page, 'Turn a Hyper-V disk into a VMware machine');
    assert.equal(await stored(page), null);
    await said('en', 2);
    assert.deepEqual(await topLabels(), ['File', 'Edit', 'View', 'Window'], 'the one menu follows the page that spoke last');
    await page.context().close();
  });
});
