// The wizard's boot-repair checkbox: ticked by default (the request says nothing, so the engine
// repairs); unticked, the VM and OVA requests carry guestRepair: false; a bare .vmdk never asks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DiskInfo } from '../../shared/disk-info';
import { jobRequest } from '../../shared/validate';
import { buildRequest, defaultChoices } from '../../renderer/src/store/choices';

const disk: DiskInfo = {
  path: '/disks/win.vhd',
  fileSize: 10 << 20,
  format: 'vhd',
  variant: 'dynamic',
  virtualSize: 64 << 20,
  allocatedBytes: 8 << 20,
  parents: [],
  partitions: { scheme: 'gpt', partitions: [] },
  guest: { guestOS: 'windows9-64', family: 'Windows', firmware: 'efi', evidence: [], evidenceCodes: [], os: { name: 'Windows 10 Pro', version: '22H2, build 19045', build: 19045 } },
  warnings: [],
  warningCodes: [],
};

test('boot repair is on unless unticked, and the request passes the contract check', () => {
  const choices = defaultChoices(disk, '/out');
  assert.equal(choices.guestRepair, true);
  const on = buildRequest({ disk, suggestedDestination: '/out', choices });
  assert.equal('guestRepair' in on, false);
  for (const saveAs of ['vm', 'ova'] as const) {
    const off = buildRequest({ disk, suggestedDestination: '/out', choices: { ...choices, saveAs, guestRepair: false } });
    assert.equal((off as { guestRepair?: boolean }).guestRepair, false, saveAs);
    assert.deepEqual(jobRequest(off, 'request'), off);
  }
  const vmdk = buildRequest({ disk, suggestedDestination: '/out', choices: { ...choices, saveAs: 'vmdk', guestRepair: false } });
  assert.equal('guestRepair' in vmdk, false);
});
