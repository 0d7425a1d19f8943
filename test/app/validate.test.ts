// The runtime validators of everything that crosses a boundary.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiskInfo } from '../../shared/disk-info';
import type { JobEvent, JobRequest, JobResult } from '../../shared/jobs';
import { parseAnswer, parseHostEvent } from '../../shared/host-contract';
import { PayloadError, isSafeFileName, parseDiskInfo, parseJobEvent, parseJobId, parseJobRequest, parsePath } from '../../shared/validate';

const parseInspectionResult = (v: unknown) => parseAnswer('inspect', v);
import { parseRunAnswer, parseToWorker, parseInspectAnswer } from '../../shared/worker-protocol';

const vmRequest: JobRequest = {
  kind: 'vm',
  source: '/disks/win.vhd',
  destDir: '/home/me/VMs',
  name: 'Windows 10',
  subformat: 'monolithicSparse',
  guest: 'windows9-64',
  memoryMB: 4096,
  cpus: 2,
  firmware: 'efi',
  controller: 'sata',
  hwVersion: 19,
  zeroCopy: false,
  verify: true,
  overwrite: false,
};

const convertRequest: JobRequest = {
  kind: 'convert',
  source: 'C:\\disks\\win.vhd',
  output: 'D:\\out\\win.vmdk',
  subformat: 'streamOptimized',
  adapter: 'lsilogic',
  verify: true,
  overwrite: false,
  vhdSizeRule: 'chs',
};

/** A DiskInfo with every optional field present, as `inspect` of a rich disk would answer. */
const fullDisk: DiskInfo = {
  path: '/disks/win.vhd',
  fileSize: 1_000_000,
  format: 'vhd',
  variant: 'differencing',
  virtualSize: 64 * 1024 ** 3,
  sizeCandidates: { currentSize: 10, chsSize: 12, chosen: 'current', reasonCode: { code: 'size-by-option', params: {} }, reason: 'created by Hyper-V' },
  allocatedBytes: 900_000,
  blockSize: 2 * 1024 * 1024,
  creator: { app: 'win', appName: 'Hyper-V / Windows', version: '10.0', host: 'Wi2k' },
  uuid: '6f1c…',
  geometry: { cylinders: 1, heads: 2, sectorsPerTrack: 3 },
  savedState: false,
  footerLength: 512,
  parents: [{ path: '/disks/base.vhd', variant: 'dynamic', uuid: 'x' }],
  partitions: {
    scheme: 'gpt',
    diskId: 'abcd',
    partitions: [{ index: 1, type: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', typeName: 'EFI system', name: 'EFI', startBytes: 1048576, sizeBytes: 100 << 20, bootable: false, filesystem: 'FAT32' }],
  },
  guest: { guestOS: 'windows9-64', family: 'Windows', firmware: 'efi', evidence: ['an EFI system partition'], evidenceCodes: [{ code: 'firmware-gpt-esp', params: { parts: { code: 'partition-one', params: { index: 1 } } } }] },
  compression: { format: 'gzip', layers: ['gzip', 'tar'], member: 'win.vhd', unpackedSize: 1_000_000 },
  warnings: ['one warning'],
  warningCodes: [{ code: 'vhd-saved-state', params: {} }],
};

const fullResult: JobResult = {
  output: '/vms/W/W.vmx',
  files: ['/vms/W/W.vmx', '/vms/W/W.vmdk'],
  vmx: '/vms/W/W.vmx',
  folder: '/vms/W',
  vm: { guestOS: 'windows9-64', firmware: 'efi', controller: 'sata', memoryMB: 4096, cpus: 2, hwVersion: 19, zeroCopy: false },
  subformat: 'monolithicSparse',
  virtualSize: 1,
  dataBytes: 1,
  verified: true,
  warnings: [],
  warningCodes: [],
  seconds: 1.5,
};

describe('requests from the renderer', () => {
  test('well-formed job requests pass through unchanged', () => {
    assert.deepEqual(parseJobRequest(vmRequest), vmRequest);
    assert.deepEqual(parseJobRequest(convertRequest), convertRequest);
    const minimal = { kind: 'vm', source: '/a.vhd', destDir: '/d', subformat: 'monolithicFlat', zeroCopy: false, verify: false, overwrite: true };
    assert.deepEqual(parseJobRequest(minimal), minimal);
    const ova = { kind: 'ova', source: '/a.vhd', output: '/d/a.ova', name: 'A', cpus: 2, verify: true, overwrite: false };
    assert.deepEqual(parseJobRequest(ova), ova);
    assert.throws(() => parseJobRequest({ ...ova, subformat: 'monolithicSparse' }), PayloadError);
  });

  const refused: [string, unknown][] = [
    ['not an object', 'convert /a /b'],
    ['an array', [vmRequest]],
    ['an unknown kind', { ...vmRequest, kind: 'format-c' }],
    ['an unknown key', { ...vmRequest, extra: 1 }],
    ['a relative source', { ...vmRequest, source: 'win.vhd' }],
    ['a NUL in a path', { ...vmRequest, destDir: '/home/\0me' }],
    ['a stream-optimized VM', { ...vmRequest, subformat: 'streamOptimized' }],
    ['an unknown subformat', { ...convertRequest, subformat: 'vdi' }],
    ['a guest id that could break the .vmx', { ...vmRequest, guest: 'other"\nfirmware = "efi' }],
    ['a name with a quote', { ...vmRequest, name: 'my "vm"' }],
    ['a name with a newline', { ...vmRequest, name: 'a\nb' }],
    ['memory that is not a whole number', { ...vmRequest, memoryMB: 4096.5 }],
    ['too many CPUs', { ...vmRequest, cpus: 1000 }],
    ['a string where a boolean goes', { ...vmRequest, verify: 'yes' }],
    ['a missing required field', { kind: 'convert', source: '/a.vhd', output: '/b.vmdk' }],
    ['an object with a prototype', Object.assign(Object.create({ polluted: true }), vmRequest)],
  ];
  for (const [what, payload] of refused) {
    test(`refuses ${what}`, () => {
      assert.throws(() => parseJobRequest(payload), PayloadError);
    });
  }

  test('paths must be absolute on some OS; job ids are short tokens', () => {
    for (const ok of ['/a', 'C:\\x', 'c:/x', '\\\\server\\share\\x']) assert.equal(parsePath(ok), ok);
    for (const bad of ['', 'a/b', './a', '~/a', 42, null, 'x'.repeat(5000)]) assert.throws(() => parsePath(bad), PayloadError);
    assert.equal(parseJobId('3f2a-bc'), '3f2a-bc');
    for (const bad of ['', '../x', 'a b', 'x'.repeat(65), 7]) assert.throws(() => parseJobId(bad), PayloadError);
  });

  test('messages to the worker', () => {
    assert.deepEqual(parseToWorker({ type: 'cancel' }), { type: 'cancel' });
    assert.deepEqual(parseToWorker({ type: 'inspect', path: '/a.vhd' }), { type: 'inspect', path: '/a.vhd' });
    assert.throws(() => parseToWorker({ type: 'eval', code: '1' }), PayloadError);
    const copy = { archive: '/d/a.vhd.gz', archiveSize: 10, archiveMtimeMs: 1700000000000.5, file: '/d/.a.vhd.gz.ferry-partial-1/a.vhd', nameHint: 'a.vhd', layers: ['gzip'], size: 20 };
    const keep = { type: 'inspect', path: '/d/a.vhd.gz', keepUnpackedIn: '/d' };
    assert.deepEqual(parseToWorker(keep), keep);
    const run = { type: 'run', request: { kind: 'ova', source: '/d/a.vhd.gz', output: '/d/a.ova', verify: true, overwrite: false }, reuse: copy };
    assert.deepEqual(parseToWorker(run), run);
    assert.throws(() => parseToWorker({ ...run, reuse: { ...copy, file: 'relative.vhd' } }), PayloadError);
    assert.throws(() => parseToWorker({ ...run, reuse: { ...copy, extra: 1 } }), PayloadError, 'what main hands a worker is strict');
  });

  test('file names Ferry creates', () => {
    for (const ok of ['Windows 10', 'web-01.prod', 'Ünïcödé', 'a']) assert.equal(isSafeFileName(ok), true, ok);
    for (const bad of ['', ' x', 'x ', 'x.', '..', 'a/b', 'a\\b', 'a:b', 'a*b', 'CON', 'nul.txt', 'com1', 'x'.repeat(200)]) {
      assert.equal(isSafeFileName(bad), false, bad);
    }
  });
});

describe('answers from the host and the worker', () => {
  test('a DiskInfo and a JobResult with every field survive validation whole', () => {
    assert.deepEqual(parseDiskInfo(fullDisk), fullDisk);
    assert.deepEqual(parseRunAnswer({ type: 'done', value: fullResult }), { type: 'done', value: fullResult });
  });

  test('fields the engine adds later are dropped, not fatal', () => {
    const newer = { ...fullResult, shinyNewField: { x: 1 } };
    assert.deepEqual(parseRunAnswer({ type: 'done', value: newer }), { type: 'done', value: fullResult });
  });

  test('job events are checked field by field', () => {
    const progress: JobEvent = { type: 'progress', jobId: 'j1', phase: 'verifying', done: 5, total: 10, rate: 3.5 };
    assert.deepEqual(parseJobEvent(progress), progress);
    assert.throws(() => parseJobEvent({ ...progress, phase: 'teleporting' }), PayloadError);
    assert.throws(() => parseJobEvent({ ...progress, done: -1 }), PayloadError);
    assert.throws(() => parseJobEvent({ type: 'failed', jobId: 'j1', error: { code: 'E_BOGUS', message: 'x' } }), PayloadError);
  });

  test('a result is a value or an error, never both or neither', () => {
    const good = { ok: true, value: { disk: fullDisk, suggestedDestination: '/disks' } };
    assert.deepEqual(parseInspectionResult(good), good);
    const bad = { ok: false, error: { code: 'E_NOT_A_DISK', message: 'no', hint: 'try again' } };
    assert.deepEqual(parseInspectionResult(bad), bad);
    assert.throws(() => parseInspectionResult({ value: good.value }), PayloadError);
    assert.throws(() => parseInspectionResult({ ok: false, value: good.value }), PayloadError);
  });

  test('an inspection answers the disk and, when asked to keep it, the unpacked copy', () => {
    const copy = { archive: '/d/a.vhd.gz', archiveSize: 10, archiveMtimeMs: 1, file: '/d/.a.vhd.gz.ferry-partial-1/a.vhd', nameHint: 'a.vhd', layers: ['gzip'], size: 20 };
    assert.deepEqual(parseInspectAnswer({ type: 'done', value: { disk: fullDisk } }), { type: 'done', value: { disk: fullDisk } });
    assert.deepEqual(parseInspectAnswer({ type: 'done', value: { disk: fullDisk, unpacked: { ...copy, later: true } } }), { type: 'done', value: { disk: fullDisk, unpacked: copy } });
    assert.throws(() => parseInspectAnswer({ type: 'done', value: fullDisk }), PayloadError, 'a bare DiskInfo is the old answer');
  });

  test('pushed events that do not match their channel are dropped', () => {
    const unpacking = { path: '/d/a.vhd.gz', phase: 'decompressing', done: 1, total: 2, rate: 3 };
    assert.deepEqual(parseHostEvent({ name: 'inspectProgress', payload: unpacking }), { name: 'inspectProgress', payload: unpacking });
    assert.equal(parseHostEvent({ name: 'inspectProgress', payload: { ...unpacking, path: 'a.gz' } }), null);
    assert.deepEqual(parseHostEvent({ name: 'openFiles', payload: ['/a.vhd'] }), { name: 'openFiles', payload: ['/a.vhd'] });
    assert.equal(parseHostEvent({ name: 'openFiles', payload: ['relative.vhd'] }), null);
    assert.equal(parseHostEvent({ name: 'jobEvent', payload: { type: 'done' } }), null);
    assert.equal(parseHostEvent({ name: 'somethingElse', payload: 1 }), null);
  });
});
