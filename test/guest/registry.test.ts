// The regf reader against hives written by hivex (hivexregedit --merge onto a minimal hive),
// read back with hivexget as the oracle; and damaged hives, which fail with GuestFsError.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GuestFsError } from '../../worker/engine/guest/fs/volume';
import { Hive, bufferBytes, regString } from '../../worker/engine/guest/registry/regf';
import { readServices, readWindowsVersion } from '../../worker/engine/guest/registry/windows-keys';
import { run, tempDir } from './helpers';
import { bigDataHive, makeHive } from './regf-writer';

let dir: string;
before(() => {
  dir = tempDir('regf');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const SW = 'HKEY_LOCAL_MACHINE\\SOFTWARE';
const SYS = 'HKEY_LOCAL_MACHINE\\SYSTEM';

test('reads CurrentVersion from a SOFTWARE hive, as hivexget does', async () => {
  const path = join(dir, 'SOFTWARE');
  const big = 'Ab'.repeat(12_000);
  makeHive(
    path,
    SW,
    `[${SW}\\Microsoft\\Windows NT\\CurrentVersion]
"ProductName"="Windows 10 Pro"
"EditionID"="Professional"
"InstallationType"="Client"
"CurrentBuild"="22631"
"CurrentBuildNumber"="22631"
"DisplayVersion"="23H2"
"UBR"=dword:00000c4e
"Large"="${big}"`,
  );
  const hive = await Hive.open(bufferBytes(readFileSync(path)));
  assert.equal(hive.base.dirty, false);
  assert.equal(hive.base.checksumOk, true);
  const v = await readWindowsVersion(hive);
  assert.deepEqual(v, { productName: 'Windows 10 Pro', editionId: 'Professional', installationType: 'Client', displayVersion: '23H2', build: 22631, ubr: 0xc4e });
  const key = (await hive.path('microsoft\\WINDOWS NT\\currentversion'))!;
  const large = regString(await (await hive.valueOf(key, 'Large'))!.data());
  assert.equal(large, run('hivexget', [path, 'Microsoft\\Windows NT\\CurrentVersion', 'Large']).toString().trimEnd());
  assert.equal(large, big);
});

test('reads Select\\Current and the drivers\' Start and StartOverride from SYSTEM', async () => {
  const path = join(dir, 'SYSTEM');
  const services = Array.from({ length: 300 }, (_, i) => `[${SYS}\\ControlSet002\\Services\\svc${i}]\n"Start"=dword:00000003`).join('\n\n');
  makeHive(
    path,
    SYS,
    `[${SYS}\\Select]
"Current"=dword:00000002
"Default"=dword:00000002

[${SYS}\\ControlSet001\\Services\\storahci]
"Start"=dword:00000000

${services}

[${SYS}\\ControlSet002\\Services\\storahci]
"Start"=dword:00000003

[${SYS}\\ControlSet002\\Services\\storahci\\StartOverride]
"0"=dword:00000003

[${SYS}\\ControlSet002\\Services\\pciide]
"Start"=dword:00000000`,
  );
  const hive = await Hive.open(bufferBytes(readFileSync(path)));
  const cs = await readServices(hive, ['storahci', 'pciide', 'pvscsi', 'svc299']);
  assert.equal(cs.current, 2);
  assert.equal(cs.name, 'ControlSet002');
  assert.equal(cs.services.get('storahci')?.start, 3);
  assert.deepEqual(cs.services.get('storahci')?.startOverride, { '0': 3 });
  assert.equal(cs.services.get('pciide')?.start, 0);
  assert.equal(cs.services.get('pvscsi'), undefined);
  assert.equal(cs.services.get('svc299')?.start, 3);
  // The Start value's bytes sit where the reader says, as hivex wrote them.
  const raw = readFileSync(path);
  const start = cs.services.get('pciide')!.startValue!;
  assert.equal(start.dataFileOffset, undefined, 'a DWORD is stored inline in its vk cell');
  assert.equal(raw.readUInt32LE(start.vkFileOffset + 8), 0);
  assert.equal(run('hivexget', [path, 'ControlSet002\\Services\\pciide', 'Start']).toString().trim(), '0');
});

test('a hive whose sequence numbers differ is reported dirty', async () => {
  const path = join(dir, 'DIRTY');
  makeHive(path, SW, `[${SW}\\A]\n"x"="y"`);
  const raw = readFileSync(path);
  raw.writeUInt32LE(raw.readUInt32LE(4) + 1, 4);
  const hive = await Hive.open(bufferBytes(raw));
  assert.equal(hive.base.dirty, true);
  assert.equal(hive.base.checksumOk, false);
});

test('damaged hives fail with GuestFsError', async () => {
  const path = join(dir, 'BAD');
  makeHive(path, SW, `[${SW}\\Microsoft\\Windows NT\\CurrentVersion]\n"ProductName"="x"`);
  const good = readFileSync(path);
  await assert.rejects(Hive.open(bufferBytes(Buffer.alloc(8192))), GuestFsError);
  const noBin = Buffer.from(good);
  noBin.write('XXXX', 4096, 'latin1');
  await assert.rejects(Hive.open(bufferBytes(noBin)), GuestFsError);
  const badRoot = Buffer.from(good);
  badRoot.writeUInt32LE(0x7ffffff8, 36);
  await assert.rejects(Hive.open(bufferBytes(badRoot)).then((h) => readWindowsVersion(h)), GuestFsError);
  // Every byte of the hive bins set to 0xff in turn would take long; flip a spread of them instead.
  for (let at = 4096; at < good.length; at += 97) {
    const m = Buffer.from(good);
    m[at] = m[at]! ^ 0xff;
    try {
      await readWindowsVersion(await Hive.open(bufferBytes(m)));
    } catch (err) {
      assert.ok(err instanceof GuestFsError, `byte ${at}: ${String(err)}`);
    }
  }
  writeFileSync(path, good);
});

test('reads a value stored as big data (db segments), as hivexget does', async () => {
  const data = Buffer.alloc(40_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  const path = join(dir, 'BIG');
  writeFileSync(path, bigDataHive('Blob', data));
  const hive = await Hive.open(bufferBytes(readFileSync(path)));
  const v = (await hive.valueOf(await hive.root(), 'blob'))!;
  assert.equal(v.dataSize, 40_000);
  const got = await v.data();
  assert.ok(got.equals(data));
  const exported = run('hivexregedit', ['--export', path, '\\']).toString().replace(/\\\r?\n\s*/g, '');
  const hex = /"Blob"=hex\(3\):([0-9a-f,]+)/.exec(exported)?.[1];
  assert.ok(hex, 'hivex exports the value');
  assert.ok(Buffer.from(hex.replace(/,/g, ''), 'hex').equals(data), 'hivex reads the same bytes');
});

test('a SYSTEM hive over 2 MiB, in many hive bins, with 2500 services under one key: found as hivexget finds them', async () => {
  const path = join(dir, 'SYSTEM-big');
  const pad = 'x'.repeat(400);
  const services = Array.from({ length: 2500 }, (_, i) => `[${SYS}\\ControlSet001\\Services\\svc${String(i).padStart(4, '0')}]\n"Start"=dword:00000003\n"ImagePath"="\\\\SystemRoot\\\\System32\\\\drivers\\\\svc${i}.sys ${pad}"`).join('\n\n');
  makeHive(path, SYS, `[${SYS}\\Select]\n"Current"=dword:00000001\n\n${services}\n\n[${SYS}\\ControlSet001\\Services\\storahci]\n"Start"=dword:00000003\n\n[${SYS}\\ControlSet001\\Services\\zzlast]\n"Start"=dword:00000001`);
  const raw = readFileSync(path);
  assert.ok(raw.length > 2 * 1024 * 1024, `${raw.length} bytes`);
  const hive = await Hive.open(bufferBytes(raw));
  const cs = await readServices(hive, ['storahci', 'zzlast', 'svc0000', 'svc2499', 'svc1234']);
  assert.equal(cs.services.get('storahci')?.start, 3);
  assert.equal(cs.services.get('zzlast')?.start, 1);
  for (const name of ['svc0000', 'svc2499', 'svc1234']) {
    assert.equal(String(cs.services.get(name)?.start), run('hivexget', [path, `ControlSet001\\Services\\${name}`, 'Start']).toString().trim(), name);
  }
});
