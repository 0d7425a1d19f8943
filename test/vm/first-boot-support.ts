// Shared by the first-boot tests: public keys made the way ssh-keygen lays them out, the
// guestinfo of a .vmx or an OVF decoded, YAML read by PyYAML.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from '../support/tools';

/** An ed25519 public key line: the blob is the key type and 32 key bytes as SSH strings (RFC 4253 §6.6, RFC 8709). */
export function publicKey(comment = 'user@host'): string {
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(randomBytes(32))]).toString('base64')} ${comment}`;
}

export function writeText(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The decoded value of `guestinfo.<key>` (lower-cased key map, as parseVmx gives), checking its `.encoding`. */
export function decoded(entries: Map<string, string>, key: string): string | undefined {
  const value = entries.get(`guestinfo.${key}`.toLowerCase());
  if (value === undefined) return undefined;
  if (entries.get(`guestinfo.${key}.encoding`.toLowerCase()) !== 'base64') throw new Error(`guestinfo.${key} has no base64 encoding entry`);
  return Buffer.from(value, 'base64').toString('utf8');
}

/** YAML as PyYAML reads it (cloud-init reads its configs with PyYAML). */
export function yaml(text: string): unknown {
  return JSON.parse(runOk('python3', ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.argv[1])))', text]).stdout);
}
