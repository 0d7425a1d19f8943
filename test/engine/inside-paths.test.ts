// The path rule for names read from inside a file: classification (Windows and POSIX forms, on
// every host), the inside test, and resolution through symbolic links.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { classifyName, hostForm, isInside, isRemoteOrDevice, refusalReason, resolveInside, type NameKind } from '../../worker/engine/sources/inside-paths';

describe('classifyName', () => {
  const cases: Array<[string, NameKind]> = [
    ['disk-flat.vmdk', 'plain'],
    ['disk s001.vmdk', 'plain'],
    ['sub/disk-s001.vmdk', 'relative-inside'],
    ['sub\\disk-s001.vmdk', 'relative-inside'],
    ['./disk-flat.vmdk', 'relative-inside'],
    ['.\\parent.vhd', 'relative-inside'],
    ['a/../b.vmdk', 'relative-inside'],
    ['../.ssh/id_rsa', 'relative-escaping'],
    ['..\\..\\x.vhd', 'relative-escaping'],
    ['a/../../x', 'relative-escaping'],
    ['sub/..', 'relative-escaping'],
    ['.', 'relative-escaping'],
    ['..', 'relative-escaping'],
    ['/etc/passwd', 'absolute'],
    ['\\Windows\\x.vhd', 'absolute'],
    ['C:\\vms\\parent.vhd', 'absolute'],
    ['c:/vms/parent.vhd', 'absolute'],
    ['C:foo.vmdk', 'absolute'],
    ['\\\\host\\share\\x.vhd', 'unc'],
    ['//host/share/x', 'unc'],
    ['\\/host/x', 'unc'],
    ['\\\\?\\UNC\\host\\share\\x', 'unc'],
    ['//?/unc/host/share', 'unc'],
    ['\\\\?\\C:\\x.vhdx', 'device'],
    ['\\\\?\\GLOBALROOT\\Device\\Mup\\host\\x', 'device'],
    ['\\\\.\\PhysicalDrive0', 'device'],
    ['//./pipe/x', 'device'],
    ['\\??\\C:\\x', 'device'],
    ['\\\\?\\Volume{26a21bda-a627-11d7-9931-806e6f6e6963}\\vms\\p.vhdx', 'volume'],
    ['NUL', 'device'],
    ['nul.vmdk', 'device'],
    ['sub/COM1', 'device'],
    ['CON.', 'device'],
    ['C:\\dir\\LPT1.txt', 'device'],
    ['CONOUT$', 'device'],
    ['console.vmdk', 'plain'],
    ['com10', 'plain'],
    ['', 'invalid'],
    ['a\u0000b', 'invalid'],
    ['x\n.vmdk', 'invalid'],
    ['\u001b[31m.vmdk', 'invalid'],
    ['\\\\evil\\sh\u001bare\\x', 'unc'],
    ['\\\\.\\\u0007', 'device'],
  ];
  for (const [name, kind] of cases) {
    it(`${JSON.stringify(name)} is ${kind}`, () => assert.equal(classifyName(name), kind));
  }
  it('refuses everything but plain and inside names, and only network and device paths are never opened', () => {
    for (const [, kind] of cases) {
      assert.equal(refusalReason(kind) === undefined, kind === 'plain' || kind === 'relative-inside', kind);
      assert.equal(isRemoteOrDevice(kind), kind === 'unc' || kind === 'device', kind);
    }
  });
});

describe('isInside and hostForm', () => {
  it('judges POSIX paths', () => {
    assert.equal(isInside('/a/b', '/a/b/c', path.posix), true);
    assert.equal(isInside('/a/b', '/a/b/c/d', path.posix), true);
    assert.equal(isInside('/a/b', '/a/b', path.posix), false);
    assert.equal(isInside('/a/b', '/a/bc', path.posix), false);
    assert.equal(isInside('/a/b', '/a', path.posix), false);
    assert.equal(isInside('/a/b', '/etc/passwd', path.posix), false);
    assert.equal(isInside('/a/b', '/a/b/..x', path.posix), true);
  });
  it('judges Windows paths (case-insensitive, other drives, shares)', () => {
    assert.equal(isInside('C:\\vms', 'C:\\VMS\\disk.vhd', path.win32), true);
    assert.equal(isInside('C:\\vms', 'D:\\vms\\disk.vhd', path.win32), false);
    assert.equal(isInside('C:\\vms', 'C:\\vms2\\disk.vhd', path.win32), false);
    assert.equal(isInside('C:\\vms', '\\\\host\\share\\disk.vhd', path.win32), false);
  });
  it('turns backslashes into separators only where `/` is the separator', () => {
    assert.equal(hostForm('sub\\x.vmdk', path.posix), 'sub/x.vmdk');
    assert.equal(hostForm('sub\\x.vmdk', path.win32), 'sub\\x.vmdk');
  });
});

describe('resolveInside', () => {
  const root = mkdtempSync(join(tmpdir(), 'ferry-inside-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const folder = join(root, 'disk');
  mkdirSync(join(folder, 'sub'), { recursive: true });
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'outside', 'secret'), 'key');
  writeFileSync(join(folder, 'flat.vmdk'), 'x');
  writeFileSync(join(folder, 'sub', 'piece.vmdk'), 'x');
  symlinkSync(join(root, 'outside', 'secret'), join(folder, 'link-to-secret'));
  symlinkSync(join(root, 'outside'), join(folder, 'link-to-outside'));
  symlinkSync(join(folder, 'flat.vmdk'), join(folder, 'link-inside'));
  symlinkSync(join(root, 'outside', 'missing'), join(folder, 'dangling-outside'));

  it('answers the path of a plain name, a name in a subfolder and a link that stays inside', async () => {
    assert.deepEqual(await resolveInside(folder, 'flat.vmdk'), { ok: true, path: join(folder, 'flat.vmdk') });
    assert.deepEqual(await resolveInside(folder, 'sub\\piece.vmdk'), { ok: true, path: join(folder, 'sub', 'piece.vmdk') });
    assert.deepEqual(await resolveInside(folder, 'link-inside'), { ok: true, path: join(folder, 'link-inside') });
  });
  it('answers a missing name inside (opening it then says it is missing)', async () => {
    assert.deepEqual(await resolveInside(folder, 'gone.vmdk'), { ok: true, path: join(folder, 'gone.vmdk') });
  });
  it('refuses links that lead outside, even to a folder whose file is missing', async () => {
    for (const name of ['link-to-secret', 'link-to-outside/secret', 'link-to-outside/missing']) {
      const a = await resolveInside(folder, name);
      assert.equal(a.ok, false, name);
      assert.match(!a.ok ? a.reason : '', /symbolic links.*outside/, name);
    }
  });
  it('refuses a link that leads to no file', async () => {
    assert.deepEqual(await resolveInside(folder, 'dangling-outside'), { ok: false, reason: 'it is a symbolic link that leads to no file' });
  });
  it('refuses escaping, absolute, network and device names with the reason', async () => {
    const reasons: Array<[string, RegExp]> = [
      ['../outside/secret', /climbs out/],
      [join(root, 'outside', 'secret'), /absolute/],
      ['/etc/passwd', /absolute/],
      ['C:\\Users\\me\\.ssh\\id_rsa', /absolute/],
      ['\\\\evil\\share\\p.vhd', /network/],
      ['//evil/x', /network/],
      ['\\\\.\\PhysicalDrive0', /device/],
      ['NUL', /device/],
    ];
    for (const [name, reason] of reasons) {
      const a = await resolveInside(folder, name);
      assert.equal(a.ok, false, name);
      assert.match(!a.ok ? a.reason : '', reason, name);
    }
  });
});
