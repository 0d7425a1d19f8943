// Windows guests named from their registry: GPT disks with an ESP (mkfs.fat, mtools) and an NTFS
// partition (mkntfs, ntfs-3g) holding SOFTWARE and SYSTEM hives written by hivex; `ferry inspect`
// shows the release, and the VM gets the exact guestOS id its hardware version knows.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { DiskInfo } from '../../shared/disk-info';
import { windowsGuestId } from '../../worker/engine/guest/windows/ids';
import { planHardware } from '../../worker/engine/machine/hardware';
import { ferry } from '../support/cli';
import { canMountNtfs, tempDir } from './helpers';
import { NTFS_START, windowsDisk, type WindowsDiskSpec } from './windows-disk';
import { engineGuest, words } from '../support/notices';

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

describe('Windows disks', { skip: canMountNtfs() ? false : 'needs root and FUSE for ntfs-3g' }, () => {
  let dir: string;
  before(() => {
    dir = tempDir('windows');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const disk = (name: string, cv: Omit<WindowsDiskSpec, 'system'>) => windowsDisk(dir, name, cv);

  async function inspectJson(disk: string): Promise<DiskInfo> {
    const r = await ferry(['inspect', disk, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as DiskInfo;
  }

  test('Windows 11 (ProductName still "Windows 10"): named by its build, windows11-64 where the hardware knows it', async () => {
    const img = disk('win11', { productName: 'Windows 10 Pro', installationType: 'Client', build: 22631, displayVersion: '23H2' });
    const info = await inspectJson(img);
    assert.equal(info.guest?.guestOS, 'windows11-64');
    assert.deepEqual(info.guest?.os, { name: 'Windows 11 Pro', version: '23H2, build 22631', build: 22631 });
    assert.ok(info.guest?.evidence.some((e) => /NTFS on partition 2 holds \\Windows/.test(e)));
    assert.ok(!info.guest?.evidence.some((e) => /not read from the disk/.test(e)));
    const text = await ferry(['inspect', img]);
    assert.match(text.stdout, /Guest OS\s+Windows 11 Pro 23H2, build 22631/);
    const at19 = planHardware({}, engineGuest(info.guest!));
    assert.equal(at19.hardware.guestOS, 'windows9-64');
    assert.ok(words(at19.warnings).some((w) => /exact id "windows11-64" needs hardware version 21/.test(w)), words(at19.warnings).join('\n'));
    assert.equal(planHardware({ hwVersion: 21 }, engineGuest(info.guest!)).hardware.guestOS, 'windows11-64');
  });

  test('Windows 10 and Server 2022 by build', async () => {
    const win10 = await inspectJson(disk('win10', { productName: 'Windows 10 Pro', installationType: 'Client', build: 19045, displayVersion: '22H2' }));
    assert.equal(win10.guest?.guestOS, 'windows9-64');
    assert.equal(win10.guest?.os?.name, 'Windows 10 Pro');
    const srv = await inspectJson(disk('srv2022', { productName: 'Windows Server 2022 Datacenter', installationType: 'Server', build: 20348 }));
    assert.equal(srv.guest?.guestOS, 'windows2019srvnext-64');
    assert.equal(planHardware({}, engineGuest(srv.guest!)).hardware.guestOS, 'windows2019srvnext-64');
    assert.equal(planHardware({ hwVersion: 14 }, engineGuest(srv.guest!)).hardware.guestOS, 'windows9srv-64');
  });

  test('a damaged NTFS is a warning, and inspect still answers from the partitions', async () => {
    const img = disk('damaged', { productName: 'Windows 10 Pro', installationType: 'Client', build: 19045 });
    const raw = readFileSync(img);
    // The NTFS partition starts after the 1 MiB gap and the 40 MiB ESP; wipe its MFT's first records.
    const ntfsStart = NTFS_START;
    const mftLcn = Number(raw.readBigUInt64LE(ntfsStart + 0x30));
    const cluster = raw.readUInt16LE(ntfsStart + 11) * raw[ntfsStart + 13]!;
    raw.fill(0x41, ntfsStart + mftLcn * cluster, ntfsStart + mftLcn * cluster + 16 * 1024);
    writeFileSync(img, raw);
    const info = await inspectJson(img);
    assert.equal(info.guest?.guestOS, 'windows9-64');
    assert.equal(info.guest?.os, undefined);
    assert.ok(info.warnings.some((w) => /The NTFS file system on partition 2 could not be read/.test(w)), info.warnings.join('\n'));
  });
});
