// .vmx `guestOS` values offered on the save step, grouped as VMware's own dialog groups them.

export interface GuestChoice {
  id: string;
  label: string;
}

export const GUEST_GROUPS: readonly { label: string; guests: readonly GuestChoice[] }[] = [
  {
    label: 'Windows',
    guests: [
      { id: 'windows11-64', label: 'Windows 11' },
      { id: 'windows9-64', label: 'Windows 10 (64-bit)' },
      { id: 'windows9', label: 'Windows 10 (32-bit)' },
      { id: 'windows8-64', label: 'Windows 8.x (64-bit)' },
      { id: 'windows7-64', label: 'Windows 7 (64-bit)' },
      { id: 'windows7', label: 'Windows 7 (32-bit)' },
      { id: 'windows2022srvNext-64', label: 'Windows Server 2025' },
      { id: 'windows2019srvNext-64', label: 'Windows Server 2022' },
      { id: 'windows2019srv-64', label: 'Windows Server 2019' },
      { id: 'windows9srv-64', label: 'Windows Server 2016' },
      { id: 'windows8srv-64', label: 'Windows Server 2012' },
      { id: 'windows7srv-64', label: 'Windows Server 2008 R2' },
      { id: 'winNetStandard', label: 'Windows Server 2003' },
      { id: 'winXPPro', label: 'Windows XP' },
    ],
  },
  {
    label: 'Linux',
    guests: [
      { id: 'ubuntu-64', label: 'Ubuntu (64-bit)' },
      { id: 'debian12-64', label: 'Debian 12' },
      { id: 'debian11-64', label: 'Debian 11' },
      { id: 'rhel9-64', label: 'Red Hat Enterprise Linux 9' },
      { id: 'rhel8-64', label: 'Red Hat Enterprise Linux 8' },
      { id: 'rhel7-64', label: 'Red Hat Enterprise Linux 7' },
      { id: 'almalinux-64', label: 'AlmaLinux' },
      { id: 'rockylinux-64', label: 'Rocky Linux' },
      { id: 'fedora-64', label: 'Fedora' },
      { id: 'opensuse-64', label: 'openSUSE' },
      { id: 'sles15-64', label: 'SUSE Linux Enterprise 15' },
      { id: 'coreos-64', label: 'CoreOS' },
      { id: 'other6xlinux-64', label: 'Other Linux, 6.x kernel (64-bit)' },
      { id: 'other5xlinux-64', label: 'Other Linux, 5.x kernel (64-bit)' },
      { id: 'otherlinux-64', label: 'Other Linux (64-bit)' },
    ],
  },
  {
    label: 'Other',
    guests: [
      { id: 'freebsd14-64', label: 'FreeBSD 14' },
      { id: 'freebsd13-64', label: 'FreeBSD 13' },
      { id: 'other-64', label: 'Other (64-bit)' },
      { id: 'other', label: 'Other (32-bit)' },
    ],
  },
];

export function guestLabel(id: string): string | undefined {
  for (const group of GUEST_GROUPS) for (const g of group.guests) if (g.id === id) return g.label;
  return undefined;
}

/** Hardware versions worth offering, newest first, with the products that open them. */
export const HW_VERSIONS: readonly { version: number; label: string }[] = [
  { version: 21, label: '21 — Workstation 17.5, Fusion 13.5, ESXi 8.0 U2' },
  { version: 20, label: '20 — Workstation 17, Fusion 13, ESXi 8.0' },
  { version: 19, label: '19 — Workstation 16.2, Fusion 12.2, ESXi 7.0 U2' },
  { version: 18, label: '18 — Workstation 16, Fusion 12, ESXi 7.0 U1' },
  { version: 16, label: '16 — Workstation 15.1, Fusion 11.1' },
  { version: 14, label: '14 — Workstation 14, Fusion 10, ESXi 6.7' },
  { version: 12, label: '12 — Workstation 12, Fusion 8' },
  { version: 11, label: '11 — Workstation 11, Fusion 7, ESXi 6.0' },
  { version: 10, label: '10 — Workstation 10, ESXi 5.5' },
];
