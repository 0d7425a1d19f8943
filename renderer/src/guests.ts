// .vmx `guestOS` values offered on the save step, grouped as VMware's own dialog groups them.
// Product names stay as they are; the words around them ("64-bit", "Other") come from the
// catalogue, read each time a label is shown so a change of language reaches them.
import { t } from './i18n';

export interface GuestChoice {
  readonly id: string;
  readonly label: string;
}

/** A choice whose label is looked up when it is read. */
function guest(id: string, label: () => string): GuestChoice {
  return {
    id,
    get label() {
      return label();
    },
  };
}

const named = (id: string, name: string): GuestChoice => guest(id, () => name);
const bits64 = (id: string, name: string): GuestChoice => guest(id, () => t('guests.bits64', { name }));
const bits32 = (id: string, name: string): GuestChoice => guest(id, () => t('guests.bits32', { name }));

function group(label: () => string, guests: readonly GuestChoice[]): { readonly label: string; readonly guests: readonly GuestChoice[] } {
  return {
    guests,
    get label() {
      return label();
    },
  };
}

export const GUEST_GROUPS: readonly { readonly label: string; readonly guests: readonly GuestChoice[] }[] = [
  group(() => t('guests.groupWindows'), [
    named('windows11-64', 'Windows 11'),
    bits64('windows9-64', 'Windows 10'),
    bits32('windows9', 'Windows 10'),
    bits64('windows8-64', 'Windows 8.x'),
    bits64('windows7-64', 'Windows 7'),
    bits32('windows7', 'Windows 7'),
    named('windows2022srvNext-64', 'Windows Server 2025'),
    named('windows2019srvNext-64', 'Windows Server 2022'),
    named('windows2019srv-64', 'Windows Server 2019'),
    named('windows9srv-64', 'Windows Server 2016'),
    named('windows8srv-64', 'Windows Server 2012'),
    named('windows7srv-64', 'Windows Server 2008 R2'),
    named('winNetStandard', 'Windows Server 2003'),
    named('winXPPro', 'Windows XP'),
  ]),
  group(() => t('guests.groupLinux'), [
    bits64('ubuntu-64', 'Ubuntu'),
    named('debian12-64', 'Debian 12'),
    named('debian11-64', 'Debian 11'),
    named('rhel9-64', 'Red Hat Enterprise Linux 9'),
    named('rhel8-64', 'Red Hat Enterprise Linux 8'),
    named('rhel7-64', 'Red Hat Enterprise Linux 7'),
    named('almalinux-64', 'AlmaLinux'),
    named('rockylinux-64', 'Rocky Linux'),
    named('fedora-64', 'Fedora'),
    named('opensuse-64', 'openSUSE'),
    named('sles15-64', 'SUSE Linux Enterprise 15'),
    named('coreos-64', 'CoreOS'),
    guest('other6xlinux-64', () => t('guests.otherLinuxKernel', { kernel: '6.x' })),
    guest('other5xlinux-64', () => t('guests.otherLinuxKernel', { kernel: '5.x' })),
    guest('otherlinux-64', () => t('guests.otherLinux')),
  ]),
  group(() => t('guests.groupOther'), [
    named('freebsd14-64', 'FreeBSD 14'),
    named('freebsd13-64', 'FreeBSD 13'),
    guest('other-64', () => t('guests.other64')),
    guest('other', () => t('guests.other32')),
  ]),
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
