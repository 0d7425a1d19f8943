// The extent path a --zero-copy descriptor writes: relative with `/` on every host (a descriptor
// made on Windows that says `..\disk.vhd` breaks once the pair moves to a Mac, Linux or ESXi),
// absolute only when no relative path exists. Windows paths are checked through path.win32.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';
import { describe, it } from 'node:test';
import { extentNameFor, extentPathFrom } from '../../worker/engine/vm/zero-copy';
import { tempDir } from '../support/tmp';

describe('zero-copy extent path', () => {
  it('is relative with forward slashes on Windows', () => {
    assert.equal(extentNameFor('C:\\VMs\\web', 'C:\\Disks\\web.vhd', win32), '../../Disks/web.vhd');
    assert.equal(extentNameFor('C:\\Users\\me\\Downloads\\web', 'C:\\Users\\me\\Downloads\\web.vhd', win32), '../web.vhd');
    assert.equal(extentNameFor('C:\\VMs\\web', 'C:\\VMs\\web\\disks\\web.vhd', win32), 'disks/web.vhd');
  });

  it('is absolute when the disk is on another Windows drive or share', () => {
    assert.equal(extentNameFor('C:\\VMs\\web', 'D:\\web.vhd', win32), 'D:\\web.vhd');
    assert.equal(extentNameFor('C:\\VMs\\web', '\\\\nas\\vms\\web.vhd', win32), '\\\\nas\\vms\\web.vhd');
  });

  it('is relative on POSIX hosts, a backslash in a name left alone', () => {
    assert.equal(extentNameFor('/home/me/vms/web', '/home/me/disks/web.vhd', posix), '../../disks/web.vhd');
    assert.equal(extentNameFor('/vms/web', '/vms/a\\b.vhd', posix), '../a\\b.vhd');
  });

  it('on this host, from real paths', async (t) => {
    const dir = tempDir(t);
    mkdirSync(join(dir, 'disks'));
    mkdirSync(join(dir, 'vms'));
    writeFileSync(join(dir, 'disks', 'web.vhd'), '');
    assert.equal(await extentPathFrom(join(dir, 'vms', 'web'), join(dir, 'disks', 'web.vhd')), '../../disks/web.vhd');
  });
});
