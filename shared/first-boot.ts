// The rules for what a user gives a machine's first boot (SSH keys, a host name, their own
// Ignition config or cloud-init user-data): the CLI, the app's request check and the engine all
// hold input to the same rules, so each says the same thing about the same mistake.
import { sayFirstBootProblem, type FirstBootProblem } from './first-boot-problems';
import type { FirstBoot } from './jobs';

/** The most a first-boot file may hold: ample for a config, small enough to sit in a .vmx line. */
export const FIRST_BOOT_FILE_MAX = 256 * 1024;
/** The most public keys one machine is given. */
export const SSH_KEYS_MAX = 64;
/** One public key line (an RSA 16384-bit key in base64 is about 2.8 KB; comments are short). */
export const SSH_KEY_MAX = 16 * 1024;

/** The key types OpenSSH writes in a `.pub` file (ssh-keygen -t rsa|ecdsa|ed25519|*-sk; ssh-dss for old keys). */
const KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ssh-dss',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|^PuTTY-User-Key-File-/m;

/** Whether `text` holds a private key (PEM/OpenSSH armour or a PuTTY .ppk). */
export function looksLikePrivateKey(text: string): boolean {
  return PRIVATE_KEY.test(text);
}

/**
 * What keeps `line` from being one OpenSSH public key (`type base64 [comment]`, the blob naming
 * the same type), or undefined when it is one.
 */
export function publicKeyIssue(line: string): FirstBootProblem | undefined {
  if (looksLikePrivateKey(line)) return { code: 'keyPrivate' };
  if (/[\r\n]/.test(line)) return { code: 'keyOneLine' };
  if (line.length > SSH_KEY_MAX) return { code: 'keyTooLong', max: SSH_KEY_MAX };
  const m = /^(\S+) ([A-Za-z0-9+/]+={0,2})(?: [^\u0000-\u001f\u007f]*)?$/.exec(line.trim());
  if (!m) return { code: 'keyNotOpenSsh' };
  const type = m[1]!;
  if (!(KEY_TYPES as readonly string[]).includes(type)) return { code: 'keyType', type: type.slice(0, 40), types: KEY_TYPES.join(', ') };
  // The blob starts with the key type as an SSH string (RFC 4253 §6.6): a length, then the name.
  let blob: string;
  try {
    blob = atob(m[2]!);
  } catch {
    return { code: 'keyBase64' };
  }
  const len = ((blob.charCodeAt(0) << 24) | (blob.charCodeAt(1) << 16) | (blob.charCodeAt(2) << 8) | blob.charCodeAt(3)) >>> 0;
  if (blob.length < 4 + type.length || len !== type.length || blob.slice(4, 4 + len) !== type) return { code: 'keyBlob', type };
  return undefined;
}

/** Why `line` is not one OpenSSH public key, in English, or undefined when it is one. */
export function publicKeyProblem(line: string): string | undefined {
  const issue = publicKeyIssue(line);
  return issue && sayFirstBootProblem(issue);
}

/** The key lines of a public-key file: every line that is neither empty nor a `#` comment. */
export function publicKeyLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** The text of a first-boot file (UTF-8, a byte-order mark dropped), or why it cannot be one. */
export function firstBootText(bytes: Uint8Array): { text: string } | { problem: FirstBootProblem } {
  if (bytes.length > FIRST_BOOT_FILE_MAX) return { problem: { code: 'fileTooLarge', size: bytes.length, maxKiB: FIRST_BOOT_FILE_MAX / 1024 } };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '') };
  } catch {
    return { problem: { code: 'fileNotText' } };
  }
}

/**
 * The public keys of one key file (a .pub file or an authorized_keys list), or what is wrong
 * with it; `key` says which key line (from 1) when the file has several.
 */
export function keyFileKeys(text: string): { keys: string[] } | { problem: FirstBootProblem; key?: number } {
  if (looksLikePrivateKey(text)) return { problem: { code: 'filePrivateKey' } };
  const keys = publicKeyLines(text);
  if (keys.length === 0) return { problem: { code: 'fileNoKey' } };
  for (const [i, line] of keys.entries()) {
    const problem = publicKeyIssue(line);
    if (problem) return keys.length > 1 ? { problem, key: i + 1 } : { problem };
  }
  return { keys };
}

/** What keeps `name` from being a host name (RFC 1123: dot-separated labels of letters, digits and inner hyphens), or undefined. */
export function hostnameIssue(name: string): FirstBootProblem | undefined {
  if (name.length < 1 || name.length > 253) return { code: 'hostnameLength' };
  for (const label of name.split('.')) {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label)) return { code: 'hostnameLabels' };
  }
  return undefined;
}

/** Why `name` is not a host name, in English, or undefined. */
export function hostnameProblem(name: string): string | undefined {
  const issue = hostnameIssue(name);
  return issue && sayFirstBootProblem(issue);
}

/** The `ignition.version` of an Ignition config, or why `text` is not one. */
export function ignitionVersion(text: string): { version: string } | { problem: string } {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (err) {
    return { problem: `is not JSON (${(err as Error).message})` };
  }
  const ignition = typeof config === 'object' && config !== null && !Array.isArray(config) ? (config as Record<string, unknown>).ignition : undefined;
  const version = typeof ignition === 'object' && ignition !== null ? (ignition as Record<string, unknown>).version : undefined;
  if (typeof version !== 'string') return { problem: 'is JSON but not an Ignition config: it has no "ignition": {"version": "..."}' };
  if (!/^\d+\.\d+\.\d+(-experimental)?$/.test(version)) return { problem: `has ignition.version "${version.slice(0, 40)}", which is not a spec version such as "3.3.0"` };
  return { version };
}

/**
 * Every problem of a first-boot request, each as "<what> <problem>" (`names` says how a field
 * is called where it came from: a CLI flag or a wizard field). Empty when it is fine.
 */
export function firstBootProblems(fb: FirstBoot, names: Record<keyof FirstBoot, string>): string[] {
  const out: string[] = [];
  const sized = (key: 'ignition' | 'cloudInit' | 'cloudInitMeta'): string | undefined => {
    const v = fb[key];
    if (v === undefined) return undefined;
    if (v.length > FIRST_BOOT_FILE_MAX) out.push(`${names[key]} is larger than ${FIRST_BOOT_FILE_MAX / 1024} KiB.`);
    else if (v.includes('\0')) out.push(`${names[key]} holds NUL bytes; it must be a text file.`);
    return v;
  };
  if (fb.sshKeys !== undefined) {
    if (fb.sshKeys.length > SSH_KEYS_MAX) out.push(`${names.sshKeys}: at most ${SSH_KEYS_MAX} keys.`);
    fb.sshKeys.slice(0, SSH_KEYS_MAX).forEach((k, i) => {
      const p = publicKeyProblem(k);
      if (p) out.push(`${names.sshKeys} (key ${i + 1}) ${p}.`);
    });
  }
  if (fb.hostname !== undefined) {
    const p = hostnameProblem(fb.hostname);
    if (p) out.push(`${names.hostname} "${fb.hostname.slice(0, 80)}" ${p}.`);
  }
  const ignition = sized('ignition');
  if (ignition !== undefined) {
    const v = ignitionVersion(ignition);
    if ('problem' in v) out.push(`${names.ignition} ${v.problem}.`);
  }
  const userData = sized('cloudInit');
  const metaData = sized('cloudInitMeta');
  const generated = (fb.sshKeys?.length ?? 0) > 0 || fb.hostname !== undefined;
  if (ignition !== undefined && generated) {
    out.push(`${names.ignition} is used unchanged, so ${names.sshKeys} and ${names.hostname} cannot be added to it; put the keys and the host name in your Ignition config (passwd.users, /etc/hostname).`);
  }
  if (userData !== undefined && metaData !== undefined && generated) {
    out.push(`${names.cloudInit} and ${names.cloudInitMeta} are both used unchanged, so ${names.sshKeys} and ${names.hostname} have nowhere to go; put them in your user-data (ssh_authorized_keys, hostname).`);
  }
  return out;
}

/** Whether a first-boot request asks for anything at all. */
export function hasFirstBoot(fb: FirstBoot | undefined): fb is FirstBoot {
  return fb !== undefined && ((fb.sshKeys?.length ?? 0) > 0 || fb.hostname !== undefined || fb.ignition !== undefined || fb.cloudInit !== undefined || fb.cloudInitMeta !== undefined);
}

/** The CLI flag of each first-boot field, as the CLI and the engine name them in messages. */
export const FIRST_BOOT_FLAGS: Record<keyof FirstBoot, string> = {
  sshKeys: '--ssh-key',
  hostname: '--hostname',
  ignition: '--ignition',
  cloudInit: '--cloud-init',
  cloudInitMeta: '--cloud-init-meta',
};
