// The wizard end to end: Debian's Chromium on the built renderer, through `npm run harness`
// exactly as external checks start it (environment in, URL line out, SIGTERM to stop), with
// the real host, JobService and worker behind the WebSocket. Screenshots of every step go to
// test-results/app/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { entries, makeBzip2Download, makeSlowVhd, makeVhd, makeWindowsVhd, sameContent } from '../harness/fixtures';
import { ferry, lastEvent } from '../support/cli';
import { tempDir } from '../support/tmp';
import { dropFile, launchChromium, openPage, pageProblems, screenshot, startHarnessProcess, type RunningHarness } from './support';

/** Tabs until the focused element is the control named `name`, then presses Enter: reachable by keyboard. */
async function keyboardActivate(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const focused = await page.evaluate(() => {
      const el = (globalThis as unknown as { document: { activeElement: { textContent: string | null; tagName: string } | null } }).document.activeElement;
      return el ? `${el.tagName}:${(el.textContent ?? '').trim()}` : '';
    });
    if (focused === `BUTTON:${name}`) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('Tab');
  }
  assert.fail(`"${name}" cannot be reached with Tab`);
}

/** Every control on the page has an accessible name (a label, aria-label or text). */
async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type El = { tagName: string; id: string; type?: string; labels?: ArrayLike<unknown> | null; textContent: string | null; getAttribute(n: string): string | null; closest(s: string): unknown };
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El> } }).document;
    return Array.from(doc.querySelectorAll('button, input, select, textarea'))
      .filter((el) => {
        const labelled = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.closest('label');
        const text = el.tagName === 'BUTTON' && (el.textContent ?? '').trim() !== '';
        return !labelled && !text;
      })
      .map((el) => `${el.tagName.toLowerCase()}#${el.id}`);
  });
}

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

describe('the wizard in Chromium through the harness', () => {
  let dir: string;
  let drops: string;
  let dest: string;
  let picked: string;
  let harness: RunningHarness;
  let browser: Browser;
  let download: { vhd: string; download: string };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-e2e-'));
    drops = join(dir, 'drops');
    dest = join(dir, 'Virtual Machines');
    mkdirSync(drops);
    mkdirSync(dest);
    picked = makeVhd(join(dir, 'Picked Disk.vhd'));
    makeWindowsVhd(join(drops, 'Dropped Server.vhd'));
    makeSlowVhd(join(drops, 'slow.vhd'));
    download = makeBzip2Download(join(drops, 'coreos_production_xen_image.vhd'));
    writeFileSync(join(drops, 'broken.vhd'), 'this file only pretends to be a disk');
    // A real VHD whose first BAT entry points far past the end of the file.
    const damaged = makeVhd(join(drops, 'damaged.vhd'));
    const bytes = readFileSync(damaged);
    bytes.writeUInt32BE(0x7fffff00, Number(bytes.readBigUInt64BE(512 + 16)));
    writeFileSync(damaged, bytes);
    harness = await startHarnessProcess({ FERRY_PICK_SOURCE: picked, FERRY_PICK_DEST: dest, FERRY_DROP_DIR: drops });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (harness && harness.child.exitCode === null) harness.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test('drop a real .vhd, walk every step, get a VM folder whose disk matches the source', async () => {
    const page = await openPage(browser, harness.url);
    await heading(page, /Turn a Hyper-V disk/).waitFor();
    await screenshot(page, '01-welcome');

    // The window highlights while a file is dragged over it, however many elements the pointer crosses.
    const drag = (steps: [string, string][]) =>
      page.evaluate((list) => {
        const g = globalThis as unknown as {
          DataTransfer: new () => { items: { add(f: unknown): void } };
          File: new (p: string[], n: string) => unknown;
          DragEvent: new (t: string, i: object) => unknown;
          document: { querySelector(s: string): { dispatchEvent(e: unknown): void } };
        };
        const dt = new g.DataTransfer();
        dt.items.add(new g.File(['x'], 'Dropped Server.vhd'));
        for (const [type, selector] of list) g.document.querySelector(selector).dispatchEvent(new g.DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, steps);
    await drag([['dragenter', 'body']]);
    await page.getByText('Drop to open this disk').waitFor();
    await drag([['dragenter', 'h1'], ['dragleave', 'body']]); // the pointer moved onto the heading
    await page.waitForTimeout(100);
    assert.ok(await page.getByText('Drop to open this disk').isVisible(), 'still highlighted over a child element');
    await screenshot(page, '02-dragging');
    await drag([['dragleave', 'h1']]);
    await page.getByText('Drop to open this disk').waitFor({ state: 'detached' });

    await dropFile(page, 'Dropped Server.vhd');
    await heading(page, 'Check the source disk').waitFor();
    await page.getByText('Dropped Server.vhd').first().waitFor();
    assert.ok(await page.getByText('VHD, dynamically expanding').isVisible());
    assert.ok(await page.getByText('Windows', { exact: true }).isVisible(), 'the guest was detected');
    assert.ok(await page.getByRole('cell', { name: 'NTFS' }).isVisible(), 'the partitions are listed');
    assert.deepEqual(await unlabelledControls(page), []);
    await screenshot(page, '03-source');

    await page.getByRole('button', { name: 'Next' }).click();
    await heading(page, 'Choose the disk type').waitFor();
    assert.ok(await page.getByRole('radio', { name: /Dynamic/ }).isChecked(), 'dynamic is the default');
    await page.getByText('Advanced').click();
    assert.deepEqual(await unlabelledControls(page), []);
    await screenshot(page, '04-disk-type');

    await page.getByRole('button', { name: 'Next' }).click();
    await heading(page, 'Choose what to make and where').waitFor();
    assert.ok(await page.getByRole('radio', { name: /Virtual machine folder/ }).isChecked(), 'a VM folder is the default');
    assert.equal(await page.getByRole('textbox', { name: 'Name' }).inputValue(), 'Dropped Server');
    assert.equal(await page.getByRole('textbox', { name: 'Save in' }).inputValue(), dest);
    assert.equal(await page.getByRole('combobox', { name: 'Guest operating system' }).inputValue(), 'windows9-64', 'prefilled from detection');
    assert.ok(await page.getByRole('radio', { name: /UEFI/ }).isChecked(), 'UEFI, from the EFI system partition');
    assert.equal(await page.getByRole('spinbutton', { name: 'Memory (MB)' }).inputValue(), '4096');
    await page.getByRole('spinbutton', { name: 'Processors' }).fill('1');
    assert.deepEqual(await unlabelledControls(page), []);
    await screenshot(page, '05-save');

    await page.getByRole('button', { name: 'Convert' }).click();
    await heading(page, 'Your virtual machine is ready').waitFor({ timeout: 30_000 });
    await screenshot(page, '07-done');

    const folder = join(dest, 'Dropped Server');
    assert.deepEqual(entries(folder), ['Dropped Server.vmdk', 'Dropped Server.vmx']);
    const compared = sameContent(join(drops, 'Dropped Server.vhd'), 'vpc', join(folder, 'Dropped Server.vmdk'), 'vmdk');
    assert.ok(compared.same, compared.output);

    await page.getByRole('button', { name: 'Show in folder' }).click();
    await page.getByRole('button', { name: 'Open in VMware' }).click();
    const vmx = join(folder, 'Dropped Server.vmx');
    for (const line of [`FERRY_HARNESS_SHOW_IN_FOLDER=${vmx}`, `FERRY_HARNESS_OPEN=${vmx}`]) {
      for (let i = 0; i < 50 && !harness.lines.includes(line); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(harness.lines.includes(line), `the harness was asked: ${line}`);
    }
    assert.deepEqual(pageProblems(page), [], 'no page errors or CSP violations');
    await page.context().close();
  });

  test('"Choose file…" and the buttons that move on reach the done step with the defaults, by keyboard', async () => {
    const page = await openPage(browser, harness.url);
    await heading(page, /Turn a Hyper-V disk/).waitFor();
    await keyboardActivate(page, 'Choose file…');
    await heading(page, 'Check the source disk').waitFor();
    await keyboardActivate(page, 'Next');
    await heading(page, 'Choose the disk type').waitFor();
    await keyboardActivate(page, 'Next');
    await heading(page, 'Choose what to make and where').waitFor();
    await keyboardActivate(page, 'Convert');
    await heading(page, 'Your virtual machine is ready').waitFor({ timeout: 30_000 });
    assert.ok(await page.getByRole('button', { name: 'Show in folder' }).isVisible());
    assert.ok(await page.getByRole('button', { name: 'Open in VMware' }).isVisible());
    const compared = sameContent(picked, 'vpc', join(dest, 'Picked Disk', 'Picked Disk.vmdk'), 'vmdk');
    assert.ok(compared.same, compared.output);
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });

  test('cancel part-way leaves nothing behind and returns to the options', async () => {
    const page = await openPage(browser, harness.url);
    await heading(page, /Turn a Hyper-V disk/).waitFor();
    await dropFile(page, 'slow.vhd');
    await heading(page, 'Check the source disk').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('radio', { name: /Fixed/ }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    const before = entries(dest);
    await page.getByRole('button', { name: 'Convert' }).click();
    const bar = page.getByRole('progressbar');
    await page.waitForFunction(() => {
      const el = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document.querySelector('[role=progressbar]');
      return Number(el?.getAttribute('aria-valuenow') ?? 0) >= 3;
    });
    assert.ok(Number(await bar.getAttribute('aria-valuenow')) < 100, 'still running');
    await screenshot(page, '06-converting');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Conversion cancelled. Nothing was left behind.').waitFor({ timeout: 15_000 });
    await heading(page, 'Choose what to make and where').waitFor();
    await screenshot(page, '09-cancelled');
    assert.deepEqual(entries(dest), before, 'nothing new in the destination');
    assert.ok(!existsSync(join(dest, 'slow')));
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });

  test('a broken file shows the error screen in plain words, with a way back', async () => {
    const page = await openPage(browser, harness.url);
    await heading(page, /Turn a Hyper-V disk/).waitFor();
    await dropFile(page, 'broken.vhd');
    await heading(page, 'This is not a disk Ferry can read').waitFor();
    const text = await page.locator('main').innerText();
    assert.match(text, /broken\.vhd/);
    assert.match(text, /E_NOT_A_DISK/);
    assert.doesNotMatch(text, /\bat \w+ \(|Error: |\.ts:\d+/, 'no stack trace');
    await screenshot(page, '08-error');
    await page.getByRole('button', { name: 'Back' }).click();
    await heading(page, /Turn a Hyper-V disk/).waitFor();
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });

  test('a damaged disk shows the very message the CLI prints, where it is and what to do', async (t) => {
    const cli = await ferry(['convert', join(drops, 'damaged.vhd'), join(tempDir(t), 'out.vmdk'), '--json']);
    assert.equal(cli.code, 2);
    const { code, message, hint } = lastEvent(cli) as { code: string; message: string; hint: string };
    assert.equal(code, 'E_CORRUPT');
    assert.match(message, /BAT entry 0 \(at offset \d+\)/);
    const page = await openPage(browser, harness.url);
    await heading(page, /Turn a Hyper-V disk/).waitFor();
    await dropFile(page, 'damaged.vhd');
    await page.getByText('E_CORRUPT').waitFor();
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(message), `the error screen shows the CLI's message:\n${message}\n---\n${text}`);
    assert.ok(text.includes(hint), 'and its hint');
    await page.context().close();
  });

  test('the page cannot run inline script or eval, and cannot reach the network (CSP)', async () => {
    const page = await openPage(browser, harness.url);
    await heading(page, /Turn a Hyper-V disk/).waitFor();
    const outcome = await page.evaluate(async () => {
      const g = globalThis as unknown as {
        document: { createElement(t: string): { textContent: string }; head: { appendChild(n: unknown): void } };
        inlineRan?: boolean;
        fetch(u: string): Promise<unknown>;
      };
      const script = g.document.createElement('script');
      script.textContent = 'globalThis.inlineRan = true';
      g.document.head.appendChild(script);
      // Code evaluated by the test driver itself is exempt from the page's CSP; a string handed to
      // a timer is compiled by the page, like any eval the page would do.
      (g as unknown as { setTimeout(code: string, ms: number): void }).setTimeout('globalThis.evalRan = true', 0);
      await new Promise((r) => setTimeout(r, 200));
      const evalRan = (g as unknown as { evalRan?: boolean }).evalRan === true;
      const fetched = await g.fetch('https://example.com/').then(
        () => true,
        () => false,
      );
      return { inline: g.inlineRan === true, eval: evalRan, fetched };
    });
    assert.deepEqual(outcome, { inline: false, eval: false, fetched: false });
    assert.ok(pageProblems(page).some((p) => /Content Security Policy/i.test(p)), `the browser reported the violations: ${pageProblems(page).join(' | ')}`);
    await page.context().close();
  });

  test('a dropped .vhd.bz2 is unpacked once, with a bar, and becomes an OVA for ESXi / vSphere', async () => {
    const page = await openPage(browser, harness.url);
    await heading(page, /Turn a Hyper-V disk/).waitFor();
    await dropFile(page, 'coreos_production_xen_image.vhd.bz2');
    const unpacking = page.getByRole('progressbar', { name: 'Unpacking' });
    await unpacking.waitFor();
    await page.waitForFunction(() => {
      const el = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document.querySelector('[role=progressbar]');
      return Number(el?.getAttribute('aria-valuenow') ?? 0) > 0;
    });
    await screenshot(page, '02b-unpacking');
    await heading(page, 'Check the source disk').waitFor({ timeout: 30_000 });
    assert.ok(await page.getByText('bzip2', { exact: false }).first().isVisible(), 'the source card says it was compressed');
    await screenshot(page, '03b-source-compressed');
    const copies = () => entries(dest).filter((e) => e.includes('.ferry-partial-'));
    assert.equal(copies().length, 1, 'the unpacked copy waits beside the destination');

    await page.getByRole('button', { name: 'Next' }).click();
    await heading(page, 'Choose the disk type').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await heading(page, 'Choose what to make and where').waitFor();
    assert.ok(await page.getByRole('radio', { name: /VMware Workstation \/ Player \/ Fusion/ }).isChecked(), 'Workstation is the default');
    assert.ok(await page.getByText(/run a \.vmdk in place; ESXi imports a stream-optimized disk from an OVA/).isVisible(), 'one line says why the two differ');
    await screenshot(page, '05a-save-workstation');
    await page.getByRole('radio', { name: /ESXi \/ vSphere/ }).check();
    assert.ok(await page.getByRole('radio', { name: 'OVA package' }).isChecked());
    assert.equal(await page.getByRole('textbox', { name: 'Name' }).inputValue(), 'coreos_production_xen_image', 'named without .vhd.bz2');
    assert.match(await page.locator('.planned').innerText(), /coreos_production_xen_image\.ova$/);
    assert.deepEqual(await unlabelledControls(page), []);
    await screenshot(page, '05b-save-esxi');

    // Back on the disk-type step, ESXi's disk type is the stream-optimized one, and it says why.
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await heading(page, 'Choose the disk type').waitFor();
    assert.ok(await page.getByRole('radio', { name: /Stream-optimized/ }).isChecked());
    assert.ok(await page.getByText('ESXi / vSphere takes a stream-optimized disk').isVisible());
    await screenshot(page, '04b-disk-type-esxi');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('button', { name: 'Convert' }).click();
    await heading(page, 'Your OVA is ready').waitFor({ timeout: 30_000 });
    assert.ok(await page.getByRole('button', { name: 'Show in folder' }).isVisible());
    assert.equal(await page.getByRole('button', { name: 'Open in VMware' }).count(), 0, 'an OVA is deployed, not opened');
    await screenshot(page, '07b-done-ova');
    assert.deepEqual(copies(), [], 'the unpacked copy is gone');

    const ova = join(dest, 'coreos_production_xen_image.ova');
    const members = execFileSync('tar', ['-tf', ova], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(members, ['coreos_production_xen_image.ovf', 'coreos_production_xen_image.mf', 'coreos_production_xen_image-disk1.vmdk']);
    const unpacked = join(dir, 'ova-contents');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xf', ova, '-C', unpacked]);
    const compared = sameContent(download.vhd, 'vpc', join(unpacked, members[2]!), 'vmdk');
    assert.ok(compared.same, compared.output);
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });

  test('the dark theme follows the OS', async () => {
    const page = await openPage(browser, harness.url, 'dark');
    await heading(page, /Turn a Hyper-V disk/).waitFor();
    const background = await page.evaluate(() => {
      const g = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string }; document: { body: unknown } };
      return g.getComputedStyle(g.document.body).backgroundColor;
    });
    assert.equal(background, 'rgb(21, 23, 28)');
    await screenshot(page, 'dark-01-welcome');
    await dropFile(page, 'Dropped Server.vhd');
    await heading(page, 'Check the source disk').waitFor();
    await screenshot(page, 'dark-03-source');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await heading(page, 'Choose what to make and where').waitFor();
    await page.getByRole('radio', { name: /ESXi \/ vSphere/ }).check();
    await screenshot(page, 'dark-05b-save-esxi');
    await page.getByRole('radio', { name: /VMware Workstation \/ Player \/ Fusion/ }).check();
    // A segment's radio is visually hidden; people click its label.
    await page.locator('label', { hasText: 'Just the .vmdk' }).click();
    assert.ok(await page.getByRole('radio', { name: 'Just the .vmdk' }).isChecked());
    await screenshot(page, 'dark-05-save');
    await page.getByRole('button', { name: 'Convert' }).click();
    await heading(page, 'Your VMDK is ready').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByRole('button', { name: 'Open in VMware' }).count(), 0, 'nothing to open for a disk alone');
    await screenshot(page, 'dark-07-done');
    const compared = sameContent(join(drops, 'Dropped Server.vhd'), 'vpc', join(dest, 'Dropped Server.vmdk'), 'vmdk');
    assert.ok(compared.same, compared.output);
    await page.context().close();
  });

  test('the harness stops on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => harness.child.once('exit', (code) => r(code)));
    harness.child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
    assert.equal(code, 0);
  });
});
