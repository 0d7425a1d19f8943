// Under FERRY_REQUIRE_TOOLS=1 (.ci/run as root) the NTFS suites cannot skip unseen: a machine
// without root, ntfs-3g or /dev/fuse is an error that names what is missing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canMountNtfs } from './helpers';

const all = { root: true, ntfs3g: true, fuse: true };

test('a machine with root, ntfs-3g and /dev/fuse mounts NTFS, required or not', () => {
  assert.equal(canMountNtfs({ ...all, required: false }), true);
  assert.equal(canMountNtfs({ ...all, required: true }), true);
});

test('without FUSE the suites skip on a developer machine, and fail in CI naming what is missing', () => {
  assert.equal(canMountNtfs({ ...all, fuse: false, required: false }), false);
  assert.throws(() => canMountNtfs({ ...all, fuse: false, root: false, required: true }), /FERRY_REQUIRE_TOOLS=1.*no root, \/dev\/fuse/);
});

test('this CI run has what the NTFS suites need when it says the tools are required', () => {
  if (process.env.FERRY_REQUIRE_TOOLS === '1') assert.equal(canMountNtfs(), true);
});
