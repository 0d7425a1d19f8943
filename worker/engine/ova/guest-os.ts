// The OVF names of a guest: the vSphere API id for `vmw:osType` and the CIM number for
// `OperatingSystemSection ovf:id`, from the .vmx `guestOS` id that `ferry vm` uses
// (worker/engine/inspect/guest.ts chooses it; FORMATS.md §6–§7 list both spellings).

export interface OvfGuest {
  /** vSphere API guest id, e.g. `ubuntu64Guest`. */
  osType: string;
  /** CIM_OperatingSystem type number (vSphere prefers `osType`; this is the portable hint). */
  cimId: number;
  /** Set when the id was not in the table and was derived by VMware's spelling rule. */
  derived?: true;
  /** Set when an older id was chosen because the hardware version predates the asked one. */
  downgradedFrom?: string;
}

const CIM = { other: 1, other64: 102, linux64: 101, ubuntu64: 94, debian64: 96, rhel64: 80, centos64: 107, freebsd64: 78, win7_64: 105, win10_64: 120, winServer2016: 118 } as const;

/** vmx id (lower case) → API id and CIM number. */
const TABLE: Record<string, { osType: string; cimId: number; minHw?: number }> = {
  'windows9-64': { osType: 'windows9_64Guest', cimId: CIM.win10_64 },
  'windows11-64': { osType: 'windows11_64Guest', cimId: CIM.win10_64, minHw: 19 },
  'windows9srv-64': { osType: 'windows9Server64Guest', cimId: CIM.winServer2016 },
  'windows2019srv-64': { osType: 'windows2019srv_64Guest', cimId: CIM.winServer2016 },
  'windows2019srvnext-64': { osType: 'windows2019srvNext_64Guest', cimId: CIM.winServer2016 },
  'windows2022srvnext-64': { osType: 'windows2022srvNext_64Guest', cimId: CIM.winServer2016 },
  'windows7-64': { osType: 'windows7_64Guest', cimId: CIM.win7_64 },
  'windows8-64': { osType: 'windows8_64Guest', cimId: 114 },
  'ubuntu-64': { osType: 'ubuntu64Guest', cimId: CIM.ubuntu64 },
  'debian10-64': { osType: 'debian10_64Guest', cimId: CIM.debian64 },
  'debian11-64': { osType: 'debian11_64Guest', cimId: CIM.debian64 },
  'debian12-64': { osType: 'debian12_64Guest', cimId: CIM.debian64 },
  'rhel7-64': { osType: 'rhel7_64Guest', cimId: CIM.rhel64 },
  'rhel8-64': { osType: 'rhel8_64Guest', cimId: CIM.rhel64 },
  'rhel9-64': { osType: 'rhel9_64Guest', cimId: CIM.rhel64 },
  'centos7-64': { osType: 'centos7_64Guest', cimId: CIM.centos64 },
  'centos8-64': { osType: 'centos8_64Guest', cimId: CIM.centos64 },
  'coreos-64': { osType: 'coreos64Guest', cimId: CIM.linux64 },
  'other6xlinux-64': { osType: 'other6xLinux64Guest', cimId: CIM.linux64, minHw: 21 },
  'other5xlinux-64': { osType: 'other5xLinux64Guest', cimId: CIM.linux64, minHw: 17 },
  'other4xlinux-64': { osType: 'other4xLinux64Guest', cimId: CIM.linux64, minHw: 14 },
  'other3xlinux-64': { osType: 'other3xLinux64Guest', cimId: CIM.linux64 },
  'otherlinux-64': { osType: 'otherLinux64Guest', cimId: CIM.linux64 },
  'freebsd-64': { osType: 'freebsd64Guest', cimId: CIM.freebsd64 },
  'other-64': { osType: 'otherGuest64', cimId: CIM.other64 },
  other: { osType: 'otherGuest', cimId: CIM.other },
};

/**
 * Older ids for hosts that predate a newer one: an ESXi that does not know `other5xLinux64Guest`
 * (added with ESXi 7.0, hardware 17 [UNCONFIRMED exact release]) refuses the import, so an OVA for
 * older hardware names the newest generic Linux it has.
 */
const FALLBACK: Record<string, string> = {
  'other6xlinux-64': 'other5xlinux-64',
  'other5xlinux-64': 'other4xlinux-64',
  'other4xlinux-64': 'other3xlinux-64',
  'windows11-64': 'windows9-64',
};

/** The OVF guest for a .vmx `guestOS` id at hardware version `hwVersion`. */
export function ovfGuestFor(guestOS: string, hwVersion: number): OvfGuest {
  let id = guestOS.toLowerCase();
  let entry = TABLE[id];
  while (entry?.minHw !== undefined && hwVersion < entry.minHw && FALLBACK[id] !== undefined) {
    id = FALLBACK[id]!;
    entry = TABLE[id];
  }
  if (entry) return { osType: entry.osType, cimId: entry.cimId, ...(id !== guestOS.toLowerCase() ? { downgradedFrom: guestOS } : {}) };
  // VMware's rule, run backwards: `debian13-64` → `debian13_64Guest`, `solaris11` → `solaris11Guest`.
  const osType = /-64$/.test(id) ? `${id.slice(0, -3)}_64Guest` : `${id}Guest`;
  const cimId = /-64$/.test(id) ? (/linux|ubuntu|debian|rhel|centos|suse|fedora|oracle|alma|rocky/.test(id) ? CIM.linux64 : CIM.other64) : CIM.other;
  return { osType, cimId, derived: true };
}
