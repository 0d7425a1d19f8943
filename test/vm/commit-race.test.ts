// A VM folder name taken between Ferry's check and its commit is never replaced: not by a
// folder (even an empty one), not by a file. With --overwrite it is replaced, as asked.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { moveNoReplace } from '../../worker/engine/output/no-replace';
import { tempDir } from '../support/tmp';
import { MiB, writeDynamicVhd } from '../support/vhd-writer';
import { ferryWithIntruder } from './intruder';

function setUp(dir: string): { src: string; dest: string } {
  const src = join(dir, 'in.vhd');
  writeDynamicVhd(src, { size: 8 * MiB, pieces: [{ offset: 0, data: Buffer.alloc(MiB, 5) }] });
  const dest = join(dir, 'vms');
  mkdirSync(dest);
  return { src, dest };
}

describe('the VM folder name taken between the check and the commit', () => {
  test('an empty folder made meanwhile: E_EXISTS (exit 3), the folder stays empty, nothing of Ferry\'s left', async (t) => {
    const dir = tempDir(t);
    const { src, dest } = setUp(dir);
    const r = await ferryWithIntruder(dir, ['vm', src, dest, '--name', 'Box', '--no-verify'], { at: 0, kind: 'folder' });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /Box: appeared while Ferry was writing/);
    assert.deepEqual(readdirSync(dest), ['Box']);
    assert.deepEqual(readdirSync(join(dest, 'Box')), []);
  });

  test('a file of that name made meanwhile: E_EXISTS (exit 3), the file untouched', async (t) => {
    const dir = tempDir(t);
    const { src, dest } = setUp(dir);
    const r = await ferryWithIntruder(dir, ['vm', src, dest, '--name', 'Box', '--no-verify'], { at: 0, kind: 'file', content: 'mine' });
    assert.equal(r.code, 3, r.stderr);
    assert.equal(readFileSync(join(dest, 'Box'), 'utf8'), 'mine');
    assert.deepEqual(readdirSync(dest), ['Box']);
  });

  test('with --overwrite the empty folder is replaced by the VM', async (t) => {
    const dir = tempDir(t);
    const { src, dest } = setUp(dir);
    const r = await ferryWithIntruder(dir, ['vm', src, dest, '--name', 'Box', '--no-verify', '--overwrite'], { at: 0, kind: 'folder' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(join(dest, 'Box')).sort(), ['Box.vmdk', 'Box.vmx']);
    assert.deepEqual(readdirSync(dest), ['Box']);
  });
});

describe('moving a file into place without replacing', () => {
  test('a taken name is E_EXISTS and the staged file stays', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'a'), 'staged');
    writeFileSync(join(dir, 'b'), 'theirs');
    await assert.rejects(moveNoReplace(join(dir, 'a'), join(dir, 'b')), (e: Error & { code?: string }) => e.code === 'E_EXISTS');
    assert.equal(readFileSync(join(dir, 'b'), 'utf8'), 'theirs');
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'staged');
  });

  test('on a file system without hard links (FAT, exFAT) the name is claimed exclusively, then renamed onto', async (t) => {
    const dir = tempDir(t);
    const noLinks = async (): Promise<void> => {
      throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
    };
    writeFileSync(join(dir, 'a'), 'staged');
    await moveNoReplace(join(dir, 'a'), join(dir, 'c'), noLinks);
    assert.equal(readFileSync(join(dir, 'c'), 'utf8'), 'staged');
    assert.deepEqual(readdirSync(dir), ['c']);
    writeFileSync(join(dir, 'a'), 'staged again');
    await assert.rejects(moveNoReplace(join(dir, 'a'), join(dir, 'c'), noLinks), (e: Error & { code?: string }) => e.code === 'E_EXISTS');
    assert.equal(readFileSync(join(dir, 'c'), 'utf8'), 'staged');
    assert.ok(statSync(join(dir, 'a')).isFile());
  });
});
