// The virtual hardware of a generated VM: the user's choices where given, otherwise defaults
// picked from the detected guest so that the disk boots on the first power-on.
import { notice, type EngineGuestGuess, type Notice } from '../notices';
import type { VmRequest } from '../../../shared/jobs';
import type { Controller, Firmware } from '../../../shared/options';
import { FerryError } from '../errors';
import type { NamedController } from '../machines/machine-source';
import { GUEST_TABLE } from '../ova/guest-os';

/**
 * virtualHW.version 19: Workstation/Player 16.2+, Fusion 12.2+ and ESXi 7.0 U2+ all open it,
 * so current products (Workstation 17/25H2, Fusion 13) and the previous generation do too
 * (docs/vmx.md#hardware-version: a too-new version is refused outright). It has everything we use
 * (NVMe needs 13, SATA 10, the guest ids below).
 */
export const DEFAULT_HW_VERSION = 19;

/** The oldest hardware version that has each controller (docs/vmx.md#hardware-version). */
const CONTROLLER_MIN_HW: Record<Controller, number> = { ide: 4, lsilogic: 4, lsisas1068: 7, pvscsi: 7, sata: 10, nvme: 13 };
/** The newest hardware version a released product opens (Workstation 25H2); docs/vmx.md#hardware-version. */
const NEWEST_KNOWN_HW = 22;
/** Numbers VMware skipped or gave only to ESXi, which a hosted product refuses. */
const UNUSED_HW = new Set([5]);
const ESXI_ONLY_HW = new Set([13, 15, 17]);

/** PCIe root ports, USB 2 and the paravirtual/PCIe NICs need hardware version 7 or newer. */
const PCIE_MIN_HW = 7;
/** UEFI Secure Boot came with hardware version 14 (Workstation 14, ESXi 6.7). */
const SECURE_BOOT_MIN_HW = 14;
const E1000E_MIN_HW = 8;

export type GuestKind = 'windows' | 'linux' | 'other';
export type NicDevice = 'e1000' | 'e1000e' | 'vmxnet3';

export interface VmHardware {
  hwVersion: number;
  guestOS: string;
  kind: GuestKind;
  firmware: Firmware;
  controller: Controller;
  nic: NicDevice;
  memoryMB: number;
  cpus: number;
  /** PCIe root ports and USB 2: present from hardware version 7 on. */
  modernChipset: boolean;
  /** UEFI Secure Boot on, as the machine configuration had it (UEFI, hardware version 14 or newer). */
  secureBoot?: true;
}

const LINUX_IDS = /linux|ubuntu|debian|rhel|centos|fedora|sles|suse|oracle|coreos|flatcar|rocky|alma|photon|amazon|asianux|mandr|turbo|redhat|miracle|nld/i;

/** What kind of system a .vmx guestOS id names (`windows9-64`, `ubuntu-64`, `freebsd-64`, …). */
export function guestKind(guestOS: string): GuestKind {
  if (/^(win|longhorn)/i.test(guestOS)) return 'windows';
  if (LINUX_IDS.test(guestOS)) return 'linux';
  return 'other';
}

const GUEST_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * The controller a guest boots from without changes:
 * - Windows, BIOS (a Hyper-V Generation 1 or Virtual PC disk): IDE. Windows only starts the
 *   storage drivers it booted with (docs/vmx.md#controllers); on Hyper-V Gen1 that is the IDE
 *   driver, so IDE boots, while LSI SAS, AHCI or PVSCSI stop with INACCESSIBLE_BOOT_DEVICE.
 * - Windows, UEFI (Generation 2, which has no IDE: Windows 8/2012 or newer): SATA. No VMware
 *   controller was in use under Hyper-V, but AHCI's inbox driver is in every Windows since 8
 *   and is the one Safe Mode reliably brings back if the first boot fails.
 * - Linux: PVSCSI. Its driver (vmw_pvscsi) is in every kernel since 2.6.33 and in generic
 *   initramfs images, and RHEL 8+ dropped the LSI drivers.
 * - Anything else: IDE under BIOS, SATA under UEFI, the two that every system can drive.
 */
export function defaultController(kind: GuestKind, firmware: Firmware): Controller {
  if (kind === 'linux') return 'pvscsi';
  return firmware === 'efi' ? 'sata' : 'ide';
}

/**
 * A NIC with an inbox driver: Windows under UEFI is 8 or newer (e1000e inbox); under BIOS it may
 * be older, and only e1000 is in every Windows. Linux has vmxnet3 since 2.6.32.
 */
export function defaultNic(kind: GuestKind, firmware: Firmware, hwVersion: number): NicDevice {
  if (kind === 'linux' && hwVersion >= PCIE_MIN_HW) return 'vmxnet3';
  if (kind === 'windows' && firmware === 'efi' && hwVersion >= E1000E_MIN_HW) return 'e1000e';
  return 'e1000';
}

const DEFAULT_SIZES: Record<GuestKind, { memoryMB: number; cpus: number }> = {
  windows: { memoryMB: 4096, cpus: 2 },
  linux: { memoryMB: 2048, cpus: 2 },
  other: { memoryMB: 1024, cpus: 1 },
};

export interface HardwarePlan {
  hardware: VmHardware;
  /** Why each choice was made (for the result's warnings where a user may need to act). */
  warnings: Notice[];
  /** Which rule chose the controller, for the evidence. */
  controllerRule: Notice;
}

/** The hardware a user may choose; `ferry vm` and `ferry ova` share these choices and their defaults. */
export type HardwareChoices = Pick<VmRequest, 'guest' | 'memoryMB' | 'cpus' | 'firmware' | 'controller' | 'hwVersion'>;

/** Merges the request's overrides with the defaults for the detected guest; refuses impossible combinations. */
export function planHardware(req: HardwareChoices, guess: EngineGuestGuess, host: 'hosted' | 'esxi' = 'hosted', named?: NamedController, secureBoot = false): HardwarePlan {
  if (req.guest !== undefined && !GUEST_ID.test(req.guest)) {
    throw new FerryError('E_USAGE', `--guest "${req.guest}" is not a VMware guestOS id.`, 'Use an id such as windows9-64, windows2019srv-64, ubuntu-64, other5xlinux-64 or other-64.');
  }
  if (req.memoryMB !== undefined && req.memoryMB % 4 !== 0) {
    throw new FerryError('E_USAGE', `--memory ${req.memoryMB} is not a multiple of 4 MB, which VMware requires.`, `Use ${Math.ceil(req.memoryMB / 4) * 4}, for example.`);
  }
  const hwVersion = req.hwVersion ?? DEFAULT_HW_VERSION;
  if (UNUSED_HW.has(hwVersion)) {
    throw new FerryError('E_USAGE', `there is no virtual hardware version ${hwVersion}.`, 'Use 4, 6 or newer (Workstation 17 opens up to 20, 17.5 up to 21).');
  }
  const fitted = req.guest === undefined ? fitGuestId(guess.guestOS, hwVersion) : { id: req.guest, from: undefined };
  const guestOS = fitted.id;
  const kind = guestKind(guestOS);
  const firmware = req.firmware ?? guess.firmware;
  const { controller, rule: controllerRule } = chooseController(req, kind, firmware, guess, named);
  const minHw = CONTROLLER_MIN_HW[controller];
  if (hwVersion < minHw) {
    throw new FerryError('E_USAGE', `the ${controller} controller needs hardware version ${minHw} or newer, not ${hwVersion}.`, `Pass --hw-version ${minHw} (or newer), or choose another --controller.`);
  }
  const sizes = DEFAULT_SIZES[kind];
  const hardware: VmHardware = {
    hwVersion,
    guestOS,
    kind,
    firmware,
    controller,
    nic: defaultNic(kind, firmware, hwVersion),
    memoryMB: req.memoryMB ?? sizes.memoryMB,
    cpus: req.cpus ?? sizes.cpus,
    modernChipset: hwVersion >= PCIE_MIN_HW,
  };
  const warnings = hardwareWarnings(hardware, req, guess, host, named !== undefined);
  if (secureBoot) {
    if (firmware !== 'efi') warnings.push(notice('secure-boot-not-efi'));
    else if (hwVersion < SECURE_BOOT_MIN_HW) warnings.push(notice('secure-boot-needs-hw', { hwVersion, since: SECURE_BOOT_MIN_HW }));
    else hardware.secureBoot = true;
  }
  if (named) warnings.unshift(notice('controller-rule', { rule: controllerRule }));
  if (fitted.from !== undefined) {
    const fit = { guestOS, exact: fitted.from, since: GUEST_TABLE[fitted.from]!.sinceHw!, hwVersion };
    warnings.unshift(guess.os ? notice('guest-id-fitted', { os: guess.os.name, ...fit }) : notice('guest-id-fitted-unnamed', fit));
  }
  return { hardware, controllerRule, warnings };
}

/**
 * The newest id in VMware's lineage of `id` (vSphere API VirtualMachineGuestOsIdentifier, see
 * docs/guest-detection.md) that every host of `hwVersion` knows: windows11-64 → windows9-64 before 21.
 */
export function fitGuestId(id: string, hwVersion: number): { id: string; from: string | undefined } {
  let current = id.toLowerCase();
  let entry = GUEST_TABLE[current];
  for (let hops = 0; entry?.sinceHw !== undefined && hwVersion < entry.sinceHw && entry.fallback !== undefined && GUEST_TABLE[entry.fallback] && hops < 16; hops++) {
    current = entry.fallback;
    entry = GUEST_TABLE[current];
  }
  return current === id.toLowerCase() ? { id, from: undefined } : { id: current, from: id };
}

/** The Linux module each controller needs (those the guest reading reports). */
const LINUX_DRIVER: Partial<Record<Controller, string>> = { pvscsi: 'vmw_pvscsi', sata: 'ahci', ide: 'ata_piix' };

function canDrive(guess: EngineGuestGuess, c: Controller): boolean | undefined {
  const driver = LINUX_DRIVER[c];
  const state = driver ? guess.os?.drivers?.[driver] : undefined;
  if (state === 'builtin' || state === 'initramfs') return true;
  return state === 'missing' ? false : undefined;
}

/**
 * A Linux guest whose boot drivers were read gets the fastest controller it can boot from:
 * PVSCSI when vmw_pvscsi is built in or in the initramfs, else SATA (ahci), else IDE (ata_piix).
 * Undefined when not known, so the choice by family applies.
 */
export function guestController(kind: GuestKind, _firmware: Firmware, guess: EngineGuestGuess): Controller | undefined {
  if (kind !== 'linux' || !guess.os?.drivers) return undefined;
  for (const c of ['pvscsi', 'sata', 'ide'] as const) {
    const can = canDrive(guess, c);
    if (can === true) return c;
    if (can === undefined) return undefined; // not known: keep today's choice rather than guess lower
  }
  return undefined;
}

type Rule = { controller: Controller; rule: Notice };

/** The controller by the guest's drivers, else by family, and the rule that chose it. */
function byGuest(kind: GuestKind, firmware: Firmware, guess: EngineGuestGuess): Rule {
  const fromDrivers = guestController(kind, firmware, guess);
  if (fromDrivers) return { controller: fromDrivers, rule: notice('controller-by-drivers', { controller: fromDrivers }) };
  const controller = defaultController(kind, firmware);
  const family = { controller, kind, firmware: firmware.toUpperCase() };
  return { controller, rule: notice(kind === 'linux' ? 'controller-by-family-unknown' : 'controller-by-family', family) };
}

const WINDOWS_8_BUILD = 9200;
const VISTA_BUILD = 6000;

/** Windows on a controller VMware does not have (Hyper-V's synthetic SCSI): one whose driver is inbox in its release. */
function windowsInbox(firmware: Firmware, guess: EngineGuestGuess): { controller: Controller; why: Notice } {
  const build = guess.os?.build;
  if ((build !== undefined && build >= WINDOWS_8_BUILD) || (build === undefined && firmware === 'efi')) return { controller: 'sata', why: notice('inbox-storahci') };
  if (build !== undefined && build >= VISTA_BUILD) return { controller: 'lsisas1068', why: notice('inbox-lsi-sas') };
  return { controller: 'ide', why: notice('inbox-ide') };
}

/**
 * The controller: an explicit --controller wins; else one a machine configuration names, mapped
 * to a VMware controller the guest can drive; else the guest's drivers; else its family.
 */
function chooseController(req: HardwareChoices, kind: GuestKind, firmware: Firmware, guess: EngineGuestGuess, named: NamedController | undefined): Rule {
  if (req.controller !== undefined) return { controller: req.controller, rule: notice(named ? 'controller-asked-over-named' : 'controller-asked', { controller: req.controller }) };
  if (!named) return byGuest(kind, firmware, guess);
  const said = notice('controller-named', { product: named.product, what: named.what });
  if (named.vmware) {
    const can = kind === 'linux' ? canDrive(guess, named.vmware) : undefined;
    if (can !== false) return { controller: named.vmware, rule: notice('controller-named-stays', { said, controller: named.vmware }) };
    const other = byGuest(kind, firmware, guess);
    return { controller: other.controller, rule: notice('controller-named-no-driver', { said, driver: LINUX_DRIVER[named.vmware]!, rule: other.rule }) };
  }
  if (named.bus === 'ide' && kind !== 'linux') return { controller: 'ide', rule: notice('controller-named-ide', { said }) };
  if (kind === 'windows') {
    const inbox = windowsInbox(firmware, guess);
    return { controller: inbox.controller, rule: notice('controller-named-windows', { said, controller: inbox.controller, why: inbox.why }) };
  }
  const other = byGuest(kind, firmware, guess);
  return { controller: other.controller, rule: notice(named.bus === 'ide' ? 'controller-named-linux-ide' : 'controller-named-linux', { said, rule: other.rule }) };
}

function hardwareWarnings(hw: VmHardware, req: HardwareChoices, guess: EngineGuestGuess, host: 'hosted' | 'esxi', named: boolean): Notice[] {
  const warnings: Notice[] = [];
  if (req.firmware !== undefined && req.firmware !== guess.firmware) {
    const why = guess.evidence.find((e) => e.code.startsWith('firmware-')) ?? notice('see-ferry-inspect');
    warnings.push(notice('firmware-mismatch', { asked: req.firmware.toUpperCase(), layout: guess.firmware.toUpperCase(), why }));
  }
  if (hw.hwVersion > NEWEST_KNOWN_HW) {
    warnings.push(notice('hw-newer-than-known', { hwVersion: hw.hwVersion, newest: NEWEST_KNOWN_HW }));
  } else if (host === 'hosted' && ESXI_ONLY_HW.has(hw.hwVersion)) {
    warnings.push(notice('hw-esxi-only', { hwVersion: hw.hwVersion, next: hw.hwVersion + 1 }));
  }
  if (hw.controller === 'nvme' && hw.firmware === 'bios') {
    warnings.push(notice('nvme-needs-uefi'));
  }
  if (hw.kind === 'windows') {
    const because = notice(req.controller !== undefined ? 'windows-controller-asked' : named ? 'windows-controller-named' : hw.firmware === 'bios' ? 'windows-controller-gen1' : 'windows-controller-gen2');
    const fallback = hw.controller === 'ide' ? 'lsisas1068' : hw.firmware === 'bios' ? 'ide' : 'lsisas1068';
    warnings.push(notice('windows-controller', { controller: controllerName(hw.controller), because, fallback }));
  }
  const can = hw.kind === 'linux' ? canDrive(guess, hw.controller) : undefined;
  if (hw.kind === 'linux' && can === false) {
    const driver = LINUX_DRIVER[hw.controller]!;
    warnings.push(notice(req.controller !== undefined ? 'linux-driver-missing-asked' : 'linux-driver-missing', { controller: controllerName(hw.controller), driver }));
  } else if (hw.kind === 'linux' && req.controller === undefined && can !== true) {
    warnings.push(notice('linux-pvscsi-unchecked', { controller: controllerName(hw.controller) }));
  }
  return warnings;
}

export function controllerName(c: Controller): string {
  switch (c) {
    case 'ide':
      return 'IDE';
    case 'lsilogic':
      return 'LSI Logic (SCSI)';
    case 'lsisas1068':
      return 'LSI Logic SAS';
    case 'pvscsi':
      return 'VMware Paravirtual SCSI';
    case 'sata':
      return 'SATA (AHCI)';
    case 'nvme':
      return 'NVMe';
  }
}
