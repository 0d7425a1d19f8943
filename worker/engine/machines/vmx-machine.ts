// A VMware .vmx read as a machine (docs/vmx.md): its disks per controller, memory, processors,
// guest and firmware; and the .vmsd beside it, which lists the snapshot tree.
import type { MachineDisk, MachineSnapshot } from '../../../shared/disk-info';
import { parseVmx } from '../vm/vmx';
import { wholeNumber, truthy, type ParsedMachine } from './described';
import { notice, type Notice } from '../notices';

const BUSES: ReadonlyArray<{ bus: MachineDisk['bus']; prefix: string; controllers: number; units: number }> = [
  { bus: 'scsi', prefix: 'scsi', controllers: 4, units: 16 },
  { bus: 'sata', prefix: 'sata', controllers: 4, units: 30 },
  { bus: 'nvme', prefix: 'nvme', controllers: 4, units: 15 },
  { bus: 'ide', prefix: 'ide', controllers: 2, units: 2 },
];

/** Device types that are disks; absent means a disk when the file is a .vmdk. */
function isHardDisk(deviceType: string | undefined, fileName: string): boolean {
  if (deviceType === undefined) return /\.vmdk$/i.test(fileName);
  return /harddisk|^disk$/i.test(deviceType) && !/rawdisk/i.test(deviceType);
}

function present(v: Map<string, string>, key: string): boolean {
  // VMware treats a missing `.present` on a device as absent, on a controller as present only if it has devices.
  return truthy(v.get(`${key}.present`)) === true;
}

function disksOf(v: Map<string, string>): MachineDisk[] {
  const out: MachineDisk[] = [];
  for (const { bus, prefix, controllers, units } of BUSES) {
    for (let c = 0; c < controllers; c++) {
      if (bus !== 'ide' && !present(v, `${prefix}${c}`)) continue;
      const model = v.get(`${prefix}${c}.virtualdev`);
      for (let u = 0; u < units; u++) {
        const key = `${prefix}${c}:${u}`;
        const fileName = v.get(`${key}.filename`);
        if (!present(v, key) || !fileName || !isHardDisk(v.get(`${key}.devicetype`), fileName)) continue;
        out.push({ bus, controller: c, unit: u, path: fileName, ...(model ? { model } : {}) });
      }
    }
  }
  // `bios.hddOrder` ("scsi0:0 ide0:0") puts the BIOS's boot disk first.
  const first = v.get('bios.hddorder')?.trim().split(/\s+/)[0]?.toLowerCase();
  const boot = out.findIndex((d) => `${d.bus}${d.controller}:${d.unit}` === first);
  if (boot > 0) out.unshift(...out.splice(boot, 1));
  return out;
}

function countNics(v: Map<string, string>): number {
  let n = 0;
  for (let i = 0; i < 10; i++) if (present(v, `ethernet${i}`)) n++;
  return n;
}

/** A VM Workstation encrypted: its settings are in `encryption.data`, sealed by `encryption.keySafe`. */
export function isEncryptedVmx(text: string): boolean {
  const v = parseVmx(text);
  return typeof v !== 'string' && v.has('encryption.keysafe') && v.has('encryption.data');
}

export function parseVmxMachine(text: string, fileName: string): ParsedMachine | string {
  const v = parseVmx(text);
  if (typeof v === 'string') return v;
  if (!v.has('config.version') && !v.has('virtualhw.version') && !v.has('guestos')) return 'it has none of config.version, virtualHW.version or guestOS: not a VMware configuration';
  const memoryMB = wholeNumber(v.get('memsize'));
  const cpus = wholeNumber(v.get('numvcpus'));
  const firmware = v.get('firmware')?.toLowerCase() === 'efi' ? 'efi' : 'bios';
  const secure = truthy(v.get('uefi.secureboot.enabled'));
  const guestOS = v.get('guestos');
  const warnings: Notice[] = [];
  if (truthy(v.get('encryption.required')) || v.has('encryption.keysafe')) warnings.push(notice('vmx-encrypted'));
  return {
    kind: 'vmx',
    name: v.get('displayname') || fileName.replace(/\.vmx$/i, ''),
    ...(memoryMB !== undefined ? { memoryMB } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
    firmware,
    ...(secure !== undefined && firmware === 'efi' ? { secureBoot: secure } : {}),
    ...(guestOS ? { guestOS } : {}),
    nics: countNics(v),
    disks: disksOf(v),
    snapshots: [],
    warnings,
  };
}

/** The snapshot tree a .vmsd records: `snapshotN.uid/.parent/.displayName/.filename`, `snapshot.current`. */
export function parseVmsd(text: string): MachineSnapshot[] | string {
  const v = parseVmx(text);
  if (typeof v === 'string') return v;
  const current = v.get('snapshot.current');
  const out: MachineSnapshot[] = [];
  for (const key of v.keys()) {
    const m = /^(snapshot\d+)\.uid$/.exec(key);
    if (!m) continue;
    const id = v.get(key)!;
    const parent = v.get(`${m[1]}.parent`);
    const file = v.get(`${m[1]}.filename`);
    out.push({
      id,
      name: v.get(`${m[1]}.displayname`) ?? `(snapshot ${id})`,
      ...(parent ? { parent } : {}),
      ...(id === current ? { current: true } : {}),
      ...(file ? { file } : {}),
    });
  }
  return out;
}
