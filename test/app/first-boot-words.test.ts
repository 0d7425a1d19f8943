// The first-boot field problems reach the wizard as codes with parameters and are said from the
// catalogues: the English catalogue holds the CLI's own words (which stay exactly as they were),
// Simplified Chinese its own.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { FIRST_BOOT_MESSAGES } from '../../shared/first-boot-problems';
import { hostnameProblem, keyFileKeys, publicKeyProblem } from '../../shared/first-boot';
import { i18n } from '../../renderer/src/i18n';
import { problemsWith } from '../../renderer/src/store/choices';
import { sayKeyFileProblem } from '../../renderer/src/store/first-boot-words';
import { ROOT } from '../harness/server';
import { publicKey } from '../vm/first-boot-support';

const catalogue = (file: string) => JSON.parse(readFileSync(join(ROOT, 'shared/i18n', file), 'utf8')) as { firstBootProblem: Record<string, string> };

function linuxChoices(fields: { sshKeys?: string; hostname?: string }): Parameters<typeof problemsWith>[0] {
  return {
    layout: 'dynamic', saveAs: 'vm', name: 'Disk', destination: '/tmp', guestOS: 'other5xlinux-64', memoryMB: 2048, cpus: 2, firmware: 'bios',
    controller: 'auto', hwVersion: 'auto', verify: true, overwrite: false, preallocateSplit: false, vhdSizeRule: 'auto', guestRepair: true, ...fields,
  } as Parameters<typeof problemsWith>[0];
}

const PRIVATE = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';

afterEach(async () => {
  await i18n.changeLanguage('en');
});

describe('first-boot problems by code', () => {
  test('the English catalogue says each problem in the CLI\'s words, Chinese has each in its own', () => {
    assert.deepEqual(catalogue('en.json').firstBootProblem, FIRST_BOOT_MESSAGES);
    const zh = catalogue('zh-CN.json').firstBootProblem;
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(FIRST_BOOT_MESSAGES).sort());
    for (const [code, text] of Object.entries(zh)) assert.match(text, /\p{Script=Han}/u, `${code} is in Chinese`);
  });

  test('the CLI\'s English is what it was', () => {
    assert.equal(publicKeyProblem('-----BEGIN RSA PRIVATE KEY-----'), 'is a private key; give the public key (the .pub file beside it), never the private one');
    assert.equal(publicKeyProblem('hello'), 'is not an OpenSSH public key ("ssh-ed25519 AAAA... comment", as in a .pub file)');
    assert.equal(
      publicKeyProblem('ssh-foo AAAAB3NzaC1yc2E= x'),
      'is not an OpenSSH public key: it starts with "ssh-foo", not a key type (ssh-ed25519, ssh-rsa, ssh-dss, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com)',
    );
    assert.equal(publicKeyProblem(`ssh-rsa ${publicKey().split(' ')[1]} x`), 'has a key whose data does not say "ssh-rsa"');
    assert.equal(publicKeyProblem(`ssh-ed25519 ${'A'.repeat(17000)}`), 'is longer than 16384 characters');
    assert.equal(hostnameProblem('web_01'), 'must be letters, digits and hyphens in dot-separated labels of up to 63 characters, none starting or ending with a hyphen (RFC 1123)');
    assert.equal(hostnameProblem('x'.repeat(254)), 'must be 1 to 253 characters');
    assert.equal(publicKeyProblem(publicKey()), undefined);
  });

  test('a key file: its keys, or the problem and which key', () => {
    const key = publicKey();
    assert.deepEqual(keyFileKeys(`# mine\n${key}\n\n`), { keys: [key] });
    assert.deepEqual(keyFileKeys(PRIVATE), { problem: { code: 'filePrivateKey' } });
    assert.deepEqual(keyFileKeys('\n# nothing\n'), { problem: { code: 'fileNoKey' } });
    assert.deepEqual(keyFileKeys(`${key}\nhello\n`), { problem: { code: 'keyNotOpenSsh' }, key: 2 });
  });

  test('in English the wizard says what it said before, and a chosen file as the CLI says it', () => {
    assert.equal(problemsWith(linuxChoices({ sshKeys: PRIVATE.split('\n')[0]! })).sshKeys, 'This is a private key; give the public key (the .pub file beside it), never the private one.');
    assert.equal(problemsWith(linuxChoices({ sshKeys: `${publicKey()}\nhello` })).sshKeys, 'Key 2 is not an OpenSSH public key ("ssh-ed25519 AAAA... comment", as in a .pub file).');
    assert.equal(problemsWith(linuxChoices({ hostname: 'web_01' })).hostname, 'A host name must be letters, digits and hyphens in dot-separated labels of up to 63 characters, none starting or ending with a hyphen (RFC 1123).');
    assert.equal(
      sayKeyFileProblem('id_ed25519', { code: 'filePrivateKey' }),
      'id_ed25519: is a private key. Give the public key instead (usually the same name with .pub, e.g. ~/.ssh/id_ed25519.pub); a private key must never leave your machine.',
    );
    assert.equal(sayKeyFileProblem('keys.pub', { code: 'keyType', type: 'ssh-foo', types: 'ssh-rsa' }, 2), 'keys.pub: key 2 is not an OpenSSH public key: it starts with "ssh-foo", not a key type (ssh-rsa).');
  });

  test('in Simplified Chinese the same problems in Chinese, with their parameters', async () => {
    await i18n.changeLanguage('zh-CN');
    assert.equal(problemsWith(linuxChoices({ sshKeys: PRIVATE.split('\n')[0]! })).sshKeys, '此密钥是私钥；请提供公钥（它旁边的 .pub 文件），切勿提供私钥。');
    assert.equal(problemsWith(linuxChoices({ sshKeys: `${publicKey()}\nssh-foo AAAAB3NzaC1yc2E=` })).sshKeys?.startsWith('第 2 个密钥不是 OpenSSH 公钥：它以“ssh-foo”开头'), true);
    assert.match(problemsWith(linuxChoices({ hostname: 'web_01' })).hostname!, /^主机名只能由字母、数字和连字符组成.*（RFC 1123）。$/);
    assert.equal(sayKeyFileProblem('big.pub', { code: 'fileTooLarge', size: 300000, maxKiB: 256 }), '文件 big.pub 有 300000 字节；首次启动文件最多 256 KiB。');
  });
});
