// Boot repair in `ferry vm` and `ferry ova`: the output disk (read back with qemu-img, ntfscat and
// hivexget) differs from the source exactly in the patched bytes, which make the controller's
// driver a boot driver; --no-guest-repair and a refusal copy the disk unchanged and keep the 0x7B advice.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DiskInfo } from '../../shared/disk-info';
import type { JobResult } from '../../shared/jobs';
import { ferry, lastEvent } from '../support/cli';
import { canMountNtfs, run, tempDir } from './helpers';
import { SYS, windowsDisk } from './windows-disk';

let dir: string;
before(() => {
  dir = tempDir('repair-job');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const CS = `${SYS}\\ControlSet001\\Services`;

function systemValue(raw: Buffer, key: string, value: string): string {
  const table = join(dir, 'table.img');
  writeFileSync(table, raw);
  const sf = JSON.parse(run('sfdisk', ['--json', table]).toString()) as { partitiontable: { partitions: Array<{ start: number; size: number }> } };
  const p = sf.partitiontable.partitions[1]!;
  const ntfs = join(dir, 'part.ntfs');
  writeFileSync(ntfs, raw.subarray(p.start * 512, (p.start + p.size) * 512));
  const hive = join(dir, 'SYSTEM.out');
  writeFileSync(hive, run('ntfscat', [ntfs, 'Windows/System32/config/SYSTEM']));
  return run('hivexget', [hive, key, value]).toString().trim();
}

function vmdkToRaw(vmdk: string): Buffer {
  const raw = join(dir, 'out.raw');
  run('qemu-img', ['convert', '-O', 'raw', vmdk, raw]);
  return readFileSync(raw);
}

describe('boot repair in ferry vm / ova', { skip: canMountNtfs() ? false : 'needs root and FUSE for ntfs-3g' }, () => {
  let disk: string;
  before(() => {
    disk = windowsDisk(dir, 'win', { productName: 'Windows 10 Pro', installationType: 'Client', build: 19045, system: `[${CS}\\storahci]\n"Start"=dword:00000003\n\n[${CS}\\storahci\\StartOverride]\n"0"=dword:00000003` });
  });

  test('ferry vm patches only the output, exactly in the bytes it lists', async () => {
    const dest = join(dir, 'vm1');
    mkdirSync(dest);
    const r = await ferry(['vm', disk, dest, '--name', 'w', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = lastEvent(r) as unknown as JobResult;
    const changes = result.vm?.guestChanges ?? [];
    assert.deepEqual(changes.map((c) => c.what), ['ControlSet001\\Services\\storahci\\Start: 3 → 0', 'ControlSet001\\Services\\storahci\\StartOverride\\0: 3 → 0']);
    assert.equal(result.vm?.controller, 'sata');
    assert.ok(result.warnings.some((w) => /^Boot repair: /.test(w)));
    assert.ok(!result.warnings.some((w) => /INACCESSIBLE_BOOT_DEVICE/.test(w)), 'the 0x7B advice gives way to the repair');
    const src = readFileSync(disk);
    const out = vmdkToRaw(join(dest, 'w', 'w.vmdk'));
    assert.equal(out.length, src.length);
    const inChange = (i: number) => changes.some((c) => i >= c.offset && i < c.offset + c.length);
    let differing = 0;
    for (let i = 0; i < src.length; i++) {
      if (src[i] !== out[i]) {
        assert.ok(inChange(i), `byte ${i} differs outside the listed changes`);
        differing++;
      }
    }
    assert.ok(differing > 0);
    for (const c of changes) assert.ok(out.subarray(c.offset, c.offset + c.length).equals(Buffer.alloc(c.length)));
    assert.equal(systemValue(out, 'ControlSet001\\Services\\storahci', 'Start'), '0');
    assert.equal(systemValue(out, 'ControlSet001\\Services\\storahci\\StartOverride', '0'), '0');
    assert.equal(systemValue(src, 'ControlSet001\\Services\\storahci', 'Start'), '3', 'the source is unchanged');
    const text = await ferry(['vm', disk, dest, '--name', 'w2']);
    assert.match(text.stdout, /guest\s+ControlSet001\\Services\\storahci\\Start: 3 → 0 \(disk bytes \d+–\d+\)/);
  });

  test('Recovery partition first, then the ESP and an MSR: the guest is read and patched on the Windows partition', async () => {
    const odd = windowsDisk(dir, 'recovery-first', { productName: 'Windows 10 Pro', installationType: 'Client', build: 22631, recoveryFirst: true, system: `[${CS}\\storahci]\n"Start"=dword:00000003` });
    const info = JSON.parse((await ferry(['inspect', odd, '--json'])).stdout) as DiskInfo;
    assert.equal(info.guest?.guestOS, 'windows11-64');
    assert.ok(info.guest?.evidence.some((e) => /NTFS on partition 4 holds \\Windows/.test(e)), info.guest?.evidence.join('\n'));
    const dest = join(dir, 'vm-recovery');
    mkdirSync(dest);
    const r = await ferry(['vm', odd, dest, '--name', 'r', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = lastEvent(r) as unknown as JobResult;
    assert.deepEqual(result.vm?.guestChanges?.map((c) => c.what), ['ControlSet001\\Services\\storahci\\Start: 3 → 0']);
    const windows = info.partitions!.partitions.find((p) => p.index === 4)!;
    for (const c of result.vm!.guestChanges!) assert.ok(c.offset >= windows.startBytes && c.offset + c.length <= windows.startBytes + windows.sizeBytes, 'inside the Windows partition');
    assert.equal(result.verified, true);
  });

  test('a flat disk copied by the kernel gets the patch right after the copy, and verifies', async () => {
    const dest = join(dir, 'vm-flat');
    mkdirSync(dest);
    const r = await ferry(['vm', disk, dest, '--name', 'w', '--subformat', 'monolithicFlat', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = lastEvent(r) as unknown as JobResult;
    assert.equal(result.verified, true);
    const changes = result.vm?.guestChanges ?? [];
    assert.equal(changes.length, 2);
    const src = readFileSync(disk);
    const out = readFileSync(join(dest, 'w', 'w-flat.vmdk'));
    assert.equal(out.length, src.length);
    for (let i = 0; i < src.length; i++) if (src[i] !== out[i]) assert.ok(changes.some((c) => i >= c.offset && i < c.offset + c.length), `byte ${i} differs outside the listed changes`);
    assert.equal(systemValue(out, 'ControlSet001\\Services\\storahci', 'Start'), '0');
    assert.equal(systemValue(src, 'ControlSet001\\Services\\storahci', 'Start'), '3', 'the source is unchanged');
  });

  test('--no-guest-repair copies the disk unchanged and keeps the 0x7B advice', async () => {
    const dest = join(dir, 'vm2');
    mkdirSync(dest);
    const r = await ferry(['vm', disk, dest, '--name', 'w', '--no-guest-repair', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = lastEvent(r) as unknown as JobResult;
    assert.equal(result.vm?.guestChanges, undefined);
    assert.ok(result.warnings.some((w) => /INACCESSIBLE_BOOT_DEVICE/.test(w)));
    assert.ok(vmdkToRaw(join(dest, 'w', 'w.vmdk')).equals(readFileSync(disk)));
  });

  test('a refused repair says why and copies the disk unchanged', async () => {
    const dest = join(dir, 'vm3');
    mkdirSync(dest);
    const r = await ferry(['vm', disk, dest, '--name', 'w', '--controller', 'pvscsi', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = lastEvent(r) as unknown as JobResult;
    assert.ok(result.warnings.some((w) => /^Boot repair skipped: Windows has no driver for this controller \(pvscsi/.test(w)), result.warnings.join('\n'));
    assert.ok(vmdkToRaw(join(dest, 'w', 'w.vmdk')).equals(readFileSync(disk)));
  });

  test('ferry ova patches its disk the same way', async () => {
    const ova = join(dir, 'w.ova');
    const r = await ferry(['ova', disk, ova, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = lastEvent(r) as unknown as JobResult;
    assert.equal(result.vm?.guestChanges?.length, 2);
  });
});
