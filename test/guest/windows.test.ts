// Windows guests named from their registry: GPT disks with an ESP (mkfs.fat, mtools) and an NTFS
// partition (mkntfs, ntfs-3g) holding SOFTWARE and SYSTEM hives written by hivex; `ferry inspect`
// shows the release, and the VM gets the exact guestOS id its hardware version knows.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DiskInfo } from '../../shared/disk-info';
import { windowsGuestId } from '../../worker/engine/guest/windows/ids';
import { planHardware } from '../../worker/engine/machine/hardware';
import { ferry } from '../support/cli';
import { canMountNtfs, makeGptDisk, makeNtfs, run, tempDir } from './helpers';
import { makeHive } from './regf-writer';

describe('Windows ids by build', () => {
  const cases: Array<[Parameters<typeof windowsGuestId>[0], string, string]> = [
    [{ productName: 'Windows 10 Pro', installationType: 'Client', build: 19045, displayVersion: '22H2' }, 'windows9-64', 'Windows 10 Pro'],
    [{ productName: 'Windows 10 Pro', installationType: 'Client', build: 22631, displayVersion: '23H2' }, 'windows11-64', 'Windows 11 Pro'],
    [{ productName: 'Windows 10 Enterprise', installationType: 'Client', build: 26100 }, 'windows11-64', 'Windows 11 Enterprise'],
    [{ productName: 'Windows 8.1 Pro', installationType: 'Client', build: 9600 }, 'windows8-64', 'Windows 8.1 Pro'],
    [{ productName: 'Windows 7 Professional', build: 7601 }, 'windows7-64', 'Windows 7 Professional'],
    [{ productName: 'Windows Server 2012 Standard', installationType: 'Server', build: 9200 }, 'windows8srv-64', 'Windows Server 2012 Standard'],
    [{ productName: 'Windows Server 2012 R2 Datacenter', installationType: 'Server', build: 9600 }, 'windows8srv-64', 'Windows Server 2012 R2 Datacenter'],
    [{ productName: 'Windows Server 2016 Standard', installationType: 'Server', build: 14393 }, 'windows9srv-64', 'Windows Server 2016 Standard'],
    [{ productName: 'Windows Server 2019 Datacenter', installationType: 'Server Core', build: 17763 }, 'windows2019srv-64', 'Windows Server 2019 Datacenter'],
    [{ productName: 'Windows Server 2022 Standard', installationType: 'Server', build: 20348 }, 'windows2019srvnext-64', 'Windows Server 2022 Standard'],
    [{ productName: 'Windows Server 2025 Datacenter', installationType: 'Server', build: 26100 }, 'windows2022srvnext-64', 'Windows Server 2025 Datacenter'],
  ];
  for (const [v, id, name] of cases) {
    test(`${v.productName} build ${v.build} → ${id}`, () => {
      const got = windowsGuestId(v);
      assert.equal(got.guestOS, id);
      assert.equal(got.name, name);
    });
  }
});

const SW = 'HKEY_LOCAL_MACHINE\\SOFTWARE';
const SYS = 'HKEY_LOCAL_MACHINE\\SYSTEM';

describe('Windows disks', { skip: canMountNtfs() ? false : 'needs root and FUSE for ntfs-3g' }, () => {
  let dir: string;
  before(() => {
    dir = tempDir('windows');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A Generation 2 layout: ESP (FAT32) + Microsoft basic data (NTFS with \Windows). */
  function windowsDisk(name: string, cv: { productName: string; installationType: string; build: number; displayVersion?: string }): string {
    const software = join(dir, `${name}-SOFTWARE`);
    makeHive(
      software,
      SW,
      `[${SW}\\Microsoft\\Windows NT\\CurrentVersion]
"ProductName"="${cv.productName}"
"EditionID"="Professional"
"InstallationType"="${cv.installationType}"
"CurrentBuild"="${cv.build}"
"CurrentBuildNumber"="${cv.build}"
${cv.displayVersion ? `"DisplayVersion"="${cv.displayVersion}"` : ''}`,
    );
    const system = join(dir, `${name}-SYSTEM`);
    makeHive(system, SYS, `[${SYS}\\Select]\n"Current"=dword:00000001\n\n[${SYS}\\ControlSet001\\Services\\storahci]\n"Start"=dword:00000003`);
    const esp = join(dir, `${name}-esp.img`);
    run('truncate', ['-s', '40M', esp]);
    run('mkfs.fat', ['-F', '32', esp]);
    run('mmd', ['-i', esp, '::/EFI', '::/EFI/Microsoft', '::/EFI/Microsoft/Boot']);
    writeFileSync(join(dir, 'bootmgfw.efi'), 'MZ');
    run('mcopy', ['-i', esp, join(dir, 'bootmgfw.efi'), '::/EFI/Microsoft/Boot/bootmgfw.efi']);
    const ntfs = join(dir, `${name}-ntfs.img`);
    makeNtfs(ntfs, 48, (root) => {
      mkdirSync(join(root, 'Windows/System32/config'), { recursive: true });
      copyFileSync(software, join(root, 'Windows/System32/config/SOFTWARE'));
      copyFileSync(system, join(root, 'Windows/System32/config/SYSTEM'));
    });
    const disk = join(dir, `${name}.img`);
    makeGptDisk(disk, [
      { image: esp, code: 'ef00' },
      { image: ntfs, code: '0700' },
    ]);
    return disk;
  }

  async function inspectJson(disk: string): Promise<DiskInfo> {
    const r = await ferry(['inspect', disk, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as DiskInfo;
  }

  test('Windows 11 (ProductName still "Windows 10"): named by its build, windows11-64 where the hardware knows it', async () => {
    const disk = windowsDisk('win11', { productName: 'Windows 10 Pro', installationType: 'Client', build: 22631, displayVersion: '23H2' });
    const info = await inspectJson(disk);
    assert.equal(info.guest?.guestOS, 'windows11-64');
    assert.deepEqual(info.guest?.os, { name: 'Windows 11 Pro', version: '23H2, build 22631', build: 22631 });
    assert.ok(info.guest?.evidence.some((e) => /NTFS on partition 2 holds \\Windows/.test(e)));
    assert.ok(!info.guest?.evidence.some((e) => /not read from the disk/.test(e)));
    const text = await ferry(['inspect', disk]);
    assert.match(text.stdout, /Guest OS\s+Windows 11 Pro 23H2, build 22631/);
    const at19 = planHardware({}, info.guest!);
    assert.equal(at19.hardware.guestOS, 'windows9-64');
    assert.ok(at19.warnings.some((w) => /exact id "windows11-64" needs hardware version 21/.test(w)), at19.warnings.join('\n'));
    assert.equal(planHardware({ hwVersion: 21 }, info.guest!).hardware.guestOS, 'windows11-64');
  });

  test('Windows 10 and Server 2022 by build', async () => {
    const win10 = await inspectJson(windowsDisk('win10', { productName: 'Windows 10 Pro', installationType: 'Client', build: 19045, displayVersion: '22H2' }));
    assert.equal(win10.guest?.guestOS, 'windows9-64');
    assert.equal(win10.guest?.os?.name, 'Windows 10 Pro');
    const srv = await inspectJson(windowsDisk('srv2022', { productName: 'Windows Server 2022 Datacenter', installationType: 'Server', build: 20348 }));
    assert.equal(srv.guest?.guestOS, 'windows2019srvnext-64');
    assert.equal(planHardware({}, srv.guest!).hardware.guestOS, 'windows2019srvnext-64');
    assert.equal(planHardware({ hwVersion: 14 }, srv.guest!).hardware.guestOS, 'windows9srv-64');
  });

  test('a damaged NTFS is a warning, and inspect still answers from the partitions', async () => {
    const disk = windowsDisk('damaged', { productName: 'Windows 10 Pro', installationType: 'Client', build: 19045 });
    const raw = readFileSync(disk);
    // The NTFS partition starts after the 1 MiB gap and the 40 MiB ESP; wipe its MFT's first records.
    const ntfsStart = 41 * 1024 * 1024;
    const mftLcn = Number(raw.readBigUInt64LE(ntfsStart + 0x30));
    const cluster = raw.readUInt16LE(ntfsStart + 11) * raw[ntfsStart + 13]!;
    raw.fill(0x41, ntfsStart + mftLcn * cluster, ntfsStart + mftLcn * cluster + 16 * 1024);
    writeFileSync(disk, raw);
    const info = await inspectJson(disk);
    assert.equal(info.guest?.guestOS, 'windows9-64');
    assert.equal(info.guest?.os, undefined);
    assert.ok(info.warnings.some((w) => /The NTFS file system on partition 2 could not be read/.test(w)), info.warnings.join('\n'));
  });
});
