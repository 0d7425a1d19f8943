// Option vocabularies shared by the engine, the CLI and the app. Each list is the single
// source of truth: the union type and the runtime validator both derive from it.

export const SUBFORMATS = [
  'monolithicSparse',
  'monolithicFlat',
  'twoGbMaxExtentSparse',
  'twoGbMaxExtentFlat',
  'streamOptimized',
] as const;
export type Subformat = (typeof SUBFORMATS)[number];

/** What a VM folder's disk may be: streamOptimized is for OVA and ESXi import, not for running. */
export const VM_SUBFORMATS = SUBFORMATS.filter((s): s is Exclude<Subformat, 'streamOptimized'> => s !== 'streamOptimized');
export type VmSubformat = (typeof VM_SUBFORMATS)[number];

/** Values VMware allows in a descriptor's `ddb.adapterType` that we write. */
export const ADAPTERS = ['ide', 'lsilogic', 'buslogic'] as const;
export type Adapter = (typeof ADAPTERS)[number];

/** Disk controllers a generated .vmx can attach the disk to. */
export const CONTROLLERS = ['ide', 'lsilogic', 'lsisas1068', 'pvscsi', 'sata', 'nvme'] as const;
export type Controller = (typeof CONTROLLERS)[number];

export const FIRMWARES = ['bios', 'efi'] as const;
export type Firmware = (typeof FIRMWARES)[number];

export const DISK_TYPES = ['dynamic', 'fixed'] as const;
export type DiskType = (typeof DISK_TYPES)[number];

/** Which of a VHD's two size fields decides the virtual size (docs/vhd.md#which-size). */
export const VHD_SIZE_RULES = ['auto', 'current', 'chs'] as const;
export type VhdSizeRule = (typeof VHD_SIZE_RULES)[number];

export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

/** The subformat WinImage-style choices map to: fixed → flat, dynamic → sparse, split → 2 GB pieces. */
export function subformatFor(type: DiskType, split: boolean): Subformat {
  if (type === 'fixed') return split ? 'twoGbMaxExtentFlat' : 'monolithicFlat';
  return split ? 'twoGbMaxExtentSparse' : 'monolithicSparse';
}

/** The descriptor's adapter type VMware expects for a .vmx controller (kiwi#1847: never "pvscsi"). */
export function adapterForController(controller: Controller): Adapter {
  return controller === 'ide' || controller === 'sata' ? 'ide' : 'lsilogic';
}

/** The bounds of what a VM may ask for, held by the CLI, the request validator and the wizard alike. */
export const HARDWARE_BOUNDS = {
  memoryMB: { min: 4, max: 16 * 1024 * 1024 },
  cpus: { min: 1, max: 128 },
  hwVersion: { min: 4, max: 99 },
} as const;
