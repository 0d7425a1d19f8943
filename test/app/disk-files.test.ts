// The list of files a disk reads (`DiskInfo.files`) crosses the worker → host boundary intact, and
// the validator stays bounded: a list as long as a split disk has pieces, paths up to Windows' limit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiskInfo } from '../../shared/disk-info';
import { PayloadError, parseDiskInfo } from '../../shared/validate';
import { parseInspectAnswer } from '../../shared/worker-protocol';

const disk = (files: unknown): DiskInfo =>
  ({ path: '/d/x.vmdk', fileSize: 1, format: 'vmdk', variant: 'flat', virtualSize: 512, allocatedBytes: 512, parents: [], partitions: null, warnings: [], warningCodes: [], files }) as DiskInfo;

describe('DiskInfo.files', () => {
  it('is kept by the inspect answer from the worker, in order', () => {
    const files = ['/d/x.vmdk', '/d/x-f001.vmdk', 'C:\\vms\\x-f002.vmdk', '\\\\server\\share\\parent.vhd'];
    assert.deepEqual(parseInspectAnswer({ type: 'done', value: { disk: disk(files) } }), { type: 'done', value: { disk: disk(files) } });
  });
  it('is optional (an answer without it is still valid)', () => {
    const { files: _, ...without } = disk([]);
    assert.deepEqual(parseDiskInfo(without), without);
  });
  it('takes 100 000 paths of up to 32 767 characters, and no more', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => `/d/x-f${i}.vmdk`);
    assert.equal(parseDiskInfo(disk(many)).files!.length, 100_000);
    assert.throws(() => parseDiskInfo(disk([...many, '/d/one-more'])), PayloadError);
    assert.equal(parseDiskInfo(disk([`/${'a'.repeat(32_766)}`])).files![0]!.length, 32_767);
    assert.throws(() => parseDiskInfo(disk([`/${'a'.repeat(32_767)}`])), PayloadError);
    assert.throws(() => parseDiskInfo(disk([''])), PayloadError);
    assert.throws(() => parseDiskInfo(disk('/d/x.vmdk')), PayloadError);
  });
});
