// The first-boot part of a job request as the app sends it: held to the same rules as the CLI's
// flags, strictly (unknown keys refused), before the worker sees it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseJobRequest } from '../../shared/validate';
import { publicKey } from './first-boot-support';

const vm = (firstBoot: unknown) => ({ kind: 'vm', source: '/d/disk.vhd', destDir: '/d', subformat: 'monolithicSparse', zeroCopy: false, verify: true, overwrite: false, firstBoot });

describe('firstBoot in a job request', () => {
  test('keys, a host name and files pass as given', () => {
    const key = publicKey();
    const req = parseJobRequest(vm({ sshKeys: [key], hostname: 'node-1' }));
    assert.deepEqual(req.kind === 'vm' && req.firstBoot, { sshKeys: [key], hostname: 'node-1' });
    const ova = parseJobRequest({ kind: 'ova', source: '/d/a.vhd', output: '/d/a.ova', verify: true, overwrite: false, firstBoot: { ignition: '{"ignition":{"version":"3.3.0"}}' } });
    assert.equal(ova.kind === 'ova' && ova.firstBoot?.ignition, '{"ignition":{"version":"3.3.0"}}');
  });

  const refused: Array<[string, unknown, RegExp]> = [
    ['an unknown key', { sshKey: 'x' }, /sshKey: is not expected/],
    ['a private key', { sshKeys: ['-----BEGIN RSA PRIVATE KEY-----'] }, /private key/],
    ['not a public key', { sshKeys: ['hello'] }, /not an OpenSSH public key/],
    ['a bad host name', { hostname: 'no spaces' }, /RFC 1123/],
    ['JSON that is not Ignition', { ignition: '{}' }, /not an Ignition config/],
    ['a file over 256 KiB', { cloudInit: 'x'.repeat(256 * 1024 + 1) }, /cloudInit/],
    ['keys beside a config used unchanged', { ignition: '{"ignition":{"version":"3.3.0"}}', hostname: 'a' }, /used unchanged/],
  ];
  for (const [what, fb, message] of refused) {
    test(`refuses ${what}`, () => assert.throws(() => parseJobRequest(vm(fb)), message));
  }
});
