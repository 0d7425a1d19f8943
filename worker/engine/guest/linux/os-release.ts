// /etc/os-release (os-release(5) of systemd): the distribution's id and version, mapped to the
// VMware guestOS id that names it (docs/guest-detection.md lists the table and its sources).
import { notice, type Notice } from '../../notices';


export type OsRelease = Record<string, string>;

/** Parses KEY=value lines, with the shell quoting os-release allows. Bounded: 256 keys. */
export function parseOsRelease(text: string): OsRelease {
  const out: OsRelease = {};
  for (const line of text.split(/\r?\n/).slice(0, 1024)) {
    const m = /^([A-Z][A-Z0-9_]{0,63})=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!.trim();
    if ((v.startsWith('"') && v.endsWith('"') && v.length >= 2) || (v.startsWith("'") && v.endsWith("'") && v.length >= 2)) v = v.slice(1, -1);
    v = v.replace(/\\(["'`$\\])/g, '$1').slice(0, 256);
    out[m[1]!] = v;
    if (Object.keys(out).length >= 256) break;
  }
  return out;
}

export interface LinuxGuestId {
  guestOS: string;
  /** e.g. "Red Hat Enterprise Linux". */
  name: string;
  /** e.g. "9.4". */
  version?: string;
  /** Why this id (one clause of evidence). */
  why: Notice;
}

function major(v: string | undefined): number | undefined {
  const m = /^(\d{1,4})/.exec(v ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Highest id we name per family; newer majors use it (VMware adds ids after a release ships). */
const RHEL_IDS: Record<number, string> = { 7: 'rhel7-64', 8: 'rhel8-64', 9: 'rhel9-64' };
const CENTOS_IDS: Record<number, string> = { 7: 'centos7-64', 8: 'centos8-64', 9: 'centos9-64' };
const DEBIAN_IDS: Record<number, string> = { 8: 'debian8-64', 9: 'debian9-64', 10: 'debian10-64', 11: 'debian11-64', 12: 'debian12-64' };

function byMajor(ids: Record<number, string>, m: number | undefined): string | undefined {
  if (m === undefined) return undefined;
  const known = Object.keys(ids).map(Number).sort((a, b) => a - b);
  if (m < known[0]!) return undefined;
  const best = known.filter((k) => k <= m).pop()!;
  return ids[best];
}

/** The guestOS id for an os-release; `kernelMajor` picks the generic id when the distribution is not one VMware names. */
export function linuxGuestId(osr: OsRelease, kernelMajor?: number): LinuxGuestId {
  const id = (osr.ID ?? '').toLowerCase();
  const like = (osr.ID_LIKE ?? '').toLowerCase().split(/\s+/);
  const version = osr.VERSION_ID;
  const name = osr.NAME ?? (id || 'Linux');
  const m = major(version);
  const base = { name, ...(version ? { version } : {}) };
  const pick = (guestOS: string | undefined, why: Notice): LinuxGuestId | undefined => (guestOS ? { ...base, guestOS, why } : undefined);
  const said = version ? notice('os-release-says-version', { id: id || '(none)', version }) : notice('os-release-says', { id: id || '(none)' });
  const distro = (name: string) => notice('linux-id-distro', { said, distro: name });
  let hit: LinuxGuestId | undefined;
  switch (id) {
    case 'rhel':
      hit = pick(byMajor(RHEL_IDS, m), distro(`Red Hat Enterprise Linux ${m}`));
      break;
    case 'centos':
      hit = pick(byMajor(CENTOS_IDS, m), distro(`CentOS ${m}`));
      break;
    case 'rocky':
    case 'almalinux':
    case 'ol':
    case 'eurolinux':
    case 'virtuozzo':
      // Rebuilds of RHEL: VMware's RHEL id of the same major release fits every product version.
      hit = pick(byMajor(RHEL_IDS, m), notice('linux-id-rebuild', { said, major: String(m) }));
      break;
    case 'ubuntu':
      hit = pick('ubuntu-64', distro('Ubuntu'));
      break;
    case 'debian':
      hit = pick(byMajor(DEBIAN_IDS, m), distro(`Debian ${m}`));
      break;
    case 'sles':
    case 'sled':
    case 'sle-micro':
      hit = pick(m !== undefined && m >= 15 ? 'sles15-64' : m === 12 ? 'sles12-64' : undefined, distro(`SUSE Linux Enterprise ${m}`));
      break;
    case 'opensuse-leap':
      hit = pick(m === 15 ? 'sles15-64' : undefined, notice('linux-id-leap', { said }));
      break;
    case 'fedora':
      hit = pick('fedora-64', distro('Fedora'));
      break;
  }
  if (!hit && like.includes('ubuntu')) hit = pick('ubuntu-64', notice('linux-id-like-ubuntu', { said, like: String(osr.ID_LIKE) }));
  if (!hit && like.includes('rhel')) hit = pick(byMajor(RHEL_IDS, m), notice('linux-id-like-rhel', { said, like: String(osr.ID_LIKE), major: String(m) }));
  if (hit) return hit;
  const generic = kernelMajor !== undefined && kernelMajor >= 6 ? 'other6xlinux-64' : kernelMajor === 4 ? 'other4xlinux-64' : kernelMajor === 3 ? 'other3xlinux-64' : 'other5xlinux-64';
  const why = kernelMajor !== undefined ? notice('linux-id-generic-kernel', { said, kernel: kernelMajor, guestOS: generic }) : notice('linux-id-generic', { said, guestOS: generic });
  return { ...base, guestOS: generic, why };
}
