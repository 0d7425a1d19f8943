// Linux guests read from their own files: os-release (through its usual symlink), the kernel's
// modules.builtin, and initramfs images made with cpio and each compressor — then the controller
// and warnings `ferry vm` plans from them.
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { GuestGuess } from '../../shared/disk-info';
import { readInitramfs } from '../../worker/engine/guest/linux/initramfs';
import { linuxGuestId, parseOsRelease } from '../../worker/engine/guest/linux/os-release';
import { bufferBytes } from '../../worker/engine/guest/registry/regf';
import { inspectDisk } from '../../worker/engine/inspect/inspect';
import { planHardware } from '../../worker/engine/machine/hardware';
import { makeGptDisk, makeInitramfs, run, tempDir, type InitramfsCompression } from './helpers';
import { engineGuest, words } from '../support/notices';
import { english } from '../../worker/engine/notices';

let dir: string;
before(() => {
  dir = tempDir('linux');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const KVER = '5.14.0-427.13.1.el9_4.x86_64';
const mod = (name: string, ext = '.ko.xz') => `usr/lib/modules/${KVER}/kernel/drivers/${name}${ext}`;

describe('initramfs', () => {
  for (const c of ['none', 'gzip', 'xz', 'zstd', 'lz4', 'bzip2'] as const satisfies readonly InitramfsCompression[]) {
    test(`finds the modules in an early cpio + ${c} image`, async () => {
      const img = makeInitramfs(dir, { [mod('scsi/vmw_pvscsi')]: 'x', [mod('ata/ahci', '.ko')]: 'y', 'usr/lib/modules/x/modules.builtin': 'kernel/drivers/ata/ata_piix.ko\n', 'init': '#!/bin/sh\n' }, c);
      const got = await readInitramfs(bufferBytes(img));
      assert.equal(got.incomplete, undefined);
      assert.deepEqual(got.layers, c === 'none' ? ['cpio', 'cpio'] : ['cpio', c, 'cpio']);
      assert.deepEqual([...got.modules].sort(), ['ahci', 'vmw_pvscsi']);
      assert.deepEqual([...got.builtin], ['ata_piix']);
    });
  }

  test('a damaged image ends the scan with a reason, never a throw', async () => {
    const img = makeInitramfs(dir, { [mod('scsi/vmw_pvscsi')]: 'x'.repeat(100_000) }, 'gzip');
    for (const at of [10, 200, 3300, img.length - 30, Math.floor(img.length / 2)]) {
      const bad = Buffer.from(img);
      bad[at] = bad[at]! ^ 0x5a;
      const got = await readInitramfs(bufferBytes(bad));
      assert.ok(got.incomplete !== undefined || got.modules.has('vmw_pvscsi'), `byte ${at}`);
    }
    const cut = await readInitramfs(bufferBytes(img.subarray(0, img.length - 100)));
    assert.ok(cut.incomplete !== undefined || cut.modules.size === 1);
  });
});

describe('os-release', () => {
  const cases: Array<[string, string]> = [
    ['ID=rhel\nVERSION_ID="8.10"', 'rhel8-64'],
    ['ID="rhel"\nVERSION_ID="9.4"', 'rhel9-64'],
    ['ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"', 'rhel9-64'],
    ['ID="almalinux"\nVERSION_ID="8.9"', 'rhel8-64'],
    ['ID="centos"\nVERSION_ID="7"', 'centos7-64'],
    ['ID=ubuntu\nVERSION_ID="24.04"', 'ubuntu-64'],
    ['ID=linuxmint\nID_LIKE="ubuntu debian"', 'ubuntu-64'],
    ['ID=debian\nVERSION_ID="12"', 'debian12-64'],
    ['ID=debian\nVERSION_ID="11"', 'debian11-64'],
    ['ID="sles"\nVERSION_ID="15.5"', 'sles15-64'],
    ['ID=fedora\nVERSION_ID=40', 'fedora-64'],
    ['ID=arch', 'other5xlinux-64'],
  ];
  for (const [text, id] of cases) test(`${text.split('\n').join(' ')} → ${id}`, () => assert.equal(linuxGuestId(parseOsRelease(text)).guestOS, id));
  test('a 6.x kernel of an unknown distribution gets the 6.x generic id', () => assert.equal(linuxGuestId(parseOsRelease('ID=arch'), 6).guestOS, 'other6xlinux-64'));
});

/** A GPT disk with an ext4 root (and optionally a separate ext4 /boot) laid out like the distribution's. */
function linuxDisk(name: string, o: { osRelease: string; initramfs?: Buffer; initramfsName?: string; builtin?: string; separateBoot?: boolean }): string {
  const root = join(dir, `${name}-root`);
  const boot = o.separateBoot ? join(dir, `${name}-boot`) : join(root, 'boot');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'usr/lib/modules', KVER), { recursive: true });
  mkdirSync(boot, { recursive: true });
  symlinkSync('usr/lib', join(root, 'lib'));
  writeFileSync(join(root, 'usr/lib/os-release'), o.osRelease);
  symlinkSync('../usr/lib/os-release', join(root, 'etc/os-release'));
  writeFileSync(join(root, 'usr/lib/modules', KVER, 'modules.builtin'), o.builtin ?? 'kernel/drivers/block/loop.ko\n');
  writeFileSync(join(boot, `vmlinuz-${KVER}`), 'kernel');
  if (o.initramfs) writeFileSync(join(boot, o.initramfsName ?? `initramfs-${KVER}.img`), o.initramfs);
  const parts: Array<{ image: string; code: string }> = [];
  if (o.separateBoot) {
    const bootImg = join(dir, `${name}-boot.img`);
    run('truncate', ['-s', '16M', bootImg]);
    run('mkfs.ext4', ['-q', '-F', '-d', boot, bootImg]);
    parts.push({ image: bootImg, code: '8300' });
  }
  const rootImg = join(dir, `${name}-root.img`);
  run('truncate', ['-s', '24M', rootImg]);
  run('mkfs.ext4', ['-q', '-F', '-d', root, rootImg]);
  parts.push({ image: rootImg, code: '8304' });
  const disk = join(dir, `${name}.img`);
  makeGptDisk(disk, parts);
  return disk;
}

const RHEL9 = 'NAME="Red Hat Enterprise Linux"\nVERSION="9.4 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\n';

async function guessOf(disk: string): Promise<{ guest: GuestGuess; warnings: string[] }> {
  const info = await inspectDisk(disk);
  return { guest: info.guest!, warnings: info.warnings };
}

describe('Linux disks', () => {
  test('RHEL 9 with vmw_pvscsi in its initramfs: rhel9-64 on PVSCSI, no driver warning', async () => {
    const disk = linuxDisk('rhel-pvscsi', { osRelease: RHEL9, initramfs: makeInitramfs(dir, { [mod('scsi/vmw_pvscsi')]: 'x', [mod('ata/ahci')]: 'y' }, 'xz') });
    const { guest } = await guessOf(disk);
    assert.equal(guest.guestOS, 'rhel9-64');
    assert.deepEqual(guest.os, { name: 'Red Hat Enterprise Linux', version: '9.4', drivers: { vmw_pvscsi: 'initramfs', ahci: 'initramfs', ata_piix: 'missing' } });
    assert.ok(guest.evidence.some((e) => /\/etc\/os-release: Red Hat Enterprise Linux 9.4/.test(e)));
    const plan = planHardware({}, engineGuest(guest));
    assert.equal(plan.hardware.controller, 'pvscsi');
    assert.equal(plan.hardware.guestOS, 'rhel9-64');
    assert.ok(!words(plan.warnings).some((w) => /vmw_pvscsi/.test(w)), words(plan.warnings).join('\n'));
  });

  test('RHEL 9 built for Hyper-V (no vmw_pvscsi): SATA, and --controller pvscsi is warned with the fix', async () => {
    const disk = linuxDisk('rhel-hyperv', { osRelease: RHEL9, separateBoot: true, initramfs: makeInitramfs(dir, { [mod('scsi/hv_storvsc')]: 'x', [mod('ata/ahci')]: 'y' }, 'gzip') });
    const { guest } = await guessOf(disk);
    assert.equal(guest.os?.drivers?.vmw_pvscsi, 'missing');
    assert.equal(planHardware({}, engineGuest(guest)).hardware.controller, 'sata');
    const forced = planHardware({ controller: 'pvscsi' }, engineGuest(guest));
    assert.equal(forced.hardware.controller, 'pvscsi');
    const w = words(forced.warnings).find((x) => /no vmw_pvscsi/.test(x));
    assert.ok(w, words(forced.warnings).join('\n'));
    assert.match(w, /dracut --force --add-drivers vmw_pvscsi/);
    assert.match(w, /update-initramfs -u/);
  });

  test('vmw_pvscsi built into the kernel counts as available', async () => {
    const disk = linuxDisk('builtin', { osRelease: 'ID=debian\nVERSION_ID="12"\nNAME="Debian GNU/Linux"\n', builtin: 'kernel/drivers/scsi/vmw_pvscsi.ko\n', initramfsName: `initrd.img-${KVER}`, initramfs: makeInitramfs(dir, { init: 'x' }, 'gzip') });
    const { guest } = await guessOf(disk);
    assert.equal(guest.guestOS, 'debian12-64');
    assert.equal(guest.os?.drivers?.vmw_pvscsi, 'builtin');
    assert.equal(planHardware({}, engineGuest(guest)).hardware.controller, 'pvscsi');
    assert.equal(planHardware({ hwVersion: 19 }, engineGuest(guest)).hardware.guestOS, 'debian11-64', 'debian12-64 needs a newer hardware version');
  });

  test('Ubuntu with a zstd initramfs (mkinitramfs\'s default): ubuntu-64 on PVSCSI, the drivers read through zstd', async () => {
    const disk = linuxDisk('ubuntu', { osRelease: 'NAME="Ubuntu"\nID=ubuntu\nVERSION_ID="24.04"\nPRETTY_NAME="Ubuntu 24.04 LTS"\n', initramfsName: `initrd.img-${KVER}`, initramfs: makeInitramfs(dir, { [mod('scsi/vmw_pvscsi')]: 'x' }, 'zstd') });
    const { guest } = await guessOf(disk);
    assert.equal(guest.guestOS, 'ubuntu-64');
    assert.equal(guest.os?.drivers?.vmw_pvscsi, 'initramfs');
    assert.ok(guest.evidence.some((e) => /cpio \+ zstd \+ cpio/.test(e)), guest.evidence.join('\n'));
    assert.equal(planHardware({}, engineGuest(guest)).hardware.controller, 'pvscsi');
  });

  test('RHEL 9 with a zstd initramfs (dracut\'s default) holding vmw_pvscsi: PVSCSI, no driver warning', async () => {
    const initramfs = makeInitramfs(dir, { [mod('scsi/vmw_pvscsi')]: 'x', [mod('ata/ahci')]: 'y', [mod('scsi/hv_storvsc')]: 'z' }, 'zstd');
    const { guest } = await guessOf(linuxDisk('rhel-zstd-pvscsi', { osRelease: RHEL9, initramfs }));
    assert.deepEqual(guest.os?.drivers, { vmw_pvscsi: 'initramfs', ahci: 'initramfs', ata_piix: 'missing' });
    const plan = planHardware({}, engineGuest(guest));
    assert.equal(plan.hardware.controller, 'pvscsi');
    assert.ok(!words(plan.warnings).some((w) => /vmw_pvscsi/.test(w)), words(plan.warnings).join('\n'));
  });

  test('RHEL 9 with a zstd initramfs built for Hyper-V (no vmw_pvscsi): SATA, and --controller pvscsi is warned', async () => {
    const initramfs = makeInitramfs(dir, { [mod('scsi/hv_storvsc')]: 'x', [mod('ata/ahci')]: 'y' }, 'zstd');
    const { guest } = await guessOf(linuxDisk('rhel-zstd-hyperv', { osRelease: RHEL9, initramfs }));
    assert.equal(guest.os?.drivers?.vmw_pvscsi, 'missing');
    assert.equal(planHardware({}, engineGuest(guest)).hardware.controller, 'sata');
    const forced = planHardware({ controller: 'pvscsi' }, engineGuest(guest));
    assert.ok(words(forced.warnings).some((w) => /no vmw_pvscsi.*dracut --force --add-drivers vmw_pvscsi/.test(w)), words(forced.warnings).join('\n'));
  });

  test('Arch: an initramfs named without the kernel version (mkinitcpio\'s initramfs-linux.img) is read too', async () => {
    const disk = linuxDisk('arch', { osRelease: 'NAME="Arch Linux"\nID=arch\n', initramfsName: 'initramfs-linux.img', initramfs: makeInitramfs(dir, { [mod('scsi/vmw_pvscsi')]: 'x' }, 'zstd') });
    const { guest } = await guessOf(disk);
    assert.equal(guest.os?.drivers?.vmw_pvscsi, 'initramfs');
    assert.ok(guest.evidence.some((e) => /initramfs \/boot\/initramfs-linux.img: cpio \+ zstd \+ cpio/.test(e)), guest.evidence.join('\n'));
  });

  test('LVM on GPT (Ubuntu\'s and RHEL\'s default): a separate ext4 /boot, the root in an LVM physical volume, reported as not read', async () => {
    const boot = join(dir, 'lvm-boot');
    mkdirSync(boot, { recursive: true });
    writeFileSync(join(boot, `vmlinuz-${KVER}`), 'kernel');
    writeFileSync(join(boot, `initrd.img-${KVER}`), makeInitramfs(dir, { [mod('scsi/vmw_pvscsi')]: 'x' }, 'zstd'));
    const bootImg = join(dir, 'lvm-boot.img');
    run('truncate', ['-s', '16M', bootImg]);
    run('mkfs.ext4', ['-q', '-F', '-d', boot, bootImg]);
    const pv = join(dir, 'lvm-pv.img');
    run('truncate', ['-s', '8M', pv]);
    const label = Buffer.alloc(32);
    label.write('LABELONE', 0, 'latin1');
    label.write('LVM2 001', 24, 'latin1');
    const fd = openSync(pv, 'r+');
    writeSync(fd, label, 0, label.length, 512);
    closeSync(fd);
    const disk = join(dir, 'lvm.img');
    makeGptDisk(disk, [{ image: bootImg, code: '8300' }, { image: pv, code: '8e00' }]);
    const { guest } = await guessOf(disk);
    assert.equal(guest.family, 'Linux');
    assert.equal(guest.os, undefined);
    assert.ok(guest.evidence.some((e) => /LVM2 PV on partition 2 is recognised, but Ferry does not read its files/.test(e)), guest.evidence.join('\n'));
    assert.equal(planHardware({}, engineGuest(guest)).hardware.controller, 'pvscsi', 'the choice by family');
  });

  test('an ext4 file system across the whole disk (no partition table) is read too', async () => {
    const root = join(dir, 'whole-root');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/os-release'), 'NAME="SLES"\nID="sles"\nVERSION_ID="15.6"\n');
    const img = join(dir, 'whole.img');
    run('truncate', ['-s', '16M', img]);
    run('mkfs.ext4', ['-q', '-F', '-d', root, img]);
    const { guest } = await guessOf(img);
    assert.equal(guest.guestOS, 'sles15-64');
    assert.deepEqual(guest.os, { name: 'SLES', version: '15.6' });
    assert.ok(guest.evidence.some((e) => /ext4 on the whole disk is the root file system/.test(e)), guest.evidence.join('\n'));
    assert.ok(guest.evidence.some((e) => /no kernel under \/lib\/modules/.test(e)));
  });

  test('a root file system that is not readable leaves the layout guess and says so', async () => {
    const xfs = join(dir, 'root.xfs');
    run('truncate', ['-s', `${300}M`, xfs]);
    run('mkfs.xfs', ['-q', '-f', xfs]);
    const disk = join(dir, 'xfs.img');
    makeGptDisk(disk, [{ image: xfs, code: '8304' }]);
    const { guest } = await guessOf(disk);
    assert.equal(guest.guestOS, 'other5xlinux-64');
    assert.equal(guest.os, undefined);
    assert.ok(guest.evidence.some((e) => /xfs on partition 1 is recognised, but Ferry does not read its files/.test(e)), guest.evidence.join('\n'));
  });
});
