// Virtual PC 2004/2007 and Virtual Server 2005 `.vmc` files: XML (usually UTF-16 with a BOM)
// under <preferences>. Every value element carries a `type` attribute; the layout below is what
// those products write (docs/machines.md#virtual-pc-vmc).
import type { MachineDisk } from '../../../shared/disk-info';
import { wholeNumber, truthy, type ParsedMachine } from './described';
import { at, child, children, textAt, type XmlElement } from './xml';
import { notice, type Notice } from '../notices';

/** `drive_type` 1 is a hard disk; 2 a CD/DVD drive, 0 nothing attached. */
const HARD_DISK = '1';

function locationDisk(loc: XmlElement, bus: MachineDisk['bus'], controller: number): MachineDisk | undefined {
  if ((textAt(loc, ['drive_type']) ?? HARD_DISK) !== HARD_DISK) return undefined;
  const absolute = textAt(loc, ['pathname', 'absolute']);
  const relative = textAt(loc, ['pathname', 'relative']);
  const path = absolute || relative;
  if (!path) return undefined;
  const unit = wholeNumber(loc.attrs.id) ?? 0;
  return { bus, controller, unit, path, ...(relative && relative !== path ? { relativePath: relative } : {}) };
}

/** Controllers of one kind anywhere under the PCI bus (Virtual Server nests SCSI adapters one level deeper). */
function controllersNamed(el: XmlElement | undefined, name: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of el?.children ?? []) {
    if (c.name.toLowerCase() === name) out.push(c);
    else controllersNamed(c, name, out);
  }
  return out;
}

export function parseVmc(root: XmlElement, fileName: string): ParsedMachine | string {
  if (root.name.toLowerCase() !== 'preferences') return `the root element is <${root.name}>, not <preferences>`;
  const hardware = child(root, 'hardware');
  if (!hardware) return 'it has no <hardware> section';
  const bus = child(hardware, 'pci_bus');
  const disks: MachineDisk[] = [];
  for (const ctrl of controllersNamed(bus, 'ide_controller')) {
    for (const loc of children(ctrl, 'location')) {
      const d = locationDisk(loc, 'ide', wholeNumber(ctrl.attrs.id) ?? 0);
      if (d) disks.push(d);
    }
  }
  for (const ctrl of controllersNamed(bus, 'scsi_controller')) {
    for (const loc of children(ctrl, 'location')) {
      const d = locationDisk(loc, 'scsi', wholeNumber(ctrl.attrs.id) ?? 0);
      if (d) disks.push(d);
    }
  }
  // Boot order: IDE before SCSI (the Virtual PC BIOS's own order), then by controller and slot.
  const rank = (d: MachineDisk) => (d.bus === 'ide' ? 0 : 1) * 1e6 + d.controller * 1e3 + d.unit;
  disks.sort((a, b) => rank(a) - rank(b));
  const ethernet = at(bus, ['ethernet_adapter']);
  const nics = wholeNumber(textAt(ethernet, ['controller_count'])) ?? children(ethernet, 'ethernet_controller').length;
  const warnings: Notice[] = [];
  if (truthy(textAt(root, ['undo_drives', 'enabled'])) === true) {
    warnings.push(notice('vmc-undo-disks'));
  }
  const memoryMB = wholeNumber(textAt(hardware, ['memory', 'ram_size']));
  const name = fileName.replace(/\.vmc$/i, '');
  return {
    kind: 'vmc',
    name,
    ...(memoryMB !== undefined ? { memoryMB } : {}),
    cpus: 1,
    firmware: 'bios',
    nics,
    disks,
    snapshots: [],
    warnings,
  };
}
