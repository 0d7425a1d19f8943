import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { VmRequest } from '../../shared/jobs';
import { CONTROLLERS } from '../../shared/options';
import { FerryError } from '../../worker/engine/errors';
import { DEFAULT_HW_VERSION, guestKind, planHardware } from '../../worker/engine/machine/hardware';
import { MAX_STEM_CHARS, defaultVmName, displayNameOf, safeFileStem } from '../../shared/vm-names';
import { diskSlot, vmxEntries } from '../../worker/engine/vm/vmx-config';
import { escapeVmxValue, parseVmx, renderVmx, unescapeVmxValue } from '../../worker/engine/vm/vmx';
import { words } from '../support/notices';
import { notice, type EngineGuestGuess } from '../../worker/engine/notices';

const request = (over: Partial<VmRequest> = {}): VmRequest => ({
  kind: 'vm',
  source: '/x/disk.vhd',
  destDir: '/x',
  subformat: 'monolithicSparse',
  zeroCopy: false,
  verify: true,
  overwrite: false,
  ...over,
});
const guess = (over: Partial<EngineGuestGuess> = {}): EngineGuestGuess => ({ guestOS: 'other-64', family: 'Unknown', firmware: 'bios', evidence: [], ...over });

describe('.vmx values', () => {
  test('quotes, the escape character and control characters become |XX', () => {
    assert.equal(escapeVmxValue('My "VM" | test'), 'My |22VM|22 |7C test');
    assert.equal(escapeVmxValue('a\nb\tc'), 'a|0Ab|09c');
    assert.equal(escapeVmxValue('Ünïcode ✓'), 'Ünïcode ✓');
    for (const s of ['My "VM" | x', 'line\nbreak', '|22 literally', 'plain']) assert.equal(unescapeVmxValue(escapeVmxValue(s)), s);
  });

  test('render puts one key = "value" per line and parse reads it back', () => {
    const text = renderVmx([
      ['.encoding', 'UTF-8'],
      ['displayName', 'A "quoted" name'],
      ['scsi0:0.fileName', 'disk.vmdk'],
    ]);
    assert.equal(text, '.encoding = "UTF-8"\ndisplayName = "A |22quoted|22 name"\nscsi0:0.fileName = "disk.vmdk"\n');
    const parsed = parseVmx(text);
    assert.ok(parsed instanceof Map);
    assert.equal(parsed.get('displayname'), 'A "quoted" name');
    assert.equal(parsed.get('scsi0:0.filename'), 'disk.vmdk');
  });

  test('render refuses keys that would break the file; parse rejects malformed lines', () => {
    assert.throws(() => renderVmx([['bad key', 'x']]));
    assert.throws(() => renderVmx([['a\nb', 'x']]));
    assert.match(String(parseVmx('a = "1"\nb = 2\n')), /line 2/);
    assert.match(String(parseVmx('a = "1"\nA = "2"\n')), /twice/);
  });
});

describe('file names', () => {
  test('path separators, reserved characters and control characters are replaced', () => {
    assert.equal(safeFileStem('a/b\\c:d*e?f"g<h>i|j'), 'a_b_c_d_e_f_g_h_i_j');
    assert.equal(safeFileStem('tab\there\u0001x'), 'tab_here_x');
    assert.equal(safeFileStem('../../etc/passwd'), 'etc_passwd');
  });

  test('leading dots, trailing dots and spaces go; empty names get a fallback', () => {
    assert.equal(safeFileStem('  .hidden. . '), 'hidden');
    assert.equal(safeFileStem('...'), 'vm');
    assert.equal(safeFileStem(''), 'vm');
    assert.equal(safeFileStem('///'), 'vm');
  });

  test('Windows device names are changed, with or without an extension', () => {
    assert.equal(safeFileStem('CON'), 'CON_');
    assert.equal(safeFileStem('nul.disk'), 'nul_.disk');
    assert.equal(safeFileStem('com1'), 'com1_');
    assert.equal(safeFileStem('console'), 'console');
  });

  test('names are capped without splitting characters', () => {
    const long = '😀'.repeat(100);
    const stem = safeFileStem(long);
    assert.equal(Array.from(stem).length, MAX_STEM_CHARS);
    assert.ok(!stem.includes('\ufffd'));
    assert.equal(safeFileStem(`${'a'.repeat(MAX_STEM_CHARS - 1)}. tail`), 'a'.repeat(MAX_STEM_CHARS - 1));
  });

  test('the default name is the source file name without its extension', () => {
    assert.equal(defaultVmName('/disks/Server 2019.vhd'), 'Server 2019');
    assert.equal(defaultVmName('/disks/noext'), 'noext');
    assert.equal(defaultVmName('/disks/.vhd'), '.vhd');
    assert.equal(displayNameOf('  My\nVM  '), 'My VM');
  });
});

describe('hardware choices', () => {
  test('guest kinds from guestOS ids', () => {
    assert.equal(guestKind('windows9-64'), 'windows');
    assert.equal(guestKind('windows2019srvnext-64'), 'windows');
    assert.equal(guestKind('winxppro'), 'windows');
    assert.equal(guestKind('ubuntu-64'), 'linux');
    assert.equal(guestKind('other5xlinux-64'), 'linux');
    assert.equal(guestKind('coreos-64'), 'linux');
    assert.equal(guestKind('freebsd-64'), 'other');
    assert.equal(guestKind('other-64'), 'other');
  });

  test('defaults follow the guest: Windows BIOS → IDE/e1000, Windows UEFI → SATA/e1000e, Linux → PVSCSI/vmxnet3', () => {
    const winBios = planHardware(request(), guess({ guestOS: 'windows9-64', family: 'Windows' })).hardware;
    assert.deepEqual([winBios.controller, winBios.nic, winBios.memoryMB, winBios.cpus, winBios.firmware], ['ide', 'e1000', 4096, 2, 'bios']);
    const winEfi = planHardware(request(), guess({ guestOS: 'windows9-64', firmware: 'efi' })).hardware;
    assert.deepEqual([winEfi.controller, winEfi.nic, winEfi.firmware], ['sata', 'e1000e', 'efi']);
    const linux = planHardware(request(), guess({ guestOS: 'other5xlinux-64' })).hardware;
    assert.deepEqual([linux.controller, linux.nic, linux.memoryMB, linux.cpus], ['pvscsi', 'vmxnet3', 2048, 2]);
    const other = planHardware(request(), guess()).hardware;
    assert.deepEqual([other.controller, other.nic, other.hwVersion], ['ide', 'e1000', DEFAULT_HW_VERSION]);
  });

  test('overrides win, and the guest override changes the defaults that follow from it', () => {
    const hw = planHardware(request({ guest: 'ubuntu-64', firmware: 'efi', controller: 'nvme', memoryMB: 8192, cpus: 4, hwVersion: 20 }), guess()).hardware;
    assert.deepEqual([hw.guestOS, hw.firmware, hw.controller, hw.nic, hw.memoryMB, hw.cpus, hw.hwVersion], ['ubuntu-64', 'efi', 'nvme', 'vmxnet3', 8192, 4, 20]);
  });

  test('impossible requests are usage errors that say what to do', () => {
    const usage = (req: VmRequest, re: RegExp) =>
      assert.throws(
        () => planHardware(req, guess()),
        (e: unknown) => e instanceof FerryError && e.code === 'E_USAGE' && re.test(e.message) && e.hint !== undefined,
      );
    usage(request({ controller: 'nvme', hwVersion: 11 }), /needs hardware version 13/);
    usage(request({ controller: 'sata', hwVersion: 9 }), /needs hardware version 10/);
    usage(request({ memoryMB: 1023 }), /multiple of 4/);
    usage(request({ guest: 'bad"id' }), /guestOS id/);
    usage(request({ hwVersion: 5 }), /no virtual hardware version 5/);
  });

  test('hardware versions a hosted product may not know are warned about, in a VM folder only where they apply', () => {
    const future = planHardware(request({ hwVersion: 30 }), guess());
    assert.ok(words(future.warnings).some((w) => /newer than any VMware product/.test(w)));
    const esxiOnly = (host: 'hosted' | 'esxi') => words(planHardware(request({ hwVersion: 13 }), guess(), host).warnings).some((w) => /only on ESXi/.test(w));
    assert.equal(esxiOnly('hosted'), true);
    assert.equal(esxiOnly('esxi'), false);
    assert.ok(!words(planHardware(request({ hwVersion: 21 }), guess()).warnings).some((w) => /Hardware version/.test(w)));
  });

  test('warnings: Windows controller note, NVMe under BIOS, firmware against the layout', () => {
    const win = planHardware(request(), guess({ guestOS: 'windows9-64' }));
    assert.ok(words(win.warnings).some((w) => /Windows guest/.test(w) && /INACCESSIBLE_BOOT_DEVICE/.test(w)));
    const nvme = planHardware(request({ controller: 'nvme' }), guess());
    assert.ok(words(nvme.warnings).some((w) => /NVMe/.test(w) && /UEFI/.test(w)));
    const fw = planHardware(request({ firmware: 'efi' }), guess({ evidence: [notice('firmware-mbr'), notice('oem-set-up', { index: 5, id: 'xen' })] }));
    assert.ok(words(fw.warnings).some((w) => /Firmware set to EFI/.test(w) && /MBR partition table/.test(w)));
  });
});

describe('.vmx entries', () => {
  for (const controller of CONTROLLERS) {
    test(`${controller}: the disk sits on the matching controller`, () => {
      const { hardware } = planHardware(request({ controller }), guess({ firmware: controller === 'nvme' ? 'efi' : 'bios' }));
      const text = renderVmx(vmxEntries({ hardware, displayName: 'VM', diskFile: 'VM.vmdk', annotation: 'note' }));
      const vmx = parseVmx(text);
      assert.ok(vmx instanceof Map);
      assert.ok(text.startsWith('.encoding = "UTF-8"\nconfig.version = "8"\n'));
      const { bus, slot } = diskSlot(controller);
      assert.equal(vmx.get(`${slot}.filename`), 'VM.vmdk');
      assert.equal(vmx.get(`${slot}.present`), 'TRUE');
      if (controller !== 'ide') assert.equal(vmx.get(`${bus}.present`), 'TRUE');
      if (bus === 'scsi0') assert.equal(vmx.get('scsi0.virtualdev'), controller);
      assert.equal(vmx.get('ethernet0.connectiontype'), 'nat');
      // Identity is VMware's to make on first power-on.
      for (const key of vmx.keys()) assert.doesNotMatch(key, /^uuid\.|generatedaddress|pcislotnumber|^nvram$/);
    });
  }

  for (const controller of CONTROLLERS) {
    test(`${controller}: an empty CD/DVD drive for VMware Tools, one socket with every core`, () => {
      const { hardware } = planHardware(request({ controller, cpus: 4 }), guess({ firmware: controller === 'nvme' || controller === 'sata' ? 'efi' : 'bios' }));
      const vmx = parseVmx(renderVmx(vmxEntries({ hardware, displayName: 'VM', diskFile: 'VM.vmdk', annotation: '' })));
      assert.ok(vmx instanceof Map);
      const slot = controller === 'sata' || controller === 'nvme' ? 'sata0:1' : 'ide1:0';
      assert.equal(vmx.get(`${slot}.present`), 'TRUE');
      assert.equal(vmx.get(`${slot}.devicetype`), 'cdrom-raw');
      assert.equal(vmx.get(`${slot}.filename`), 'auto detect');
      assert.equal(vmx.get(`${slot}.startconnected`), 'FALSE');
      if (slot.startsWith('sata')) assert.equal(vmx.get('sata0.present'), 'TRUE');
      assert.notEqual(vmx.get(diskSlot(controller).slot + '.filename'), 'auto detect', 'the CD must not take the disk slot');
      assert.equal(vmx.get('cpuid.corespersocket'), '4');
      assert.equal(vmx.get('numvcpus'), '4');
      assert.equal(vmx.get('vmci0.present'), 'TRUE');
      assert.equal(vmx.get('hpet0.present'), 'TRUE');
      assert.equal(vmx.get('usb_xhci.present'), 'TRUE');
    });
  }

  test('old hardware versions get no PCIe ports, USB 2 or paravirtual NIC', () => {
    const { hardware } = planHardware(request({ hwVersion: 4, guest: 'ubuntu-64', controller: 'lsilogic' }), guess());
    const vmx = parseVmx(renderVmx(vmxEntries({ hardware, displayName: 'VM', diskFile: 'VM.vmdk', annotation: '' })));
    assert.ok(vmx instanceof Map);
    assert.equal(vmx.get('pcibridge4.present'), undefined);
    assert.equal(vmx.get('usb.present'), undefined);
    assert.equal(vmx.get('usb_xhci.present'), undefined);
    assert.equal(vmx.get('vmci0.present'), undefined);
    assert.equal(vmx.get('ide1:0.devicetype'), 'cdrom-raw');
    assert.equal(vmx.get('ethernet0.virtualdev'), 'e1000');
  });
});
