// The OVF names of a guest: the vSphere API id for `vmw:osType` and the DMTF CIM number for
// `OperatingSystemSection ovf:id`, from the .vmx `guestOS` id that `ferry vm` uses
// (worker/engine/inspect/guest.ts chooses it). Sources and rules: docs/ovf-os-ids.md.

export interface OvfGuest {
  /** vSphere API guest id, e.g. `ubuntu64Guest`. */
  osType: string;
  /** CIM_OperatingSystem OSType number (vSphere reads `osType`; this is the portable hint). */
  cimId: number;
  /** Set when the id was not in the table and was derived by VMware's spelling rule. */
  derived?: true;
  /** Set when an older id was chosen because the hardware version predates the asked one. */
  downgradedFrom?: string;
}

/**
 * CIM_OperatingSystem OSType values, DMTF CIM Schema 2.52.0. Its ValueMap has no 112, so from
 * Windows Server 2012 on these are one above the positional tables (VirtualBox's among them).
 */
export const CIM_OS = {
  other: 1,
  linux: 36,
  freebsd: 42,
  freebsd64: 78,
  rhel64: 80,
  sles64: 85,
  ubuntu64: 94,
  debian64: 96,
  linux64: 101,
  other64: 102,
  win2008r2: 103,
  esxi: 104,
  win7: 105,
  centos64: 107,
  oracle64: 109,
  win2012: 113,
  win8_64: 115,
  win2012r2: 116,
  win2016: 117,
  win8_1_64: 119,
  win10_64: 121,
} as const;

export interface GuestTableEntry {
  osType: string;
  cimId: number;
  /**
   * The first hardware version whose every host knows the id: the one that came with the vSphere
   * release that added it (6.0 → 11, 6.5 → 13, 6.7 → 14, 7.0 → 17, 7.0 U1 → 18, 8.0 U1 → 21,
   * because 8.0 GA hosts of version 20 predate it). Absent: known since vSphere 5.5 or earlier.
   */
  sinceHw?: number;
  /** The .vmx id to name instead on older hardware: the newest relative the older host knows. */
  fallback?: string;
}

/** vmx id (lower case) → API id, CIM number, and where it came in (vSphere API VirtualMachineGuestOsIdentifier). */
const TABLE: Record<string, GuestTableEntry> = {
  'windows11-64': { osType: 'windows11_64Guest', cimId: CIM_OS.win10_64, sinceHw: 21, fallback: 'windows9-64' },
  'windows9-64': { osType: 'windows9_64Guest', cimId: CIM_OS.win10_64, sinceHw: 11, fallback: 'windows8-64' },
  'windows8-64': { osType: 'windows8_64Guest', cimId: CIM_OS.win8_64 },
  'windows7-64': { osType: 'windows7_64Guest', cimId: CIM_OS.win7 },
  'windows2022srvnext-64': { osType: 'windows2022srvNext_64Guest', cimId: CIM_OS.win2016, sinceHw: 21, fallback: 'windows2019srvnext-64' },
  'windows2019srvnext-64': { osType: 'windows2019srvNext_64Guest', cimId: CIM_OS.win2016, sinceHw: 18, fallback: 'windows2019srv-64' },
  'windows2019srv-64': { osType: 'windows2019srv_64Guest', cimId: CIM_OS.win2016, sinceHw: 17, fallback: 'windows9srv-64' },
  'windows9srv-64': { osType: 'windows9Server64Guest', cimId: CIM_OS.win2016, sinceHw: 11, fallback: 'windows8srv-64' },
  'windows8srv-64': { osType: 'windows8Server64Guest', cimId: CIM_OS.win2012 },
  'windows7srv-64': { osType: 'windows7Server64Guest', cimId: CIM_OS.win2008r2 },
  'ubuntu-64': { osType: 'ubuntu64Guest', cimId: CIM_OS.ubuntu64 },
  'debian12-64': { osType: 'debian12_64Guest', cimId: CIM_OS.debian64, sinceHw: 21, fallback: 'debian11-64' },
  'debian11-64': { osType: 'debian11_64Guest', cimId: CIM_OS.debian64, sinceHw: 17, fallback: 'debian10-64' },
  'debian10-64': { osType: 'debian10_64Guest', cimId: CIM_OS.debian64, sinceHw: 13, fallback: 'debian9-64' },
  'debian9-64': { osType: 'debian9_64Guest', cimId: CIM_OS.debian64, sinceHw: 13, fallback: 'debian8-64' },
  'debian8-64': { osType: 'debian8_64Guest', cimId: CIM_OS.debian64, sinceHw: 11, fallback: 'otherlinux-64' },
  'rhel9-64': { osType: 'rhel9_64Guest', cimId: CIM_OS.rhel64, sinceHw: 18, fallback: 'rhel8-64' },
  'rhel8-64': { osType: 'rhel8_64Guest', cimId: CIM_OS.rhel64, sinceHw: 14, fallback: 'rhel7-64' },
  'rhel7-64': { osType: 'rhel7_64Guest', cimId: CIM_OS.rhel64 },
  'centos9-64': { osType: 'centos9_64Guest', cimId: CIM_OS.centos64, sinceHw: 18, fallback: 'centos8-64' },
  'centos8-64': { osType: 'centos8_64Guest', cimId: CIM_OS.centos64, sinceHw: 14, fallback: 'centos7-64' },
  'centos7-64': { osType: 'centos7_64Guest', cimId: CIM_OS.centos64, sinceHw: 13, fallback: 'centos-64' },
  'centos-64': { osType: 'centos64Guest', cimId: CIM_OS.centos64 },
  'sles15-64': { osType: 'sles15_64Guest', cimId: CIM_OS.sles64, sinceHw: 14, fallback: 'sles12-64' },
  'sles12-64': { osType: 'sles12_64Guest', cimId: CIM_OS.sles64 },
  'oraclelinux-64': { osType: 'oracleLinux64Guest', cimId: CIM_OS.oracle64 },
  'coreos-64': { osType: 'coreos64Guest', cimId: CIM_OS.linux64, sinceHw: 11, fallback: 'other3xlinux-64' },
  'other6xlinux-64': { osType: 'other6xLinux64Guest', cimId: CIM_OS.linux64, sinceHw: 21, fallback: 'other5xlinux-64' },
  'other5xlinux-64': { osType: 'other5xLinux64Guest', cimId: CIM_OS.linux64, sinceHw: 18, fallback: 'other4xlinux-64' },
  'other4xlinux-64': { osType: 'other4xLinux64Guest', cimId: CIM_OS.linux64, sinceHw: 14, fallback: 'other3xlinux-64' },
  'other3xlinux-64': { osType: 'other3xLinux64Guest', cimId: CIM_OS.linux64 },
  'other26xlinux-64': { osType: 'other26xLinux64Guest', cimId: CIM_OS.linux64 },
  'otherlinux-64': { osType: 'otherLinux64Guest', cimId: CIM_OS.linux64 },
  otherlinux: { osType: 'otherLinuxGuest', cimId: CIM_OS.linux },
  'freebsd-64': { osType: 'freebsd64Guest', cimId: CIM_OS.freebsd64 },
  freebsd: { osType: 'freebsdGuest', cimId: CIM_OS.freebsd },
  vmkernel7: { osType: 'vmkernel7Guest', cimId: CIM_OS.esxi, sinceHw: 17, fallback: 'vmkernel65' },
  vmkernel65: { osType: 'vmkernel65Guest', cimId: CIM_OS.esxi, sinceHw: 13, fallback: 'vmkernel6' },
  vmkernel6: { osType: 'vmkernel6Guest', cimId: CIM_OS.esxi, sinceHw: 11, fallback: 'vmkernel5' },
  vmkernel5: { osType: 'vmkernel5Guest', cimId: CIM_OS.esxi },
  'other-64': { osType: 'otherGuest64', cimId: CIM_OS.other64 },
  other: { osType: 'otherGuest', cimId: CIM_OS.other },
};

/** The table itself, for tests and docs. */
export const GUEST_TABLE: Readonly<Record<string, Readonly<GuestTableEntry>>> = TABLE;

/** The OVF guest for a .vmx `guestOS` id at hardware version `hwVersion`. */
export function ovfGuestFor(guestOS: string, hwVersion: number): OvfGuest {
  const asked = guestOS.toLowerCase();
  let id = asked;
  let entry = TABLE[id];
  while (entry?.sinceHw !== undefined && hwVersion < entry.sinceHw && entry.fallback !== undefined && TABLE[entry.fallback]) {
    id = entry.fallback;
    entry = TABLE[id]!;
  }
  if (entry) return { osType: entry.osType, cimId: entry.cimId, ...(id !== asked ? { downgradedFrom: guestOS } : {}) };
  // VMware's rule, run backwards: `debian13-64` → `debian13_64Guest`, `solaris11` → `solaris11Guest`.
  const is64 = /-64$/.test(asked);
  const osType = is64 ? `${asked.slice(0, -3)}_64Guest` : `${asked}Guest`;
  const linuxLike = /linux|ubuntu|debian|rhel|centos|suse|sles|fedora|oracle|alma|rocky/.test(asked);
  const cimId = is64 ? (linuxLike ? CIM_OS.linux64 : CIM_OS.other64) : linuxLike ? CIM_OS.linux : CIM_OS.other;
  return { osType, cimId, derived: true };
}
