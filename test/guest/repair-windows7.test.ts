// Boot repair on layouts seen in real SYSTEM hives (regipy's public test data): AHCI on Windows 7
// is `msahci` (storahci came with Windows 8; no storahci key, msahci Start 3), and a Windows 10
// whose VMware Tools were removed keeps Services\pvscsi with no Start value. The hives are made
// here with hivexregedit; the result read back with hivexget.
import assert from 'node:assert/strict';
import { english } from '../../worker/engine/notices';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { canMountNtfs, run, tempDir } from './helpers';
import { NTFS_START, SYS, planRepairOf as plan, windowsDisk } from './windows-disk';

let dir: string;
before(() => {
  dir = tempDir('repair-w7');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const WIN7 = { productName: 'Windows 7 Professional', installationType: 'Client', build: 7601 };
const CS = `${SYS}\\ControlSet001\\Services`;
const WIN7_SERVICES = `[${CS}\\msahci]\n"Start"=dword:00000003\n\n[${CS}\\LSI_SAS]\n"Start"=dword:00000000\n\n[${CS}\\atapi]\n"Start"=dword:00000000`;

describe('boot repair on Windows 7', { skip: canMountNtfs() ? false : 'needs root and FUSE for ntfs-3g' }, () => {
  test('SATA enables msahci when there is no storahci', async () => {
    const disk = windowsDisk(dir, 'w7', { ...WIN7, system: WIN7_SERVICES });
    const p = await plan(disk, 'sata');
    assert.equal(p.kind, 'patch', JSON.stringify(p));
    if (p.kind !== 'patch') return;
    assert.deepEqual(p.changes, ['ControlSet001\\Services\\msahci\\Start: 3 → 0']);
    const out = `${disk}.patched`;
    writeFileSync(out, readFileSync(disk));
    const fd = openSync(out, 'r+');
    for (const x of p.patches) writeSync(fd, x.bytes, 0, x.bytes.length, x.offset);
    closeSync(fd);
    const ntfs = `${out}.ntfs`;
    writeFileSync(ntfs, readFileSync(out).subarray(NTFS_START));
    const hive = `${out}.SYSTEM`;
    writeFileSync(hive, run('ntfscat', [ntfs, 'Windows/System32/config/SYSTEM']));
    assert.equal(run('hivexget', [hive, 'ControlSet001\\Services\\msahci', 'Start']).toString().trim(), '0');
  });

  test('a service key left without a Start value (uninstalled VMware Tools) is no installed driver', async () => {
    const disk = windowsDisk(dir, 'w10-tools-gone', { productName: 'Windows 10 Pro', installationType: 'Client', build: 16299, system: `[${CS}\\pvscsi]\n"vwdk.installers"=hex(7):4d,00,53,00,49,00,00,00,00,00\n\n[${CS}\\storahci]\n"Start"=dword:00000000` });
    const p = await plan(disk, 'pvscsi');
    assert.equal(p.kind, 'refused');
    if (p.kind !== 'refused') return;
    assert.match(english(p.reason), /pvscsi not installed/);
    assert.match(english(p.hint), /--controller sata/);
  });

  test('a controller Windows lacks suggests only controllers whose driver it has', async () => {
    const disk = windowsDisk(dir, 'w7-no-ahci', { ...WIN7, system: `[${CS}\\LSI_SAS]\n"Start"=dword:00000000\n\n[${CS}\\atapi]\n"Start"=dword:00000000` });
    const p = await plan(disk, 'pvscsi');
    assert.equal(p.kind, 'refused');
    if (p.kind !== 'refused') return;
    assert.match(english(p.hint), /--controller lsisas1068, ide\)/);
  });
});
