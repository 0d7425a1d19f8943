// The save step's "First boot" section end to end: Chromium on the built renderer through
// `npm run harness`, a CoreOS-layout disk dropped in, a public key pasted and a host name typed;
// the .vmx the worker writes carries them as the Ignition config the image reads. A key file is
// chosen through the section's button (the page's own file chooser): a private key or a file that
// is no key is refused with the CLI's words, in English and in Simplified Chinese.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from '../harness/server';
import { coreosDisk, writeVhd } from '../vm/disks';
import { decoded, publicKey } from '../vm/first-boot-support';
import { readVmx } from '../vm/vm-folder';
import { dropFile, launchChromium, openPage, pageProblems, screenshot } from './support';

function startHarness(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('npm', ['run', '--silent', 'harness'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the harness printed no URL within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the harness exited early (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^FERRY_HARNESS_URL=(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})$/.exec(line);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ child, url: m[1]! });
    });
  });
}

const LAPTOP_KEY = publicKey('me@laptop');
const PRIVATE_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';

/** From the drop to the save step, the First boot section open. */
async function toFirstBoot(page: Page, words: { check: string; next: string; save: string; section: string }): Promise<void> {
  await dropFile(page, 'coreos_production_vmware_image.vhd');
  await page.getByRole('heading', { level: 1, name: words.check }).waitFor();
  await page.getByRole('button', { name: words.next }).click();
  await page.getByRole('button', { name: words.next }).click();
  await page.getByRole('heading', { level: 1, name: words.save }).waitFor();
  await page.getByText(words.section).click();
}

const ENGLISH = { check: 'Check the source disk', next: 'Next', save: 'Choose what to make and where', section: 'First boot (optional)' };

/** Chooses `path` through the button the way a user does: the click opens the page's file chooser. */
async function chooseKeyFile(page: Page, button: string, path: string): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: button }).click()]);
  assert.equal(chooser.isMultiple(), false);
  await chooser.setFiles(path);
}

describe('the wizard: First boot', () => {
  let dir = '';
  let dest = '';
  let harness: { child: ChildProcess; url: string } | undefined;
  let browser: Browser | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-e2e-fb-'));
    const drops = join(dir, 'drops');
    dest = join(dir, 'VMs');
    mkdirSync(drops);
    mkdirSync(dest);
    writeFileSync(join(dir, 'id_ed25519'), PRIVATE_KEY);
    writeFileSync(join(dir, 'notes.pub'), 'these are my notes\n');
    writeFileSync(join(dir, 'laptop.pub'), `# my laptop\n${LAPTOP_KEY}\n`);
    writeVhd(drops, 'coreos_production_vmware_image.vhd', coreosDisk('vmware_raw'), 'dynamic');
    harness = await startHarness({ FERRY_PICK_DEST: dest, FERRY_DROP_DIR: drops });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (harness && harness.child.exitCode === null) {
      // SIGTERM: npm passes it on to the harness, which stops; a SIGKILL of npm alone would leave
      // the harness running, holding this file's pipe open, and the test file would never end.
      const exited = new Promise((resolve) => harness!.child.once('exit', resolve));
      harness.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (harness.child.exitCode === null) harness.child.kill('SIGKILL');
    }
    harness?.child.stdout?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a pasted key and host name become the Ignition config in the .vmx; a private key is refused in place', async () => {
    const page = await openPage(browser!, harness!.url);
    await toFirstBoot(page, ENGLISH);
    const keys = page.getByRole('textbox', { name: 'SSH public keys' });
    await keys.fill('-----BEGIN OPENSSH PRIVATE KEY-----');
    await page.getByText(/is a private key/).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Convert' }).isDisabled(), 'a private key blocks Convert');

    const key = publicKey('me@laptop');
    await keys.fill(`${key}\n`);
    await page.getByRole('textbox', { name: 'Host name' }).fill('core_1');
    await page.getByText(/RFC 1123/).waitFor();
    await page.getByRole('textbox', { name: 'Host name' }).fill('core-1');
    await screenshot(page, '05c-save-first-boot');
    await page.getByRole('button', { name: 'Convert' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your virtual machine is ready' }).waitFor({ timeout: 30_000 });

    const vmx = readVmx(join(dest, 'coreos_production_vmware_image', 'coreos_production_vmware_image.vmx'));
    const ign = JSON.parse(decoded(vmx, 'ignition.config.data')!) as { ignition: { version: string }; passwd: { users: Array<{ name: string; sshAuthorizedKeys: string[] }> }; storage: { files: Array<{ contents: { source: string } }> } };
    assert.equal(ign.ignition.version, '2.2.0');
    assert.deepEqual(ign.passwd.users, [{ name: 'core', sshAuthorizedKeys: [key] }]);
    assert.equal(ign.storage.files[0]?.contents.source, 'data:,core-1');
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`${scheme}: a key file chosen with the button; a private key or a file that is no key is refused with the CLI's words`, async () => {
      const page = await openPage(browser!, harness!.url, scheme);
      await toFirstBoot(page, ENGLISH);
      const keys = page.getByRole('textbox', { name: 'SSH public keys' });
      const refusal = page.getByRole('alert');

      await chooseKeyFile(page, 'Choose a key file…', join(dir, 'id_ed25519'));
      await refusal.waitFor();
      assert.equal(
        await refusal.textContent(),
        'id_ed25519: is a private key. Give the public key instead (usually the same name with .pub, e.g. ~/.ssh/id_ed25519.pub); a private key must never leave your machine.',
      );
      assert.equal(await keys.inputValue(), '', 'nothing of a private key reaches the form');
      await screenshot(page, `05d-first-boot-key-file-refused-${scheme}`);

      await chooseKeyFile(page, 'Choose a key file…', join(dir, 'notes.pub'));
      await page.getByText('notes.pub: is not an OpenSSH public key: it starts with "these"', { exact: false }).waitFor();
      assert.equal(await keys.inputValue(), '');

      await chooseKeyFile(page, 'Choose a key file…', join(dir, 'laptop.pub'));
      await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }).document.querySelector('textarea')?.value !== '');
      assert.equal(await keys.inputValue(), `${LAPTOP_KEY}\n`, 'the key, without the file\'s comment line');
      assert.equal(await refusal.count(), 0, 'the refusal is gone once a good file is chosen');
      // Choosing it again adds nothing: each key once.
      await chooseKeyFile(page, 'Choose a key file…', join(dir, 'laptop.pub'));
      assert.equal(await keys.inputValue(), `${LAPTOP_KEY}\n`);
      assert.ok(await page.getByRole('button', { name: 'Convert' }).isEnabled());
      await screenshot(page, `05e-first-boot-key-file-${scheme}`);
      assert.deepEqual(pageProblems(page), []);
      await page.context().close();
    });
  }

  test('in Simplified Chinese the field and file problems are said in Chinese', async () => {
    const page = await openPage(browser!, harness!.url, 'light', 'zh-CN');
    await toFirstBoot(page, { check: '检查源磁盘', next: '下一步', save: '选择生成什么、保存到哪里', section: '首次启动（可选）' });
    await page.getByRole('textbox', { name: 'SSH 公钥' }).fill('-----BEGIN OPENSSH PRIVATE KEY-----');
    await page.getByText('此密钥是私钥；请提供公钥（它旁边的 .pub 文件），切勿提供私钥。').waitFor();
    await page.getByRole('textbox', { name: 'SSH 公钥' }).fill('');
    await page.getByRole('textbox', { name: '主机名' }).fill('core_1');
    await page.getByText(/^主机名只能由字母、数字和连字符组成/).waitFor();
    await chooseKeyFile(page, '选择密钥文件…', join(dir, 'id_ed25519'));
    assert.equal(await page.getByRole('alert').textContent(), '文件 id_ed25519 是私钥。请改用公钥（通常是同名加 .pub 的文件，例如 ~/.ssh/id_ed25519.pub）；私钥绝不应离开你的电脑。');
    await screenshot(page, 'zh-CN/05d-first-boot-refused-light');
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
  });
});
