// Parent locators as Hyper-V writes them: `parent_linkage2` is present and is the zero GUID when
// there is no second linkage (seen in the public differencing.avhdx of fox-it's dissect.hypervisor,
// made on Windows 10). The zero GUID names no parent: a disk whose DataWriteGuid is zero is not it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FerryError } from '../../worker/engine/errors';
import { openSource } from '../../worker/engine/sources/open';
import { tempDir } from '../support/tmp';
import { MiB, newGuid, writeVhdx } from './vhdx-writer';

describe('Hyper-V parent locators', () => {
  const dir = tempDir({ after }, 'ferry-vhdx-locator');
  const zero = Buffer.alloc(16);

  it('parent_linkage2 {00000000-…} does not make a disk with a zero DataWriteGuid the parent', async () => {
    writeVhdx(join(dir, 'other.vhdx'), { virtualSize: 2 * MiB, dataWriteGuid: zero });
    writeVhdx(join(dir, 'child.avhdx'), { virtualSize: 2 * MiB, parent: { linkage: newGuid(), linkage2: zero, relativePath: 'other.vhdx' } });
    await assert.rejects(openSource(join(dir, 'child.avhdx')), (e: unknown) => {
      assert.ok(e instanceof FerryError);
      assert.equal(e.code, 'E_PARENT_MISMATCH');
      assert.doesNotMatch(e.message, /or \{00000000/);
      return true;
    });
  });

  it('the real parent is still found by parent_linkage beside a zero parent_linkage2', async () => {
    const p = writeVhdx(join(dir, 'base.vhdx'), { virtualSize: 2 * MiB });
    writeVhdx(join(dir, 'top.avhdx'), { virtualSize: 2 * MiB, parent: { linkage: p.dataWriteGuid, linkage2: zero, relativePath: 'base.vhdx' } });
    await (await openSource(join(dir, 'top.avhdx'))).close();
  });
});
