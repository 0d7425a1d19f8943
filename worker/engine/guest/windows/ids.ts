// The VMware guestOS id of a Windows installation, from its registry's CurrentVersion: the build
// number decides (Windows 11 still calls itself "Windows 10" in ProductName; servers are told
// apart by InstallationType). Build numbers: Microsoft's release information pages for Windows
// client and Windows Server; ids: vSphere API VirtualMachineGuestOsIdentifier (docs/guest-detection.md).
import type { WindowsVersion } from '../registry/windows-keys';
import { notice, type Notice } from '../../notices';

export interface WindowsGuestId {
  guestOS: string;
  name: string;
  version?: string;
  build?: number;
  why: Notice;
}

/** Server releases by their first build (LTSC releases; semi-annual ones map to the one before). */
const SERVERS: Array<{ build: number; name: string; id: string }> = [
  { build: 26100, name: 'Windows Server 2025', id: 'windows2022srvnext-64' },
  { build: 20348, name: 'Windows Server 2022', id: 'windows2019srvnext-64' },
  { build: 17763, name: 'Windows Server 2019', id: 'windows2019srv-64' },
  { build: 14393, name: 'Windows Server 2016', id: 'windows9srv-64' },
  { build: 9600, name: 'Windows Server 2012 R2', id: 'windows8srv-64' },
  { build: 9200, name: 'Windows Server 2012', id: 'windows8srv-64' },
  { build: 7600, name: 'Windows Server 2008 R2', id: 'windows7srv-64' },
  { build: 6000, name: 'Windows Server 2008', id: 'longhorn-64' },
];

const CLIENTS: Array<{ build: number; name: string; id: string }> = [
  { build: 22000, name: 'Windows 11', id: 'windows11-64' },
  { build: 10240, name: 'Windows 10', id: 'windows9-64' },
  { build: 9600, name: 'Windows 8.1', id: 'windows8-64' },
  { build: 9200, name: 'Windows 8', id: 'windows8-64' },
  { build: 7600, name: 'Windows 7', id: 'windows7-64' },
  { build: 6000, name: 'Windows Vista', id: 'winvista-64' },
];

export function isServer(v: WindowsVersion): boolean {
  return /server/i.test(v.installationType ?? '') || /server/i.test(v.productName ?? '') || /^Server/i.test(v.editionId ?? '');
}

export function windowsGuestId(v: WindowsVersion): WindowsGuestId {
  const server = isServer(v);
  const build = v.build;
  const version = [v.displayVersion, build !== undefined ? `build ${build}${v.ubr !== undefined ? `.${v.ubr}` : ''}` : undefined].filter(Boolean).join(', ') || undefined;
  const said = notice('windows-said', { product: v.productName ?? '?', installation: v.installationType ?? '?', build: build ?? '?' });
  const row = build === undefined ? undefined : (server ? SERVERS : CLIENTS).find((r) => build >= r.build);
  if (!row) {
    return { guestOS: 'windows9-64', name: v.productName ?? 'Windows', ...(version ? { version } : {}), ...(build !== undefined ? { build } : {}), why: notice('windows-id-generic', { said }) };
  }
  // ProductName keeps "Windows 10" on Windows 11; name the release by its build instead.
  let name = v.productName ?? row.name;
  if (!server && build! >= 22000) name = name.replace(/Windows 10/, 'Windows 11');
  if (server && !name.includes(row.name.replace('Windows ', ''))) name = row.name;
  return { guestOS: row.id, name, ...(version ? { version } : {}), build: build!, why: notice(server ? 'windows-id-server' : 'windows-id-client', { said, release: row.name, guestOS: row.id }) };
}
