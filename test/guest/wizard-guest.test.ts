// The wizard leaves the detected guest to the engine, as the CLI does, so the hardware-version
// fitting of the guest id (windows11-64 needs version 21) gives the same guestOS on both paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DiskInfo, GuestGuess } from '../../shared/disk-info';
import type { VmRequest } from '../../shared/jobs';
import { buildRequest, defaultChoices } from '../../renderer/src/store/choices';
import { parseCommand } from '../../worker/cli';
import { planHardware } from '../../worker/engine/machine/hardware';
import { notice } from '../../worker/engine/notices';
import { engineGuest, words } from '../support/notices';

const wireGuess: GuestGuess = { guestOS: 'windows11-64', family: 'Windows', firmware: 'efi', evidence: ['SOFTWARE: build 22631'], evidenceCodes: [notice('size-by-option')], os: { name: 'Windows 10 Pro', version: '23H2, build 22631', build: 22631 } };
const disk: DiskInfo = {
  path: '/disks/win11.vhdx',
  fileSize: 10 << 20,
  format: 'vhdx',
  variant: 'dynamic',
  virtualSize: 64 << 20,
  allocatedBytes: 8 << 20,
  parents: [],
  partitions: { scheme: 'gpt', partitions: [] },
  guest: wireGuess,
  warnings: [],
  warningCodes: [],
};
const guess = engineGuest(wireGuess);

function appRequest(hwVersion: number | 'auto', guestOS?: string): VmRequest {
  const c = defaultChoices(disk, '/out');
  const r = buildRequest({ disk, suggestedDestination: '/out', choices: { ...c, hwVersion, ...(guestOS ? { guestOS } : {}) } });
  assert.equal(r.kind, 'vm');
  return r as VmRequest;
}

function cliRequest(args: string[]): VmRequest {
  const parsed = parseCommand(['vm', disk.path, '/out', ...args]);
  assert.equal(parsed.command, 'job');
  return (parsed as { request: VmRequest }).request;
}

test('a Windows 11 disk at hardware version 19: the same guestOS (and the same note) from the wizard as from the CLI', () => {
  const app = planHardware(appRequest(19), guess);
  const cli = planHardware(cliRequest(['--hw-version', '19']), guess);
  assert.equal(cli.hardware.guestOS, 'windows9-64');
  assert.equal(app.hardware.guestOS, cli.hardware.guestOS);
  assert.deepEqual(words(app.warnings).filter((w) => /windows11-64/.test(w)), words(cli.warnings).filter((w) => /windows11-64/.test(w)));
  assert.ok(words(app.warnings).some((w) => /exact id "windows11-64" needs hardware version 21/.test(w)));
});

test('at the default and at 21 both paths agree too', () => {
  assert.equal(planHardware(appRequest('auto'), guess).hardware.guestOS, planHardware(cliRequest([]), guess).hardware.guestOS);
  assert.equal(planHardware(appRequest(21), guess).hardware.guestOS, 'windows11-64');
  assert.equal(planHardware(cliRequest(['--hw-version', '21']), guess).hardware.guestOS, 'windows11-64');
});

test('a guest the user picks in the wizard is sent, and kept as given, like --guest', () => {
  const picked = appRequest(19, 'windows2019srv-64');
  assert.equal(picked.guest, 'windows2019srv-64');
  assert.equal(planHardware(picked, guess).hardware.guestOS, planHardware(cliRequest(['--hw-version', '19', '--guest', 'windows2019srv-64']), guess).hardware.guestOS);
  assert.equal('guest' in appRequest(19), false, 'the detected guest is not sent');
});
