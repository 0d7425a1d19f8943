// What a cloud image reads on its first boot under VMware, as guestinfo keys: the .vmx carries
// them as `guestinfo.*` entries, an OVA as OVF properties that ESXi and vCenter hand to the guest.
// CoreOS-family images run Ignition (https://coreos.github.io/ignition/supported-platforms/:
// `guestinfo.ignition.config.data` and its `.encoding`); legacy CoreOS Container Linux also runs
// coreos-cloudinit, which reads `guestinfo.coreos.config.data`; other Linux images run
// cloud-init, whose VMware datasource reads `guestinfo.metadata` and `guestinfo.userdata`
// (https://cloudinit.readthedocs.io/en/latest/reference/datasources/vmware.html). Pure: no I/O.
import type { PartitionTable } from '../../../shared/disk-info';
import { notice, type EngineGuestGuess, type Notice, type NoticeParam } from '../notices';
import { FIRST_BOOT_FLAGS, firstBootProblems, hasFirstBoot, ignitionVersion } from '../../../shared/first-boot';
import type { FirstBoot, FirstBootSummary } from '../../../shared/jobs';
import { FerryError } from '../errors';

/** The first-boot agent an image runs, and the Ignition spec versions it reads. */
export type ImageFamily = 'fedora-coreos' | 'flatcar' | 'container-linux' | 'cloud-init';

export interface FamilyGuess {
  family: ImageFamily;
  /** What the image is, for warnings: a product's name, or words of a notice's own. */
  name: NoticeParam;
  /** The user a cloud image lets in with the given keys (undefined: the image's default user). */
  sshUser?: string;
}

/** The Ignition spec each family's Ignition reads: Fedora CoreOS spec 3, Flatcar 2 and 3 (3185 and later), Container Linux 2.0–2.2. */
const IGNITION_READS: Record<Exclude<ImageFamily, 'cloud-init'>, { ok: (v: string) => boolean; reads: Notice }> = {
  'fedora-coreos': { ok: (v) => v.startsWith('3.'), reads: notice('ignition-reads-3') },
  flatcar: { ok: (v) => v.startsWith('2.') || v.startsWith('3.'), reads: notice('ignition-reads-2-3') },
  'container-linux': { ok: (v) => /^2\.[0-2]\./.test(v), reads: notice('ignition-reads-2-0-to-2-2') },
};

/**
 * The family from the layout: Fedora CoreOS names its partitions BIOS-BOOT, EFI-SYSTEM, boot and
 * root; Container Linux and Flatcar share the USR-A/USR-B layout the guest guess knows, told
 * apart only by the file name (`flatcar_production_*` against `coreos_production_*`). An
 * unnamed one is treated as Container Linux: Flatcar still reads what that reads.
 */
export function imageFamily(guest: EngineGuestGuess, table: PartitionTable | null, sourceName: string): FamilyGuess {
  const names = new Set((table?.partitions ?? []).map((p) => p.name ?? ''));
  if ((names.has('EFI-SYSTEM') && names.has('boot') && names.has('root') && !names.has('USR-A')) || /fedora-coreos|rhcos/i.test(sourceName)) {
    return { family: 'fedora-coreos', name: 'Fedora CoreOS', sshUser: 'core' };
  }
  if (guest.guestOS === 'coreos-64' || names.has('USR-A')) {
    if (/flatcar/i.test(sourceName)) return { family: 'flatcar', name: 'Flatcar Container Linux', sshUser: 'core' };
    return { family: 'container-linux', name: 'CoreOS Container Linux', sshUser: 'core' };
  }
  if (guest.family === 'Linux (Ubuntu)') return { family: 'cloud-init', name: notice('image-ubuntu-cloud'), sshUser: 'ubuntu' };
  return { family: 'cloud-init', name: notice(guest.family === 'Windows' ? 'image-windows' : 'image-linux') };
}

/** A guestinfo key and its value, as the .vmx line `guestinfo.<key> = "<value>"` or an OVF property. */
export type GuestInfo = Array<[key: string, value: string]>;

export interface FirstBootPlan {
  guestinfo: GuestInfo;
  /**
   * Further OVF properties for an OVA: cloud-init's VMware datasource reads only the guestinfo
   * keys themselves, which vCenter does not set from vApp properties; in the OVF environment
   * (`guestinfo.ovfEnv`) cloud-init's OVF datasource reads `instance-id`, `hostname`,
   * `public-keys` and base64 `user-data` (cloudinit/sources/DataSourceOVF.py, as Ubuntu's own
   * cloud-image OVAs carry them).
   */
  ovfEnvironment: GuestInfo;
  warnings: Notice[];
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** `key = value` and `key.encoding = "base64"`, as Ignition, coreos-cloudinit and cloud-init read them. */
function encoded(key: string, text: string): GuestInfo {
  return [
    [`guestinfo.${key}`, base64(text)],
    [`guestinfo.${key}.encoding`, 'base64'],
  ];
}

/** An Ignition config for the `core` user's keys and the host name, in the spec the family reads. */
export function ignitionConfig(family: Exclude<ImageFamily, 'cloud-init'>, fb: FirstBoot): string {
  const spec3 = family !== 'container-linux';
  const config: Record<string, unknown> = { ignition: { version: spec3 ? '3.3.0' : '2.2.0' } };
  if (fb.sshKeys?.length) config.passwd = { users: [{ name: 'core', sshAuthorizedKeys: fb.sshKeys }] };
  if (fb.hostname !== undefined) {
    const contents = { source: `data:,${encodeURIComponent(fb.hostname)}` };
    // Spec 2 names the file system a file goes on; spec 3 paths are absolute in the real root.
    config.storage = { files: [spec3 ? { path: '/etc/hostname', mode: 0o644, overwrite: true, contents } : { filesystem: 'root', path: '/etc/hostname', mode: 0o644, contents }] };
  }
  return JSON.stringify(config);
}

/** A `#cloud-config` with the keys and the host name (YAML; every value JSON-quoted, which YAML reads as is). */
export function cloudConfig(fb: FirstBoot): string {
  const lines = ['#cloud-config'];
  if (fb.hostname !== undefined) lines.push(`hostname: ${JSON.stringify(fb.hostname)}`);
  if (fb.sshKeys?.length) lines.push('ssh_authorized_keys:', ...fb.sshKeys.map((k) => `  - ${JSON.stringify(k)}`));
  return `${lines.join('\n')}\n`;
}

/** cloud-init meta-data: an instance id (a new one per machine, so per-instance setup runs), the host name, keys. */
export function cloudMetadata(instanceId: string, fb: FirstBoot, withKeys: boolean): string {
  const lines = [`instance-id: ${JSON.stringify(instanceId)}`];
  if (fb.hostname !== undefined) lines.push(`local-hostname: ${JSON.stringify(fb.hostname)}`);
  if (withKeys && fb.sshKeys?.length) lines.push('public-keys:', ...fb.sshKeys.map((k) => `  - ${JSON.stringify(k)}`));
  return `${lines.join('\n')}\n`;
}

/**
 * cloud-init's OVF-environment properties for the same first boot. The user's own meta-data is
 * theirs alone (Ferry does not read it), so with `--cloud-init-meta` only the user-data goes.
 */
function ovfEnvironmentFor(fb: FirstBoot, instanceId: string, userData: string | undefined): GuestInfo {
  const out: GuestInfo = [];
  if (fb.cloudInitMeta === undefined) {
    out.push(['instance-id', instanceId]);
    if (fb.hostname !== undefined) out.push(['hostname', fb.hostname]);
    // Keys Ferry put in the meta-data (beside the user's own user-data); one key a line.
    if (fb.cloudInit !== undefined && fb.sshKeys?.length) out.push(['public-keys', fb.sshKeys.join('\n')]);
  }
  if (userData !== undefined) out.push(['user-data', base64(userData)]);
  return out;
}

export interface FirstBootInput {
  firstBoot: FirstBoot;
  image: FamilyGuess;
  /** cloud-init's instance id for this machine. */
  instanceId: string;
  /** Whether the image shows cloud-init: true or false when Ferry could tell, undefined when it could not look. */
  hasCloudInit?: boolean | undefined;
}

/** The guestinfo keys for a first-boot request, and what the user should know about them. */
export function planFirstBoot({ firstBoot: fb, image, instanceId, hasCloudInit }: FirstBootInput): FirstBootPlan {
  const guestinfo: GuestInfo = [];
  const ovfEnvironment: GuestInfo = [];
  const warnings: Notice[] = [];
  const generated = (fb.sshKeys?.length ?? 0) > 0 || fb.hostname !== undefined;
  const coreos = image.family !== 'cloud-init' ? image.family : undefined;

  if (fb.ignition !== undefined) {
    guestinfo.push(...encoded('ignition.config.data', fb.ignition));
    const v = ignitionVersion(fb.ignition);
    const version = 'version' in v ? v.version : '?';
    if (!coreos) warnings.push(notice('ignition-not-coreos', { image: image.name }));
    else if (!IGNITION_READS[coreos].ok(version)) {
      warnings.push(notice('ignition-version', { version, image: image.name, reads: IGNITION_READS[coreos].reads }));
    }
  } else if (coreos && generated) {
    guestinfo.push(...encoded('ignition.config.data', ignitionConfig(coreos, fb)));
  }
  if (coreos === 'container-linux') {
    // coreos-cloudinit runs beside Ignition on Container Linux and reads its own cloud-config.
    if (fb.cloudInit !== undefined) guestinfo.push(...encoded('coreos.config.data', fb.cloudInit));
    else if (generated && fb.ignition === undefined) guestinfo.push(...encoded('coreos.config.data', cloudConfig(fb)));
  }

  const userData = fb.cloudInit ?? (!coreos && generated ? cloudConfig(fb) : undefined);
  if (fb.cloudInit !== undefined && coreos && coreos !== 'container-linux') {
    warnings.push(notice('cloud-init-on-ignition', { image: image.name }));
  }
  if (userData !== undefined || fb.cloudInitMeta !== undefined) {
    const metaData = fb.cloudInitMeta ?? cloudMetadata(instanceId, fb, fb.cloudInit !== undefined);
    guestinfo.push(...encoded('metadata', metaData));
    if (userData !== undefined) guestinfo.push(...encoded('userdata', userData));
    if (!coreos) ovfEnvironment.push(...ovfEnvironmentFor(fb, instanceId, userData));
    if (!coreos) {
      if (hasCloudInit === false) warnings.push(notice('cloud-init-absent'));
      else if (hasCloudInit === undefined) {
        warnings.push(notice(typeof image.name === 'object' && image.name.code === 'image-windows' ? 'cloud-init-unchecked-windows' : 'cloud-init-unchecked', { image: image.name }));
      }
    }
  }
  return { guestinfo, ovfEnvironment, warnings };
}

export interface MachineFirstBoot extends FirstBootPlan {
  image: FamilyGuess;
}

/** The first boot of one machine: refuses bad input (E_USAGE), then plans the keys; undefined when nothing was asked. */
export function firstBootFor(fb: FirstBoot | undefined, guest: EngineGuestGuess, table: PartitionTable | null, sourceName: string, instanceId: string): MachineFirstBoot | undefined {
  if (!hasFirstBoot(fb)) return undefined;
  checkFirstBoot(fb);
  const image = imageFamily(guest, table, sourceName);
  const hasCloudInit = image.sshUser === 'ubuntu' ? true : undefined;
  return { image, ...planFirstBoot({ firstBoot: fb, image, instanceId, hasCloudInit }) };
}

/** E_USAGE for input that breaks the rules of shared/first-boot.ts, named by CLI flag. */
export function checkFirstBoot(fb: FirstBoot | undefined): void {
  if (!fb) return;
  const problems = firstBootProblems(fb, FIRST_BOOT_FLAGS);
  if (problems.length) throw new FerryError('E_USAGE', problems.join(' '), 'Run `ferry --help` for usage.');
}

/** What a job result says about the first boot: the keys written, the image family, the user to log in as. */
export function firstBootSummary(fb: MachineFirstBoot): FirstBootSummary {
  return { guestinfo: fb.guestinfo.map(([k]) => k), image: fb.image.family, ...(fb.image.sshUser ? { sshUser: fb.image.sshUser } : {}) };
}
