// The one name rule (shared/file-names.ts) and every place that must follow it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import { avoidDeviceName, fileNameProblem, isSafeFileName, isWindowsDeviceName, safeFileName } from '../../shared/file-names';
import { isSafeFileName as validatorRule } from '../../shared/validate';
import { nameFromPath, problemsWith, defaultChoices } from '../../renderer/src/store/choices';
import { memberStem } from '../../worker/engine/jobs/ova';
import { Staging } from '../../worker/engine/output/staging';
import { scratchFileName } from '../../worker/engine/sources/compressed/members';
import { safeFileStem } from '../../shared/vm-names';
import type { DiskInfo } from '../../shared/disk-info';

const DEVICES = ['CON', 'PRN', 'AUX', 'NUL', 'CONIN$', 'CONOUT$', ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, '¹', '²', '³'].flatMap((d) => [`COM${d}`, `LPT${d}`])];
/** Each device name as Windows still reads it: any case, any extension, trailing dots and spaces. */
const spellings = (d: string): string[] => [d, d.toLowerCase(), `${d[0]}${d.slice(1).toLowerCase()}`, `${d}.txt`, `${d.toLowerCase()}.tar.gz`, `${d}.`, `${d} `, `${d} .vmdk`, `${d}...`];

describe('Windows device names', () => {
  test('every device name, however spelled, is one', () => {
    for (const d of DEVICES) for (const s of spellings(d)) assert.equal(isWindowsDeviceName(s), true, JSON.stringify(s));
  });

  test('names that only look like one are not', () => {
    for (const s of ['console', 'CONX', 'COM10', 'LPT', 'COM⁴', 'xCON', 'CON_', '_NUL', 'AUX1', 'CONIN', 'CONOUT$x', '.CON', ' CON']) {
      assert.equal(isWindowsDeviceName(s), false, JSON.stringify(s));
    }
  });

  test('a device name gets a `_` before its extension; others stay as they are', () => {
    assert.equal(avoidDeviceName('CON'), 'CON_');
    assert.equal(avoidDeviceName('nul.disk.vmdk'), 'nul_.disk.vmdk');
    assert.equal(avoidDeviceName('COM³.vhd'), 'COM³_.vhd');
    assert.equal(avoidDeviceName('conout$.img'), 'conout$_.img');
    assert.equal(avoidDeviceName('console.vhd'), 'console.vhd');
    for (const d of DEVICES) for (const s of spellings(d)) assert.equal(isWindowsDeviceName(avoidDeviceName(s)), false, JSON.stringify(s));
  });
});

describe('names Ferry is asked to create', () => {
  test('ordinary names are accepted', () => {
    for (const ok of ['Windows 10', 'web-01.prod', 'Ünïcödé', 'a', 'console', 'COM10', 'CON_']) assert.equal(isSafeFileName(ok), true, ok);
  });

  test('device names, forbidden characters, bad ends and long names are refused, with a reason', () => {
    for (const bad of ['', ' x', 'x ', 'x.', '..', 'a/b', 'a\\b', 'a:b', 'a*b', 'a\u0007b', 'x'.repeat(129), ...DEVICES.flatMap((d) => [d, `${d}.vmx`, `${d.toLowerCase()} .ova`])]) {
      assert.equal(isSafeFileName(bad), false, JSON.stringify(bad));
      assert.ok(fileNameProblem(bad)!.length > 0);
    }
    assert.match(fileNameProblem('COM².ova')!, /"COM²" is a name Windows keeps for a device/);
  });

  test('the validators use the same rule', () => {
    for (const name of ['CONIN$', 'lpt¹.vmdk', 'AUX', 'fine name']) assert.equal(validatorRule(name), isSafeFileName(name), name);
  });
});

describe('names Ferry makes from text', () => {
  const opts = { maxChars: 60, fallback: 'vm' };

  test('whatever the text, the result passes the rule', () => {
    const texts = ['../../etc/passwd', 'C:\\Windows\\CON', 'a<b>c', '  .hidden. ', '...', '', '\u0000\u0001', 'CON', 'conin$.txt', 'COM¹', 'x'.repeat(500), '😀'.repeat(70), 'nul .vhd', 'LPT9...'];
    for (const text of [...texts, ...DEVICES.flatMap(spellings)]) {
      for (const ascii of [false, true]) {
        const name = safeFileName(text, { ...opts, ascii });
        assert.equal(isSafeFileName(name), true, `${JSON.stringify(text)} → ${JSON.stringify(name)}`);
        if (ascii) assert.match(name, /^[A-Za-z0-9._-]+$/);
      }
    }
  });

  test('ASCII-only names are checked after the characters are dropped', () => {
    // "nul ü" is no device name, but its ASCII form would be "nul".
    assert.equal(safeFileName('nul ü', { ...opts, ascii: true }), 'nul_');
  });

  test('the VM folder, the OVA members, the scratch copy and the wizard all follow it', () => {
    assert.equal(safeFileStem('CONOUT$'), 'CONOUT$_');
    assert.equal(safeFileStem('lpt²'), 'lpt²_');
    assert.equal(memberStem('AUX'), 'AUX_');
    assert.equal(memberStem('con ¹'), 'con_');
    assert.equal(scratchFileName('images/CON.vhd'), 'CON_.vhd');
    assert.equal(scratchFileName('COM1 .vmdk'), 'COM1_ .vmdk');
    assert.equal(nameFromPath('/downloads/PRN.vhd.gz'), 'PRN_');
    assert.equal(nameFromPath('/x/...vhd'), 'Converted disk');
    const disk = { path: '/d/x.vhd' } as DiskInfo;
    assert.match(problemsWith({ ...defaultChoices(disk, '/d'), name: 'CONIN$' }).name ?? '', /device/);
    assert.equal(problemsWith({ ...defaultChoices(disk, '/d'), name: 'Server 2019' }).name, undefined);
  });

  test('staging folders too: hidden, ASCII, and never a device name', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-names-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    for (const label of ['CON', 'a b/../c', 'Ünï.vhd.gz', '...', 'x'.repeat(80)]) {
      const staging = await Staging.create(dir, label);
      const name = basename(staging.dir);
      assert.match(name, /^\.[A-Za-z0-9._-]{1,40}\.ferry-partial-[0-9a-f]{8}$/, name);
      assert.equal(isSafeFileName(name), true, name);
      await staging.discard();
    }
  });
});
