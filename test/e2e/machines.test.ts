// Whole machines in the wizard, end to end in Debian's Chromium through `npm run harness`:
// three dropped disks as one machine (in an order changed on the source step), a queue of three
// whose middle one is broken, and a Virtual PC machine whose disk lies outside its folder and
// needs the user's confirmation. Screenshots of each new screen, light and dark, go to
// test-results/app/machines/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { makeVhd } from '../harness/fixtures';
import { vmcFile } from '../machines/fixtures';
import { qemuCompare } from '../support/tools';
import { dropFiles, launchChromium, openPage, pageProblems, screenshot, startHarnessProcess, type RunningHarness } from './support';

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

/** The screen in light and dark, at 1000×700; nothing on it may be cut off sideways. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await screenshot(page, `machines/${name}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  const clipped = await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ scrollWidth: number; clientWidth: number; className: string; tagName: string }> } }).document;
    return Array.from(doc.querySelectorAll('main *'))
      .filter((el) => el.tagName !== 'INPUT' && el.scrollWidth > el.clientWidth + 1 && !/sr-only|ellipsis|many-name|many-folder|machine-config|queue-name|card-title|card-sub/.test(String(el.className)) && el.clientWidth > 0)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
  });
  assert.deepEqual(clipped, [], `${name}: nothing overflows its box`);
}

describe('whole machines in the wizard', () => {
  let dir: string;
  let drops: string;
  let dest: string;
  let elsewhere: string;
  let harness: RunningHarness;
  let browser: Browser;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-e2e-machines-'));
    drops = join(dir, 'drops');
    dest = join(dir, 'Virtual Machines');
    elsewhere = join(dir, 'Old PC');
    for (const d of [drops, dest, elsewhere]) mkdirSync(d);
    makeVhd(join(drops, 'boot.vhd'));
    execFileSync('qemu-img', ['create', '-q', '-f', 'vhdx', join(drops, 'data.vhdx'), '24M']);
    execFileSync('qemu-io', ['-f', 'vhdx', '-c', 'write -P 0x32 4M 1M', join(drops, 'data.vhdx')], { stdio: 'ignore' });
    execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', join(drops, 'logs.vmdk'), '8M']);
    execFileSync('qemu-io', ['-f', 'vmdk', '-c', 'write -P 0x33 1M 64k', join(drops, 'logs.vmdk')], { stdio: 'ignore' });
    makeVhd(join(drops, 'first.vhd'), { size: '32M' });
    makeVhd(join(drops, 'third.vhd'), { size: '32M' });
    // A real VHD whose first BAT entry points far past the end of the file: it inspects, and fails to convert.
    const damaged = makeVhd(join(drops, 'damaged.vhd'));
    const bytes = readFileSync(damaged);
    bytes.writeUInt32BE(0x7fffff00, Number(bytes.readBigUInt64BE(512 + 16)));
    writeFileSync(damaged, bytes);
    // A Virtual PC machine whose disk is on another folder of this computer, named by its absolute path.
    makeVhd(join(elsewhere, 'xp.vhd'));
    writeFileSync(join(drops, 'Windows XP.vmc'), vmcFile({ ramMB: 512, ide: [{ controller: 0, location: 0, absolute: join(elsewhere, 'xp.vhd') }] }));
    harness = await startHarnessProcess({ FERRY_PICK_DEST: dest, FERRY_DROP_DIR: drops });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (harness && harness.child.exitCode === null) {
      const exited = new Promise((resolve) => harness.child.once('exit', resolve));
      harness.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (harness.child.exitCode === null) harness.child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('three dropped disks as one machine: the boot disk moved first, a .vmx with three disks, each identical to its source', async () => {
    const page = await openPage(browser, harness.url);
    await heading(page, /Turn a Hyper-V disk/).waitFor();
    await dropFiles(page, ['data.vhdx', 'boot.vhd', 'logs.vmdk']);
    await heading(page, '3 files to convert').waitFor({ timeout: 30_000 });
    assert.ok(await page.getByRole('radio', { name: /One machine with these disks/ }).isChecked(), 'one machine is the default when every file is a disk');
    await page.getByRole('button', { name: 'Move boot.vhd up' }).click();
    const names = (await page.locator('.many-name').allInnerTexts()).map((n) => n.replace(/\s+/g, ' ').trim());
    assert.deepEqual(names, ['boot.vhd Boot disk', 'data.vhdx', 'logs.vmdk'], 'the boot disk first, marked');
    await shoot(page, 'several-one-machine');
    await page.getByRole('button', { name: 'Next' }).click();
    await heading(page, 'Choose the disk type').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await heading(page, 'Choose what to make and where').waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Name' }).inputValue(), 'boot', 'named after the boot disk');
    assert.equal(await page.getByRole('radio', { name: /Just the \.vmdk/ }).count(), 0, 'a machine of several disks is never a lone .vmdk');
    await shoot(page, 'several-save');
    await page.getByRole('button', { name: 'Convert' }).click();
    await heading(page, 'Your virtual machine is ready').waitFor({ timeout: 60_000 });
    await shoot(page, 'several-done');

    const folder = join(dest, 'boot');
    const vmx = readFileSync(join(folder, 'boot.vmx'), 'utf8');
    const attached = [...vmx.matchAll(/^\S+\.fileName = "([^"]+\.vmdk)"$/gm)].map((m) => m[1]);
    assert.deepEqual(attached, ['boot.vmdk', 'boot-2.vmdk', 'boot-3.vmdk'], 'three disks, the boot disk first');
    for (const [source, format, disk] of [['boot.vhd', 'vpc', 'boot.vmdk'], ['data.vhdx', 'vhdx', 'boot-2.vmdk'], ['logs.vmdk', 'vmdk', 'boot-3.vmdk']] as const) {
      const compared = qemuCompare(join(drops, source), format, join(folder, disk), 'vmdk');
      assert.equal(compared.code, 0, `${disk} holds ${source}: ${compared.stdout}${compared.stderr}`);
    }
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });

  test('a queue of three whose middle one is broken: the other two are made, the middle one’s error is shown', async () => {
    const page = await openPage(browser, harness.url);
    await heading(page, /Turn a Hyper-V disk/).waitFor();
    await dropFiles(page, ['first.vhd', 'damaged.vhd', 'third.vhd']);
    await heading(page, '3 files to convert').waitFor({ timeout: 30_000 });
    await page.getByRole('radio', { name: /Convert each one/ }).check();
    assert.equal(await page.getByRole('button', { name: /Move .* up/ }).count(), 0, 'the order matters only for one machine');
    await shoot(page, 'several-each');
    await page.getByRole('button', { name: 'Next' }).click();
    await heading(page, 'Choose the disk type').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await heading(page, 'Choose what to make and where').waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Name' }).count(), 0, 'each output is named after its own file');
    await shoot(page, 'queue-save');
    await page.getByRole('button', { name: 'Convert' }).click();
    await heading(page, 'Converting 3 disks').waitFor();
    await shoot(page, 'queue-running');
    await heading(page, '2 of 3 made').waitFor({ timeout: 60_000 });
    await shoot(page, 'queue-done');
    const outcomes = page.getByRole('list', { name: 'Each disk’s outcome' }).getByRole('listitem');
    assert.equal(await outcomes.count(), 3);
    assert.match(await outcomes.nth(0).innerText(), /first\.vmx/);
    assert.match(await outcomes.nth(1).innerText(), /BAT entry 0/, 'the broken disk’s own error');
    assert.match(await outcomes.nth(2).innerText(), /third\.vmx/);
    for (const name of ['first', 'third']) {
      const compared = qemuCompare(join(drops, `${name}.vhd`), 'vpc', join(dest, name, `${name}.vmdk`), 'vmdk');
      assert.equal(compared.code, 0, compared.stdout + compared.stderr);
    }
    assert.ok(!existsSync(join(dest, 'damaged')), 'nothing is left of the failed one');
    await page.getByRole('button', { name: 'Show third in its folder' }).click();
    const line = `FERRY_HARNESS_SHOW_IN_FOLDER=${join(dest, 'third', 'third.vmx')}`;
    for (let i = 0; i < 50 && !harness.lines.includes(line); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(harness.lines.includes(line), line);
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });

  test('in Simplified Chinese the new screens hold their layout (screenshots light and dark)', async () => {
    const zh = await launchChromium('zh-CN');
    try {
      const page = await openPage(zh, harness.url, 'light', 'zh-CN');
      await heading(page, /Hyper-V/).waitFor();
      await dropFiles(page, ['data.vhdx', 'boot.vhd', 'logs.vmdk']);
      await heading(page, '要转换 3 个文件').waitFor({ timeout: 30_000 });
      await shoot(page, 'zh-CN-several');
      await page.getByRole('radio', { name: /逐个转换/ }).check();
      await page.getByRole('button', { name: '下一步' }).click();
      await page.getByRole('button', { name: '下一步' }).click();
      await shoot(page, 'zh-CN-queue-save');
      await page.getByRole('button', { name: '上一步' }).click();
      await page.getByRole('button', { name: '上一步' }).click();
      await page.getByRole('button', { name: '上一步' }).click();
      await dropFiles(page, ['Windows XP.vmc']);
      await heading(page, '这台虚拟机暂时无法转换').waitFor({ timeout: 30_000 });
      await shoot(page, 'zh-CN-machine-outside');
      assert.deepEqual(pageProblems(page), []);
      await page.context().close();
    } finally {
      await zh.close();
    }
  });

  test('a .vmc whose disk lies outside its folder: listed with its full path, not startable until confirmed, then converted', async () => {
    const page = await openPage(browser, harness.url);
    await heading(page, /Turn a Hyper-V disk/).waitFor();
    await dropFiles(page, ['Windows XP.vmc']);
    await heading(page, 'This machine cannot be converted yet').waitFor({ timeout: 30_000 });
    const disk = join(elsewhere, 'xp.vhd');
    await page.getByText(disk, { exact: true }).waitFor();
    assert.ok(await page.getByText('Outside the machine’s folder', { exact: true }).isVisible());
    assert.ok(await page.getByText('found at the path the configuration states', { exact: false }).first().isVisible());
    assert.ok(await page.getByRole('button', { name: 'Next' }).isDisabled(), 'not startable before the confirmation');
    assert.ok(await page.getByText('Confirm the disks from outside the machine’s folder to go on.').first().isVisible(), 'the card says why');
    await shoot(page, 'machine-outside');
    // The box asks the host again with the disk confirmed; the answer moves the wizard on.
    await page.getByRole('checkbox', { name: 'Use this disk from outside the machine’s folder' }).click();
    await heading(page, 'Check the machine').waitFor({ timeout: 30_000 });
    assert.ok(await page.getByRole('checkbox', { name: 'Use this disk from outside the machine’s folder' }).isChecked());
    assert.ok(await page.getByText(/VHD, dynamically expanding, 64/).first().isVisible(), 'once confirmed, its format and size');
    await shoot(page, 'machine-confirmed');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await heading(page, 'Choose what to make and where').waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Name' }).inputValue(), 'Windows XP', 'the machine’s name');
    assert.equal(await page.getByRole('spinbutton', { name: 'Memory (MB)' }).inputValue(), '512', 'the memory the configuration states');
    await page.getByRole('button', { name: 'Convert' }).click();
    await heading(page, 'Your virtual machine is ready').waitFor({ timeout: 60_000 });
    const compared = qemuCompare(disk, 'vpc', join(dest, 'Windows XP', 'Windows XP.vmdk'), 'vmdk');
    assert.equal(compared.code, 0, compared.stdout + compared.stderr);
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });
});
