// The wizard once more in Simplified and in Traditional Chinese, as a new user on a Chinese
// system opens it: Chromium started with --lang=zh-CN (zh-TW) and a page whose navigator.languages
// say so, through `npm run harness`. Every step is walked in light and dark, screenshots go to
// test-results/app/<tag>/, and what each screen says is checked for English left over: only
// product, format and OS names (and the user's own file names) stay in Latin letters.
import assert from 'node:assert/strict';
import { copyFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { entries, makeVhd, makeWindowsVhd } from '../harness/fixtures';
import { ROOT } from '../harness/server';
import { dropFile, launchChromium, openPage, pageProblems, screenshot, startHarnessProcess, type RunningHarness } from './support';

/** What the tests look for on each screen, in each language's own words. */
const WORDS = {
  'zh-CN': {
    name: 'Simplified Chinese', welcome: '把 Hyper-V 磁盘变成 VMware 虚拟机', source: '检查源磁盘', sourceLine: 'VHD，动态扩展', next: '下一步', back: '上一步',
    diskType: '选择磁盘类型', dynamic: /动态/, fixed: /固定/, advanced: '高级', save: '选择生成什么、保存到哪里', vmFolder: '虚拟机文件夹',
    guestOS: '客户机操作系统', nameField: '名称', ova: 'OVA 包', convert: '转换', done: '虚拟机已就绪', openInVmware: '在 VMware 中打开',
    converting: '正在生成 slow', cancel: '取消', cancelled: '转换已取消，没有留下任何文件。', notADisk: '这不是 Ferry 可读取的磁盘',
    notADiskHint: /请选择 VHD、VHDX 或 VMDK 磁盘/, language: '语言',
  },
  'zh-TW': {
    name: 'Traditional Chinese', welcome: '把 Hyper-V 磁碟變成 VMware 虛擬機器', source: '檢查來源磁碟', sourceLine: 'VHD，動態擴充', next: '下一步', back: '上一步',
    diskType: '選擇磁碟類型', dynamic: /動態/, fixed: /固定/, advanced: '進階', save: '選擇要產生什麼、儲存到哪裡', vmFolder: '虛擬機器資料夾',
    guestOS: '客體作業系統', nameField: '名稱', ova: 'OVA 套件', convert: '轉換', done: '虛擬機器已就緒', openInVmware: '在 VMware 中開啟',
    converting: '正在產生 slow', cancel: '取消', cancelled: '轉換已取消，沒有留下任何檔案。', notADisk: '這不是 Ferry 可讀取的磁碟',
    notADiskHint: /請選擇 VHD、VHDX 或 VMDK 磁碟/, language: '語言',
  },
} as const;
/** What the picker lists, each language in its own script with its own lang. */
const PICKER = ['en:English', 'zh-CN:简体中文', 'zh-TW:繁體中文'];

/**
 * Latin words a Chinese screen may show: names of products, formats, systems, firmware and buses,
 * units, and the names Windows, Linux and VMware give things (a stop code, a controller's id, their disk-check tools).
 */
const NAMES = new Set(
  (
    'Ferry Microsoft VMware Workstation Player Fusion ESXi vSphere vCenter Client Host Hyper-V VHD VHDX VMDK OVA OVF Windows Linux ' +
    'Server R2 XP Ubuntu Debian Red Hat Enterprise AlmaLinux Rocky Fedora openSUSE SUSE CoreOS FreeBSD ' +
    'EFI UEFI BIOS GPT MBR NTFS FAT32 IDE SATA AHCI NVMe SCSI SAS LSI Logic Paravirtual CPU KB MB GB TB English E_NOT_A_DISK ' +
    'Tools INACCESSIBLE_BOOT_DEVICE lsisas1068 chkdsk fsck'
  ).split(' '),
);

/**
 * The engine's own error messages, quoted inside a warning about the fixture's file systems: like
 * the error screen's message, an error's text stays as the engine (and the CLI) says it.
 */
const ENGINE_MESSAGES = ['FAT boot sector: impossible BPB fields', 'NTFS boot sector: 0 sectors per cluster'];

/** The Latin words on the page that are none of NAMES, after the user's own file names and paths are taken out. */
async function englishLeft(page: Page, own: readonly string[]): Promise<string[]> {
  let text = await page.locator('body').innerText();
  for (const s of [...own, ...ENGINE_MESSAGES]) text = text.split(s).join(' ');
  // Paths (either slash), extensions and hexadecimal numbers (a stop code's 0x7B) are not words.
  text = text.replace(/\S*[/\\]\S*/g, ' ').replace(/\.[a-z0-9]{2,4}\b/g, ' ').replace(/\b0x[0-9a-f]+\b/gi, ' ');
  const words = text.match(/[A-Za-z][A-Za-z0-9_-]*[A-Za-z0-9]/g) ?? [];
  // U1, U2: VMware's update releases (ESXi 8.0 U2), part of a product's name.
  return [...new Set(words.filter((w) => !NAMES.has(w) && !/^U\d+$/.test(w)))];
}

/** The picker's background and its options', against the --surface token as the page resolves it. */
async function pickerColours(page: Page): Promise<{ select: string; option: string; surface: string }> {
  return page.evaluate(() => {
    type El = { style: { background: string }; remove(): void };
    const g = globalThis as unknown as {
      document: { querySelector(s: string): El | null; createElement(t: string): El; body: { append(e: El): void } };
      getComputedStyle(e: El): { backgroundColor: string };
    };
    const probe = g.document.createElement('div');
    probe.style.background = 'var(--surface)';
    g.document.body.append(probe);
    const surface = g.getComputedStyle(probe).backgroundColor;
    probe.remove();
    const select = g.document.querySelector('.language-picker')!;
    const option = g.document.querySelector('.language-picker option')!;
    return { select: g.getComputedStyle(select).backgroundColor, option: g.getComputedStyle(option).backgroundColor, surface };
  });
}

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

/** A copy of a dynamic VHD whose dynamic header's checksum (at its offset 36) is wrong; every field stays sound. */
function damageDynamicHeaderChecksum(from: string, to: string): void {
  copyFileSync(from, to);
  const fd = openSync(to, 'r+');
  const footer = Buffer.alloc(512);
  readSync(fd, footer, 0, 512, 0);
  const at = Number(footer.readBigUInt64BE(16)) + 36;
  const sum = Buffer.alloc(4);
  readSync(fd, sum, 0, 4, at);
  sum.writeUInt32BE((sum.readUInt32BE(0) ^ 0xffffffff) >>> 0);
  writeSync(fd, sum, 0, 4, at);
  closeSync(fd);
}

/** No button's label is cut off or wraps out of it. */
async function clippedButtons(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type El = { textContent: string | null; scrollWidth: number; clientWidth: number; scrollHeight: number; clientHeight: number; getBoundingClientRect(): { right: number; bottom: number } };
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El> }; innerWidth: number }).document;
    const width = (globalThis as unknown as { innerWidth: number }).innerWidth;
    return Array.from(doc.querySelectorAll('button, .btn'))
      .filter((b) => b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1 || b.getBoundingClientRect().right > width)
      .map((b) => (b.textContent ?? '').trim());
  });
}

for (const [LANG, W] of Object.entries(WORDS)) describe(`the wizard in ${W.name} (Chromium --lang=${LANG}) through the harness`, () => {
  let dir: string;
  let drops: string;
  let dest: string;
  let harness: RunningHarness;
  let browser: Browser;
  // The user's file names, and the partition names written on the fixture disk (its own data, like a file name).
  /** What this language's catalogue says for an engine code, placeholders and all. */
  const engineWords = (JSON.parse(readFileSync(join(ROOT, 'shared/i18n', `${LANG}.json`), 'utf8')) as { engine: Record<string, string> }).engine;
  const said = (code: string): string => engineWords[code] ?? assert.fail(`no ${code} in ${LANG}.json`);
  const own = ['Dropped Server', 'Damaged Server', 'slow', 'broken', 'Ferry-zh light', 'Ferry-zh dark', 'EFI system partition', 'Microsoft reserved partition', 'Basic data partition', 'SYSTEM'];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-e2e-zh-'));
    drops = join(dir, 'drops');
    dest = join(dir, 'dest');
    mkdirSync(drops);
    mkdirSync(dest);
    makeWindowsVhd(join(drops, 'Dropped Server.vhd'));
    // Larger than the English run's: the first Chinese page paints its fonts slowly, and a smaller disk was done before the cancel.
    makeVhd(join(drops, 'slow.vhd'), { size: '4G', data: '1536M' });
    damageDynamicHeaderChecksum(join(drops, 'Dropped Server.vhd'), join(drops, 'Damaged Server.vhd'));
    writeFileSync(join(drops, 'broken.vhd'), 'this file only pretends to be a disk');
    harness = await startHarnessProcess({ FERRY_PICK_SOURCE: join(drops, 'Dropped Server.vhd'), FERRY_PICK_DEST: dest, FERRY_DROP_DIR: drops });
    browser = await launchChromium(LANG);
  });

  after(async () => {
    await browser?.close();
    // SIGTERM, which npm passes on to the harness; SIGKILL would leave the harness itself running.
    if (harness && harness.child.exitCode === null) {
      const exited = new Promise((r) => harness.child.once('exit', r));
      harness.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (harness.child.exitCode === null) harness.child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`${scheme}: every step of the main flow speaks Chinese, with nothing clipped`, async () => {
      const page = await openPage(browser, harness.url, scheme, LANG);
      const shot = async (name: string): Promise<void> => {
        assert.deepEqual(await englishLeft(page, own), [], `English left on ${name}`);
        assert.deepEqual(await clippedButtons(page), [], `clipped buttons on ${name}`);
        await screenshot(page, `${LANG}/${name}-${scheme}`);
      };
      await heading(page, W.welcome).waitFor();
      assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang), LANG);
      assert.equal(await page.title(), 'Ferry');
      const picker = await pickerColours(page);
      assert.deepEqual([picker.select, picker.option], [picker.surface, picker.surface], `the picker and its list take the ${scheme} surface`);
      await shot('01-welcome');

      await dropFile(page, 'Dropped Server.vhd');
      await heading(page, W.source).waitFor();
      assert.ok(await page.getByText(W.sourceLine).isVisible());
      await shot('03-source');

      await page.getByRole('button', { name: W.next }).click();
      await heading(page, W.diskType).waitFor();
      assert.ok(await page.getByRole('radio', { name: W.dynamic }).isChecked());
      await page.getByText(W.advanced, { exact: true }).click();
      await shot('04-disk-type');

      await page.getByRole('button', { name: W.next }).click();
      await heading(page, W.save).waitFor();
      assert.ok(await page.getByRole('radio', { name: W.vmFolder }).isChecked());
      assert.equal(await page.getByRole('combobox', { name: W.guestOS }).inputValue(), 'windows9-64');
      await page.getByRole('textbox', { name: W.nameField }).fill(`Ferry-zh ${scheme}`);
      await shot('05-save');
      await page.getByRole('radio', { name: /ESXi \/ vSphere/ }).check();
      assert.ok(await page.getByRole('radio', { name: W.ova }).isChecked());
      await shot('05-save-esxi');
      await page.getByRole('radio', { name: /VMware Workstation \/ Player \/ Fusion/ }).check();

      await page.getByRole('button', { name: W.convert }).click();
      await heading(page, W.done).waitFor({ timeout: 30_000 });
      assert.ok(await page.getByRole('button', { name: W.openInVmware }).isVisible());
      await screenshot(page, `${LANG}/07-done-${scheme}`);
      // The job's warnings, by code in Chinese: the controller advice and why boot repair was not made.
      const doneWarnings = await page.locator('.callout-warning .plain-list li').allInnerTexts();
      assert.ok(doneWarnings.some((w) => w.startsWith(said('windows-controller').split('{{')[0]!) && w.includes('SATA (AHCI)')), doneWarnings.join('\n'));
      assert.ok(doneWarnings.some((w) => w.startsWith(said('repair-refused').split('{{')[0]!) && w.includes('\\Windows\\System32\\config\\SYSTEM')), doneWarnings.join('\n'));
      assert.deepEqual(await englishLeft(page, own), [], 'English left on the done step');
      assert.deepEqual(entries(join(dest, `Ferry-zh ${scheme}`)), [`Ferry-zh ${scheme}.vmdk`, `Ferry-zh ${scheme}.vmx`]);
      assert.deepEqual(pageProblems(page), []);
      await page.context().close();
    });
  }

  test('the source step says the engine’s warnings in Chinese: a VHD whose dynamic header has a bad checksum', async () => {
    const page = await openPage(browser, harness.url, 'light', LANG);
    await heading(page, /Hyper-V/).waitFor();
    await dropFile(page, 'Damaged Server.vhd');
    await heading(page, W.source).waitFor();
    const warnings = await page.locator('.callout-warning .plain-list li').allInnerTexts();
    assert.ok(warnings.includes(said('vhd-header-checksum').replace('{{offset}}', '512')), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.startsWith(said('guest-fs-unreadable').split('{{')[0]!) && w.includes('NTFS')), warnings.join('\n'));
    assert.deepEqual(await englishLeft(page, own), [], 'English left beside the warnings');
    await screenshot(page, `${LANG}/03-source-warnings-light`);
    await page.context().close();
  });

  test('progress and cancel, in Chinese', async () => {
    // One screenshot while it runs, then cancel at once: a second one gave a fast machine time to
    // finish the conversion before the click. Each language takes one scheme, so both are seen.
    const scheme = LANG === 'zh-CN' ? 'light' : 'dark';
    const page = await openPage(browser, harness.url, scheme, LANG);
    await heading(page, /Hyper-V/).waitFor();
    await dropFile(page, 'slow.vhd');
    await heading(page, W.source).waitFor();
    await page.getByRole('button', { name: W.next }).click();
    await page.getByRole('radio', { name: W.fixed }).check();
    await page.getByRole('button', { name: W.next }).click();
    await page.getByRole('button', { name: W.convert }).click();
    await page.waitForFunction(() => {
      const el = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document.querySelector('[role=progressbar]');
      return Number(el?.getAttribute('aria-valuenow') ?? 0) >= 3;
    });
    await heading(page, W.converting).waitFor();
    assert.deepEqual(await englishLeft(page, own), [], 'English left while converting');
    await screenshot(page, `${LANG}/06-converting-${scheme}`);
    await page.getByRole('button', { name: W.cancel }).click();
    await page.getByText(W.cancelled).waitFor({ timeout: 15_000 });
    assert.deepEqual(await englishLeft(page, own), [], 'English left after the cancel');
    await screenshot(page, `${LANG}/09-cancelled-${scheme}`);
    await page.context().close();
  });

  test('the error screen: a Chinese title and hint by code, the engine’s own message below', async () => {
    const page = await openPage(browser, harness.url, 'light', LANG);
    await heading(page, /Hyper-V/).waitFor();
    await dropFile(page, 'broken.vhd');
    await heading(page, W.notADisk).waitFor();
    const message = await page.locator('.error-message').innerText();
    assert.match(message, /broken\.vhd/, 'the engine’s message, as the CLI prints it');
    assert.match(await page.locator('.error-hint').innerText(), W.notADiskHint);
    await page.locator('.error-message').evaluate((el) => ((el as unknown as { textContent: string }).textContent = ''));
    assert.deepEqual(await englishLeft(page, own), [], 'apart from the engine’s message');
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await dropFile(page, 'broken.vhd');
    await heading(page, W.notADisk).waitFor();
    await screenshot(page, `${LANG}/08-error-light`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, `${LANG}/08-error-dark`);
    await page.getByRole('button', { name: W.back }).click();
    await heading(page, /Hyper-V/).waitFor();
    await page.context().close();
  });

  test('the header’s picker names each language in its own script; a change is immediate, remembered, and sets <html lang>', async () => {
    const page = await openPage(browser, harness.url, 'light', LANG);
    await heading(page, W.welcome).waitFor();
    const picker = page.getByRole('combobox', { name: W.language });
    const options = await picker.locator('option').evaluateAll((els) => els.map((e) => `${(e as unknown as { lang: string }).lang}:${(e as unknown as { textContent: string }).textContent}`));
    assert.deepEqual(options, PICKER);
    await picker.selectOption('en');
    await heading(page, 'Turn a Hyper-V disk into a VMware machine').waitFor();
    const lang = () => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang);
    assert.equal(await lang(), 'en');
    await page.reload();
    await heading(page, 'Turn a Hyper-V disk into a VMware machine').waitFor();
    assert.equal(await lang(), 'en', 'remembered over the system’s language');
    await page.getByRole('combobox', { name: 'Language' }).selectOption(LANG);
    await heading(page, W.welcome).waitFor();
    assert.equal(await lang(), LANG);
    await page.context().close();
  });
});
