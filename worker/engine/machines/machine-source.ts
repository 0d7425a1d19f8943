// A machine configuration as the source of a `vm` or `ova` job: its boot disk is the disk, and
// what it says of the hardware is the default that every flag still overrides.
import { resolve } from 'node:path';
import type { MachineDisk } from '../../../shared/disk-info';
import { notice, type EngineMachineInfo, type Notice } from '../notices';
import type { HardwareChoices } from '../../../shared/jobs';
import { CONTROLLERS, HARDWARE_BOUNDS, isOneOf, type Controller } from '../../../shared/options';
import { FerryError } from '../errors';
import { locateDisks, requireDisks } from './disk-lookup';
import { isMachinePath, loadMachine } from './load';

/** A controller a machine configuration names for the boot disk: its bus, and the VMware model when a .vmx says it. */
export interface NamedController {
  bus: MachineDisk['bus'];
  vmware?: Controller;
  /** For the evidence (`Hyper-V configuration puts the boot disk on SCSI`): the product and the slot. */
  product: string;
  what: string;
}

export interface MachineSource {
  machine: EngineMachineInfo;
  /** The disks, in boot order, as found on this computer. */
  disks: string[];
  /** The hardware the configuration states, as job choices. */
  defaults: HardwareChoices;
  /** The boot disk's controller as the configuration names it: mapped to one the guest can drive, never taken as a choice. */
  namedController?: NamedController;
  warnings: Notice[];
}

function vmwareController(disk: MachineDisk): Controller | undefined {
  if (disk.bus === 'scsi') return disk.model && isOneOf(CONTROLLERS, disk.model) ? disk.model : undefined;
  return disk.bus;
}

const PRODUCT: Record<EngineMachineInfo['kind'], string> = { vmc: 'Virtual PC', 'hyperv-xml': 'Hyper-V', 'hyperv-vmcx': 'Hyper-V', vmx: 'VMware' };

/** The boot disk's controller as the configuration names it (a VMware one only from a .vmx). */
export function namedControllerOf(m: EngineMachineInfo): NamedController | undefined {
  const disk = m.disks[0];
  if (!disk) return undefined;
  const vmware = m.kind === 'vmx' ? vmwareController(disk) : undefined;
  const what = m.kind === 'vmx' ? `${disk.bus}${disk.controller}${disk.model ? ` (${disk.model})` : ''}` : disk.bus.toUpperCase();
  return { bus: disk.bus, ...(vmware ? { vmware } : {}), product: PRODUCT[m.kind], what };
}

/** The configuration's memory as VMware takes it: whole 4 MB, within the bounds a VM may have. */
function memoryOf(mb: number | undefined): number | undefined {
  if (mb === undefined) return undefined;
  const { min, max } = HARDWARE_BOUNDS.memoryMB;
  return Math.min(max, Math.max(min, Math.ceil(mb / 4) * 4));
}

/** The defaults a machine gives a job; its controller is not one of them (see namedControllerOf). */
export function machineDefaults(m: EngineMachineInfo): HardwareChoices {
  const out: HardwareChoices = { name: m.name };
  const memoryMB = memoryOf(m.memoryMB);
  if (memoryMB !== undefined) out.memoryMB = memoryMB;
  if (m.cpus !== undefined) out.cpus = Math.min(HARDWARE_BOUNDS.cpus.max, Math.max(HARDWARE_BOUNDS.cpus.min, m.cpus));
  if (m.firmware) out.firmware = m.firmware;
  if (m.guestOS && /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(m.guestOS)) out.guest = m.guestOS;
  return out;
}

/** The request's own choices over the machine's defaults (a flag given always wins). */
export function withDefaults<T extends HardwareChoices>(req: T, defaults: HardwareChoices): T {
  const out = { ...req };
  for (const [k, v] of Object.entries(defaults) as Array<[keyof HardwareChoices, unknown]>) {
    if (out[k] === undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** When `source` is a configuration or machine folder: the machine, its disks, and its defaults. */
export async function machineSource(source: string, allowOutsideDisks: boolean): Promise<MachineSource | undefined> {
  if (!(await isMachinePath(resolve(source)))) return undefined;
  const machine = await locateDisks(await loadMachine(source));
  const disks = requireDisks(machine, allowOutsideDisks);
  const warnings = [...machine.warnings];
  machine.disks.forEach((d) => {
    if (d.found!.outside) warnings.push(notice('machine-disk-outside', { path: d.path, found: d.found!.path }));
    else if (d.found!.how === 'stated') warnings.push(notice('machine-disk-stated', { path: d.path }));
  });
  const namedController = namedControllerOf(machine);
  return { machine, disks, defaults: machineDefaults(machine), ...(namedController ? { namedController } : {}), warnings };
}

/** The disks a job reads, boot disk first: a machine's, or the request's sources; the same disk twice is refused. */
export function jobSources(req: { source: string; extraSources?: readonly string[] }, machine: MachineSource | undefined): string[] {
  if (machine && req.extraSources?.length) {
    throw new FerryError('E_USAGE', `${machine.machine.config}: a machine configuration brings its own disks; give it alone, or give the disks instead.`);
  }
  const paths = machine ? machine.disks : [req.source, ...(req.extraSources ?? [])].map((p) => resolve(p));
  const twice = paths.find((p, i) => paths.indexOf(p) !== i);
  if (twice) throw new FerryError('E_USAGE', `${twice}: given twice; each disk of a machine is a different file.`);
  return paths;
}

