// The wizard on disks made by real tools (test/fixtures/real and FERRY_REAL_CORPUS): Debian's
// Chromium through `npm run harness`, each disk dropped, every step left at its default, the VM
// folder's disk compared with what the source holds. And a differencing disk whose parent is
// absent: the error screen shows the CLI's own message, not an internal error.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, createReadStream, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parseDiskInfo } from '../../shared/validate';
import { ROOT } from '../harness/server';
import { qemuSource, unpackCorpus, type CorpusDisk } from '../real/corpus';
import { ferry, lastEvent } from '../support/cli';
import { run, runOk } from '../support/tools';
import { dropFile, launchChromium, openPage, pageProblems, screenshot } from './support';

interface RunningHarness {
  child: ChildProcess;
  url: string;
}

function startHarness(env: Record<string, string>): Promise<RunningHarness> {
  const child = spawn('npm', ['run', '--silent', 'harness'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the harness printed no URL within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the harness exited early (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^FERRY_HARNESS_URL=(http:\/\/127\.0\.0\.1:\d+\/\S*)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, url: m[1]! });
      }
    });
  });
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

describe('the wizard on the real-tool corpus', () => {
  let dir: string;
  let dest: string;
  let corpus: CorpusDisk[];
  let orphan: string;
  let harness: RunningHarness;
  let browser: Browser;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-e2e-real-'));
    dest = join(dir, 'Virtual Machines');
    mkdirSync(dest);
    corpus = unpackCorpus(dir).filter((d) => !d.name.startsWith('extra/') || d.qemuFormat !== null);
    // Xen Orchestra's delta alone in a folder: its parent (named by a W2ku locator) is not there.
    mkdirSync(join(dir, 'alone'));
    orphan = join(dir, 'alone', 'xo-delta.vhd');
    copyFileSync(corpus.find((d) => d.name === 'xo-delta.vhd')!.path, orphan);
    harness = await startHarness({ FERRY_PICK_SOURCE: orphan, FERRY_PICK_DEST: dest, FERRY_DROP_DIR: join(dir, 'corpus') });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (harness && harness.child.exitCode === null) harness.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  test('every disk: drop, defaults, done; the VM folder holds the source disk', async (t) => {
    for (const disk of corpus.filter((d) => !d.name.startsWith('extra/'))) {
      await t.test(disk.name, async () => {
        const name = disk.name.replace(/\.[^.]+$/, '');
        const page = await openPage(browser, harness.url);
        await heading(page, /Turn a Hyper-V disk/).waitFor();
        await dropFile(page, disk.name);
        await heading(page, 'Check the source disk').waitFor({ timeout: 30_000 });
        await page.getByText(disk.name).first().waitFor();
        await screenshot(page, `real-${name}-source`);
        await page.getByRole('button', { name: 'Next' }).click();
        await heading(page, 'Choose the disk type').waitFor();
        await page.getByRole('button', { name: 'Next' }).click();
        await heading(page, 'Choose what to make and where').waitFor();
        assert.equal(await page.getByRole('textbox', { name: 'Name' }).inputValue(), name);
        await page.getByRole('button', { name: 'Convert' }).click();
        await heading(page, 'Your virtual machine is ready').waitFor({ timeout: 60_000 });

        const folder = join(dest, name);
        assert.deepEqual(readdirSync(folder).sort(), [`${name}.vmdk`, `${name}.vmx`]);
        const raw = join(dir, `${name}.raw`);
        runOk('qemu-img', ['convert', '-q', '-f', 'vmdk', '-O', 'raw', join(folder, `${name}.vmdk`), raw]);
        assert.equal(await sha256(raw), disk.sha256, 'the disk the corpus was made from');
        rmSync(raw);
        rmSync(folder, { recursive: true }); // hyperv-stand-in.vhd and .vhdx would both make "hyperv-stand-in"
        assert.deepEqual(pageProblems(page), []);
        await page.context().close();
      });
    }
  });

  test('disks from FERRY_REAL_CORPUS: drop, defaults, done; compared with qemu-img\'s reading', { skip: !process.env.FERRY_REAL_CORPUS }, async (t) => {
    // Dropped files resolve inside one folder: these are dropped on a harness of their own.
    const extra = await startHarness({ FERRY_PICK_DEST: dest, FERRY_DROP_DIR: join(dir, 'extra') });
    t.after(() => {
      extra.child.kill('SIGTERM');
    });
    for (const disk of corpus.filter((d) => d.name.startsWith('extra/'))) {
      await t.test(disk.name, async () => {
        const file = basename(disk.path);
        const name = file.replace(/\.[^.]+$/, '');
        const info = parseDiskInfo(JSON.parse((await ferry(['inspect', disk.path, '--json'])).stdout));
        const page = await openPage(browser, extra.url);
        await heading(page, /Turn a Hyper-V disk/).waitFor();
        await dropFile(page, file);
        await heading(page, 'Check the source disk').waitFor({ timeout: 30_000 });
        await page.getByRole('button', { name: 'Next' }).click();
        await page.getByRole('button', { name: 'Next' }).click();
        await page.getByRole('button', { name: 'Convert' }).click();
        await heading(page, 'Your virtual machine is ready').waitFor({ timeout: 120_000 });
        const source = qemuSource(disk, info);
        const cmp = run('qemu-img', ['compare', ...(source === disk.path ? ['-f', disk.qemuFormat!] : []), '-F', 'vmdk', source, join(dest, name, `${name}.vmdk`)]);
        assert.equal(cmp.code, 0, `${cmp.stdout}${cmp.stderr}`);
        rmSync(join(dest, name), { recursive: true });
        await page.context().close();
      });
    }
  });

  test('a differencing disk whose parent is absent shows the CLI\'s message on the error screen', async (t) => {
    const cli = await ferry(['convert', orphan, join(mkdtempSync(join(dir, 'cli-')), 'out.vmdk'), '--json']);
    assert.equal(cli.code, 2);
    const { code, message, hint } = lastEvent(cli) as { code: string; message: string; hint: string };
    assert.equal(code, 'E_PARENT_MISSING');
    const page = await openPage(browser, harness.url);
    await heading(page, /Turn a Hyper-V disk/).waitFor();
    await page.getByRole('button', { name: 'Choose file…' }).click();
    await page.getByText('E_PARENT_MISSING').waitFor({ timeout: 30_000 });
    const text = await page.locator('main').innerText();
    await screenshot(page, 'real-parent-missing');
    assert.ok(text.includes(message), `the error screen shows the CLI's message:\n${message}\n---\n${text}`);
    assert.ok(text.includes(hint), 'and its hint');
    assert.doesNotMatch(text, /Internal error|inside Ferry/);
    assert.deepEqual(pageProblems(page), []);
    await page.context().close();
    t.diagnostic(message);
  });
});
