// The save step's "First boot" section end to end: Chromium on the built renderer through
// `npm run harness`, a CoreOS-layout disk dropped in, a public key pasted and a host name typed;
// the .vmx the worker writes carries them as the Ignition config the image reads.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
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
    await dropFile(page, 'coreos_production_vmware_image.vhd');
    await page.getByRole('heading', { level: 1, name: 'Check the source disk' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { level: 1, name: 'Choose what to make and where' }).waitFor();

    await page.getByText('First boot (optional)').click();
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
});
