// A controller named by a machine configuration (Hyper-V, Virtual PC, VMware) is mapped to a VMware
// controller the guest can drive; an explicit --controller wins over both; the rule is said.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { DriverAvailability, MachineInfo } from '../../shared/disk-info';
import { english, type EngineGuestGuess, type EngineMachineInfo } from '../../worker/engine/notices';
import { words } from '../support/notices';
import { planHardware } from '../../worker/engine/machine/hardware';
import { machineDefaults, namedControllerOf, type NamedController } from '../../worker/engine/machines/machine-source';
import { hyperVXml } from '../machines/fixtures';
import { ferry } from '../support/cli';
import { makeGptDisk, makeInitramfs, run, tempDir } from './helpers';

const linux = (drivers?: Record<string, DriverAvailability>): EngineGuestGuess => ({
  guestOS: 'rhel9-64',
  family: 'Linux',
  firmware: 'efi',
  evidence: [],
  os: { name: 'Red Hat Enterprise Linux', version: '9.4', ...(drivers ? { drivers } : {}) },
});
const windows = (build: number | undefined, firmware: 'bios' | 'efi'): EngineGuestGuess => ({
  guestOS: 'windows9-64',
  family: 'Windows',
  firmware,
  evidence: [],
  ...(build !== undefined ? { os: { name: 'Windows', build } } : {}),
});
const hyperV = (bus: 'scsi' | 'ide'): NamedController => ({ bus, product: 'Hyper-V', what: bus.toUpperCase() });
const vmx = (vmware: NamedController['vmware'] & string): NamedController => ({ bus: 'scsi', vmware, product: 'VMware', what: `scsi0 (${vmware})` });

function plan(guess: EngineGuestGuess, named: NamedController | undefined, req: Parameters<typeof planHardware>[0] = {}) {
  const p = planHardware(req, guess, 'hosted', named);
  return { hardware: p.hardware, controllerRule: english(p.controllerRule), warnings: words(p.warnings) };
}

describe('a controller named by a machine configuration', () => {
  test('Hyper-V SCSI on Linux with vmw_pvscsi in the initramfs: PVSCSI, by the guest\'s drivers', () => {
    const p = plan(linux({ vmw_pvscsi: 'initramfs', ahci: 'initramfs', ata_piix: 'missing' }), hyperV('scsi'));
    assert.equal(p.hardware.controller, 'pvscsi');
    assert.match(p.controllerRule, /Hyper-V configuration puts the boot disk on SCSI, which VMware does not have; for a Linux guest, pvscsi by the guest's boot drivers$/);
    assert.ok(p.warnings.some((w) => w.startsWith('Controller: the Hyper-V configuration')), p.warnings.join('\n'));
  });

  test('Hyper-V SCSI on Linux built for Hyper-V only: SATA when ahci is there, IDE when only ata_piix is', () => {
    assert.equal(plan(linux({ vmw_pvscsi: 'missing', ahci: 'initramfs', ata_piix: 'missing' }), hyperV('scsi')).hardware.controller, 'sata');
    assert.equal(plan(linux({ vmw_pvscsi: 'missing', ahci: 'missing', ata_piix: 'builtin' }), hyperV('scsi')).hardware.controller, 'ide');
  });

  test('Hyper-V SCSI on Linux whose drivers are not known: the choice by family, and the rule says why', () => {
    const p = plan(linux({ vmw_pvscsi: 'unknown', ahci: 'unknown', ata_piix: 'unknown' }), hyperV('scsi'));
    assert.equal(p.hardware.controller, 'pvscsi');
    assert.match(p.controllerRule, /boot drivers are not known, so pvscsi by the guest's family/);
  });

  test('Hyper-V SCSI (Generation 2) on Windows 11: SATA, whose storahci is inbox, made a boot driver by the repair', () => {
    const p = plan(windows(22631, 'efi'), hyperV('scsi'));
    assert.equal(p.hardware.controller, 'sata');
    assert.match(p.controllerRule, /storahci is inbox in Windows 8.*boot repair makes it a boot driver/);
    assert.ok(p.warnings.some((w) => /Windows guest: the disk is on SATA \(AHCI\) as the machine configuration maps/.test(w)), p.warnings.join('\n'));
  });

  test('Virtual Server SCSI on Windows Server 2008 R2: LSI Logic SAS (lsi_sas is inbox since 2008); on XP: IDE', () => {
    const named: NamedController = { bus: 'scsi', product: 'Virtual PC', what: 'SCSI' };
    assert.equal(plan(windows(7601, 'bios'), named).hardware.controller, 'lsisas1068');
    assert.equal(plan(windows(2600, 'bios'), named).hardware.controller, 'ide');
  });

  test('Hyper-V IDE (Generation 1) on Windows stays IDE', () => {
    const p = plan(windows(17763, 'bios'), hyperV('ide'));
    assert.equal(p.hardware.controller, 'ide');
    assert.match(p.controllerRule, /whose driver the guest booted with: ide/);
  });

  test('a .vmx controller is kept where the guest can drive it, and replaced where the guest\'s kernel lost its driver', () => {
    assert.equal(plan(windows(19045, 'efi'), vmx('lsisas1068')).hardware.controller, 'lsisas1068');
    assert.equal(plan(linux(), vmx('pvscsi')).hardware.controller, 'pvscsi', 'drivers not read: the guest ran on it');
    const lost = plan(linux({ vmw_pvscsi: 'missing', ahci: 'initramfs', ata_piix: 'missing' }), vmx('pvscsi'));
    assert.equal(lost.hardware.controller, 'sata');
    assert.match(lost.controllerRule, /no vmw_pvscsi: sata by the guest's boot drivers/);
  });

  test('an explicit --controller wins over the configuration and the guest, and is still warned when the guest cannot drive it', () => {
    const p = plan(linux({ vmw_pvscsi: 'missing', ahci: 'initramfs', ata_piix: 'missing' }), hyperV('scsi'), { controller: 'pvscsi' });
    assert.equal(p.hardware.controller, 'pvscsi');
    assert.match(p.controllerRule, /pvscsi as asked \(--controller\), over the configuration and the guest's own/);
    assert.ok(p.warnings.some((w) => /no vmw_pvscsi/.test(w)));
  });

  test('without a configuration nothing changes: no controller line in the warnings', () => {
    const p = plan(linux({ vmw_pvscsi: 'missing', ahci: 'initramfs', ata_piix: 'missing' }), undefined);
    assert.equal(p.hardware.controller, 'sata');
    assert.ok(!p.warnings.some((w) => w.startsWith('Controller:')));
  });
});

describe('what a configuration names', () => {
  const machine = (kind: MachineInfo['kind'], disk: MachineInfo['disks'][number]): EngineMachineInfo => ({ kind, config: '/x', name: 'n', disks: [disk], snapshots: [], warnings: [] }) as unknown as EngineMachineInfo;

  test('Hyper-V names a bus, not a VMware controller; the defaults carry no controller, so it is never taken as asked', () => {
    const m = machine('hyperv-xml', { bus: 'scsi', controller: 0, unit: 0, path: 'C:\\os.vhdx' });
    assert.deepEqual(namedControllerOf(m), { bus: 'scsi', product: 'Hyper-V', what: 'SCSI' });
    assert.equal(machineDefaults(m).controller, undefined);
  });

  test('a .vmx names the VMware model', () => {
    const m = machine('vmx', { bus: 'scsi', controller: 0, unit: 0, path: 'a.vmdk', model: 'lsisas1068' });
    assert.deepEqual(namedControllerOf(m), { bus: 'scsi', vmware: 'lsisas1068', product: 'VMware', what: 'scsi0 (lsisas1068)' });
    assert.equal(machineDefaults(m).controller, undefined);
  });
});

describe('through ferry vm', () => {
  test('a Hyper-V Generation 2 export of RHEL 9 built for Hyper-V (zstd initramfs without vmw_pvscsi): SATA, not the SCSI it named, and the warning says which rule', async () => {
    const dir = tempDir('named');
    try {
      const kver = '5.14.0-427.13.1.el9_4.x86_64';
      const root = join(dir, 'root');
      mkdirSync(join(root, 'etc'), { recursive: true });
      mkdirSync(join(root, 'boot'));
      mkdirSync(join(root, 'usr/lib/modules', kver), { recursive: true });
      symlinkSync('usr/lib', join(root, 'lib'));
      writeFileSync(join(root, 'etc/os-release'), 'NAME="Red Hat Enterprise Linux"\nID="rhel"\nVERSION_ID="9.4"\n');
      writeFileSync(join(root, 'usr/lib/modules', kver, 'modules.builtin'), 'kernel/drivers/block/loop.ko\n');
      const mods = `usr/lib/modules/${kver}/kernel/drivers`;
      writeFileSync(join(root, 'boot', `initramfs-${kver}.img`), makeInitramfs(dir, { [`${mods}/scsi/hv_storvsc.ko.xz`]: 'x', [`${mods}/ata/ahci.ko.xz`]: 'y' }, 'zstd'));
      const fsImg = join(dir, 'root.img');
      run('truncate', ['-s', '24M', fsImg]);
      run('mkfs.ext4', ['-q', '-F', '-d', root, fsImg]);
      const vmDir = join(dir, 'RHEL');
      mkdirSync(join(vmDir, 'Virtual Machines'), { recursive: true });
      mkdirSync(join(vmDir, 'Virtual Hard Disks'));
      const raw = join(dir, 'disk.img');
      makeGptDisk(raw, [{ image: fsImg, code: '8304' }]);
      run('qemu-img', ['convert', '-O', 'vhdx', raw, join(vmDir, 'Virtual Hard Disks', 'os.vhdx')]);
      writeFileSync(join(vmDir, 'Virtual Machines', 'A1.xml'), hyperVXml({ name: 'RHEL', memoryMB: 2048, cpus: 2, generation: 2, disks: [{ bus: 'scsi', controller: 0, drive: 0, path: 'C:\\Hyper-V\\os.vhdx' }] }));
      const out = join(dir, 'out');
      mkdirSync(out);
      const r = await ferry(['vm', vmDir, out, '--json', '--no-verify']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const vmx = readFileSync(join(out, 'RHEL', 'RHEL.vmx'), 'utf8');
      assert.match(vmx, /^sata0:0\.fileName = /m);
      assert.doesNotMatch(vmx, /^scsi0\.present = "TRUE"/m);
      const result = r.json.find((e) => e.type === 'result') as { warnings: string[] } | undefined;
      assert.ok(result?.warnings.some((w) => /^Controller: the Hyper-V configuration puts the boot disk on SCSI, which VMware does not have; for a Linux guest, sata by the guest's boot drivers/.test(w)), JSON.stringify(result?.warnings));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
