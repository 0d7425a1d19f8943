// Names inside a file stay inside it: a VMDK descriptor's extents and a differencing disk's parent
// locators are written by whoever made the file, so they may name the user's keys, a device or a
// network share. Through the CLI: extents that leave the descriptor's folder (or its archive) are
// refused with exit 2 naming the line, network and device locators are skipped with a warning
// naming them, and a spy on the fs module shows that nothing outside was opened, not even looked at.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import { inspectDisk } from '../../worker/engine/inspect/inspect';
import { MiB, newUuid, pseudoRandom, writeDifferencingVhd, writeDynamicVhd } from '../support/vhd-writer';
import { writeVhdx } from '../vhdx/vhdx-writer';
import { ferryLimited, type LimitedRun } from './run';

const KEY = Buffer.concat([Buffer.from('-----BEGIN OPENSSH PRIVATE KEY-----\n'), pseudoRandom(MiB - 36, 77)]);

function tempDir(t: TestContext, label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ferry-inside-${label}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A monolithicFlat descriptor whose one extent (line 8) names `name`. */
function descriptor(name: string, sectors = MiB / 512): string {
  return ['# Disk DescriptorFile', 'version=1', 'CID=fffffffe', 'parentCID=ffffffff', 'createType="monolithicFlat"', '', '# Extent description', `RW ${sectors} FLAT "${name}" 0`, ''].join('\n');
}

function lastEvent(r: LimitedRun): Record<string, unknown> {
  const last = r.json[r.json.length - 1];
  assert.ok(last, `no JSON from ferry (exit ${r.code})\n${r.stderr}`);
  return last;
}

/** Refused with exit 2 and `code`, the message matching `mentions`, one line, nothing written. */
function assertRefused(r: LimitedRun, code: string, mentions: RegExp, output?: string): void {
  const ev = lastEvent(r);
  assert.equal(ev.type, 'error', JSON.stringify(ev));
  assert.equal(ev.code, code, String(ev.message));
  assert.equal(r.code, 2);
  assert.match(String(ev.message), mentions);
  assert.ok(!String(ev.message).includes('\n'), 'one line');
  if (output) assert.ok(!fs.existsSync(output), `${output} was written`);
}

/** Every path the fs module is asked to open, stat or resolve while `fn` runs. */
async function pathsTouched<T>(fn: () => Promise<T>): Promise<{ paths: string[]; result: T | Error }> {
  const paths: string[] = [];
  const restores: Array<() => void> = [];
  for (const obj of [fs.promises, fs] as Array<Record<string, unknown>>) {
    for (const name of ['open', 'stat', 'lstat', 'realpath', 'access', 'readFile', 'opendir', 'readdir', 'openSync', 'statSync', 'realpathSync', 'createReadStream']) {
      const orig = obj[name];
      if (typeof orig !== 'function') continue;
      obj[name] = function (this: unknown, ...args: unknown[]) {
        if (typeof args[0] === 'string') paths.push(args[0]);
        return (orig as (...a: unknown[]) => unknown).apply(this, args);
      };
      restores.push(() => (obj[name] = orig));
    }
  }
  try {
    return { paths, result: await fn() };
  } catch (err) {
    return { paths, result: err as Error };
  } finally {
    restores.forEach((r) => r());
  }
}

describe('VMDK extents stay in the descriptor\'s folder', () => {
  it('RW … FLAT "../.ssh/id_rsa" beside a download: refused (exit 2, naming line 8), the key is not read into any output', async (t) => {
    const home = tempDir(t, 'home');
    mkdirSync(join(home, '.ssh'));
    mkdirSync(join(home, 'Downloads'));
    writeFileSync(join(home, '.ssh', 'id_rsa'), KEY);
    const src = join(home, 'Downloads', 'disk.vmdk');
    writeFileSync(src, descriptor('../.ssh/id_rsa'));
    for (const [kind, out] of [['convert', join(home, 'Downloads', 'out.vmdk')], ['ova', join(home, 'Downloads', 'out.ova')]] as const) {
      const r = await ferryLimited([kind, src, out, '--json']);
      assertRefused(r, 'E_UNSUPPORTED', /disk\.vmdk: line 8 \(RW 2048 FLAT "\.\.\/\.ssh\/id_rsa" 0\): .*climbs out/, out);
    }
    const seen = await pathsTouched(() => inspectDisk(src));
    assert.ok(seen.result instanceof Error);
    assert.deepEqual(seen.paths.filter((p) => p.includes('.ssh')), [], 'the key folder was never touched');
  });

  const outside = (t: TestContext) => {
    const root = tempDir(t, 'vmdk');
    mkdirSync(join(root, 'disk'));
    mkdirSync(join(root, 'outside'));
    writeFileSync(join(root, 'outside', 'secret'), KEY);
    return { root, dir: join(root, 'disk'), secret: join(root, 'outside', 'secret') };
  };
  const names: Array<[string, (root: string) => string, RegExp]> = [
    ['an absolute path (/etc/passwd)', () => '/etc/passwd', /absolute path/],
    ['an absolute path to a file the user has', (root) => join(root, 'outside', 'secret'), /absolute path/],
    ['../ climbing out', () => '../outside/secret', /climbs out/],
    ['..\\ climbing out (Windows form)', () => '..\\outside\\secret', /climbs out/],
    ['a UNC path', () => '\\\\evil\\share\\disk-flat.vmdk', /network \(UNC\) path/],
    ['a //host path', () => '//evil/share/disk-flat.vmdk', /network \(UNC\) path/],
    ['a \\\\?\\ device path', () => '\\\\?\\C:\\disk-flat.vmdk', /device/],
    ['a \\\\.\\ device path', () => '\\\\.\\PhysicalDrive0', /device/],
    ['a drive letter', () => 'C:\\vms\\disk-flat.vmdk', /absolute path/],
    ['a drive-relative name', () => 'C:disk-flat.vmdk', /absolute path/],
  ];
  for (const [label, name, reason] of names) {
    it(`an extent naming ${label}: exit 2 naming the line, nothing outside opened`, async (t) => {
      const { root, dir } = outside(t);
      const src = join(dir, 'disk.vmdk');
      const extent = name(root);
      writeFileSync(src, descriptor(extent));
      const out = join(dir, 'out.vmdk');
      const r = await ferryLimited(['convert', src, out, '--json']);
      assertRefused(r, 'E_UNSUPPORTED', new RegExp(`line 8 \\(RW 2048 FLAT .*: the extent .* is refused: .*${reason.source}`), out);
      const seen = await pathsTouched(() => inspectDisk(src));
      assert.ok(seen.result instanceof Error, 'refused in process too');
      assert.deepEqual(seen.paths.filter((p) => p.includes('outside') || p.includes('evil') || p.includes('passwd') || /^[A-Za-z]:|^\\\\/.test(p)), []);
    });
  }

  it('a symbolic link inside the folder that leads outside: refused, the file it leads to is never opened', async (t) => {
    const { dir, secret } = outside(t);
    symlinkSync(secret, join(dir, 'disk-flat.vmdk'));
    const src = join(dir, 'disk.vmdk');
    writeFileSync(src, descriptor('disk-flat.vmdk'));
    const out = join(dir, 'out.vmdk');
    const r = await ferryLimited(['convert', src, out, '--json']);
    assertRefused(r, 'E_UNSUPPORTED', /line 8 \(RW 2048 FLAT "disk-flat\.vmdk" 0\): .*symbolic links.*outside/, out);
    const seen = await pathsTouched(() => inspectDisk(src));
    assert.ok(seen.result instanceof Error);
    assert.deepEqual(seen.paths.filter((p) => p.includes('outside')), [], 'the real path is learnt from realpath of the link, never by opening what it names');
  });

  it('a linked folder that leads outside is refused too; a link and a subfolder that stay inside convert', async (t) => {
    const { root, dir } = outside(t);
    symlinkSync(join(root, 'outside'), join(dir, 'sub'));
    writeFileSync(join(dir, 'escapes.vmdk'), descriptor('sub/secret'));
    const r = await ferryLimited(['inspect', join(dir, 'escapes.vmdk'), '--json']);
    assertRefused(r, 'E_UNSUPPORTED', /line 8 .*symbolic links/);

    mkdirSync(join(dir, 'pieces'));
    writeFileSync(join(dir, 'pieces', 'flat.bin'), pseudoRandom(MiB, 5));
    symlinkSync('pieces/flat.bin', join(dir, 'link-flat.vmdk'));
    for (const name of ['pieces/flat.bin', 'pieces\\flat.bin', 'link-flat.vmdk']) {
      writeFileSync(join(dir, 'ok.vmdk'), descriptor(name));
      const ok = await ferryLimited(['inspect', join(dir, 'ok.vmdk'), '--json']);
      assert.equal(ok.code, 0, `${name}: ${ok.stdout}${ok.stderr}`);
      assert.deepEqual(lastEvent(ok).files, [join(dir, 'ok.vmdk'), join(dir, name.replace(/\\/g, '/'))]);
    }
  });

  it('a descriptor unpacked from an archive uses only what the archive held: nothing beside its scratch copy', async (t) => {
    const dir = tempDir(t, 'archive');
    // convert unpacks into the output's folder: `../secret` from the scratch copy is this file.
    writeFileSync(join(dir, 'secret'), KEY);
    writeFileSync(join(dir, 'disk-flat.vmdk'), KEY);
    for (const [name, mentions] of [
      ['../secret', /line 8 .*climbs out/],
      ['disk-flat.vmdk', /line 8 .*"disk-flat\.vmdk" is not in the archive the descriptor came from/],
    ] as const) {
      writeFileSync(join(dir, 'disk.vmdk.gz'), gzipSync(descriptor(name)));
      const out = join(dir, 'out.vmdk');
      const r = await ferryLimited(['convert', join(dir, 'disk.vmdk.gz'), out, '--json']);
      assertRefused(r, 'E_UNSUPPORTED', mentions, out);
      assert.match(String(lastEvent(r).message), /disk\.vmdk\.gz \(unpacked\)/, 'named as the archive the user knows');
    }
  });
});

describe('parent locators never open network or device paths', () => {
  const setup = (t: TestContext, withParent: boolean) => {
    const dir = tempDir(t, 'vhd');
    const parentUuid = newUuid();
    if (withParent) writeDynamicVhd(join(dir, 'p.vhd'), { size: 4 * MiB, uuid: parentUuid, pieces: [{ offset: 0, data: pseudoRandom(64 * 1024, 8) }] });
    writeDifferencingVhd(join(dir, 'child.vhd'), {
      size: 4 * MiB,
      parentUuid,
      locators: [
        { kind: 'W2ku', text: '\\\\evil\\share\\p.vhd' },
        { kind: 'W2ru', text: '//evil/x' },
      ],
      pieces: [{ offset: MiB, data: pseudoRandom(4096, 9) }],
    });
    return dir;
  };

  it('a VHD child whose locators name \\\\evil\\share\\p.vhd and //evil/x, no parent beside: exit 2 saying which locators were skipped, nothing on evil touched', async (t) => {
    const dir = setup(t, false);
    const r = await ferryLimited(['inspect', join(dir, 'child.vhd'), '--json']);
    assertRefused(r, 'E_PARENT_MISSING', /Skipped the W2ku locator "\\\\evil\\share\\p\.vhd": it is a network \(UNC\) path.* Skipped the W2ru locator "\/\/evil\/x": it is a network/);
    const seen = await pathsTouched(() => inspectDisk(join(dir, 'child.vhd')));
    assert.ok(seen.result instanceof Error);
    assert.deepEqual(seen.paths.filter((p) => p.includes('evil')), []);
  });

  it('with the parent beside the child under the locator\'s file name: converts, warning about each skipped locator, and lists the files it reads', async (t) => {
    const dir = setup(t, true);
    const r = await ferryLimited(['inspect', join(dir, 'child.vhd'), '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const info = lastEvent(r);
    const warnings = info.warnings as string[];
    assert.ok(warnings.some((w) => /^Skipped the W2ku locator "\\\\evil\\share\\p\.vhd"/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /^Skipped the W2ru locator "\/\/evil\/x"/.test(w)), warnings.join('\n'));
    assert.deepEqual(info.files, [join(dir, 'child.vhd'), join(dir, 'p.vhd')]);
    const text = await ferryLimited(['inspect', join(dir, 'child.vhd')]);
    assert.match(text.stdout, /Files +1\. .*child\.vhd\n +2\. .*p\.vhd/);
    const seen = await pathsTouched(() => inspectDisk(join(dir, 'child.vhd')));
    assert.ok(!(seen.result instanceof Error));
    assert.deepEqual(seen.paths.filter((p) => p.includes('evil')), []);
  });

  it('a VHDX child whose relative_path is \\\\evil\\share\\p.vhdx and absolute_win32_path //evil/x/p.vhdx: skipped, the parent found beside', async (t) => {
    const dir = tempDir(t, 'vhdx');
    const parent = writeVhdx(join(dir, 'p.vhdx'), { virtualSize: 4 * MiB, blockSize: MiB, blocks: new Map([[0, { state: 'full', data: pseudoRandom(MiB, 10) }]]) });
    writeVhdx(join(dir, 'child.vhdx'), {
      virtualSize: 4 * MiB,
      blockSize: MiB,
      blocks: new Map([[2, { state: 'full', data: pseudoRandom(MiB, 11) }]]),
      parent: { linkage: parent.dataWriteGuid, relativePath: '\\\\evil\\share\\p.vhdx', absoluteWin32Path: '//evil/x/p.vhdx' },
    });
    const seen = await pathsTouched(() => inspectDisk(join(dir, 'child.vhdx')));
    assert.ok(!(seen.result instanceof Error), String(seen.result));
    assert.deepEqual(seen.paths.filter((p) => p.includes('evil')), []);
    const r = await ferryLimited(['inspect', join(dir, 'child.vhdx'), '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const warnings = lastEvent(r).warnings as string[];
    assert.ok(warnings.some((w) => /Skipped the parent locator entry relative_path "\\\\evil\\share\\p\.vhdx": it is a network/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /Skipped the parent locator entry absolute_win32_path "\/\/evil\/x\/p\.vhdx"/.test(w)), warnings.join('\n'));
    assert.deepEqual(lastEvent(r).files, [join(dir, 'child.vhdx'), join(dir, 'p.vhdx')]);
    rmSync(join(dir, 'p.vhdx'));
    const missing = await ferryLimited(['inspect', join(dir, 'child.vhdx'), '--json']);
    assertRefused(missing, 'E_PARENT_MISSING', /Skipped the parent locator entry relative_path/);
  });

  it('a locator text with control characters is shown without them', async (t) => {
    const dir = tempDir(t, 'ctl');
    writeDifferencingVhd(join(dir, 'child.vhd'), { size: 4 * MiB, parentUuid: newUuid(), locators: [{ kind: 'W2ku', text: '\\\\evil\\sh\u001b[2Jare\\p.vhd' }] });
    const r = await ferryLimited(['inspect', join(dir, 'child.vhd'), '--json']);
    assertRefused(r, 'E_PARENT_MISSING', /Skipped the W2ku locator "\\\\evil\\sh\?\[2Jare\\p\.vhd"/);
  });
});

describe('the files inspect lists', () => {
  it('a split VMDK: the descriptor, then every extent in read order', async (t) => {
    const dir = tempDir(t, 'split');
    const lines = ['# Disk DescriptorFile', 'version=1', 'CID=fffffffe', 'parentCID=ffffffff', 'createType="twoGbMaxExtentFlat"', ''];
    for (const n of [1, 2, 3]) {
      writeFileSync(join(dir, `d-f00${n}.vmdk`), pseudoRandom(64 * 1024, n));
      lines.push(`RW 128 FLAT "d-f00${n}.vmdk" 0`);
    }
    lines.push('RW 128 ZERO', '');
    writeFileSync(join(dir, 'd.vmdk'), lines.join('\n'));
    const info = await inspectDisk(join(dir, 'd.vmdk'));
    assert.deepEqual(info.files, ['d.vmdk', 'd-f001.vmdk', 'd-f002.vmdk', 'd-f003.vmdk'].map((n) => resolve(dir, n)));
    assert.equal(readFileSync(join(dir, 'd.vmdk'), 'utf8').includes('ZERO'), true);
  });
});
