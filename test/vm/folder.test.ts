// The VM folder as a whole: zero-copy over a fixed VHD, never overwriting without asking,
// nothing left behind by a failed or cancelled run, and the CLI's --json contract.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import type { VmRequest } from '../../shared/jobs';
import { FerryError } from '../../worker/engine/errors';
import { createVm } from '../../worker/engine/jobs/vm';
import { ferry, lastEvent } from '../support/cli';
import { qemuCompare } from '../support/tools';
import { tempDir } from '../support/tmp';
import { DEBUG_EXIT_STATUS, bootableRaw, writeVhd } from './disks';
import { bootUnderQemu, readDescriptor, readVmx, vmxDisk } from './vm-folder';
import { english } from '../../worker/engine/notices';

const MiB = 2 ** 20;

function vmRequest(source: string, destDir: string, over: Partial<VmRequest> = {}): VmRequest {
  return { kind: 'vm', source, destDir, subformat: 'monolithicSparse', zeroCopy: false, verify: true, overwrite: false, ...over };
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function rejectsWith(p: Promise<unknown>, code: string, re?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof FerryError, String(e));
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
}

/** Only the final folders: no staging or set-aside folders may remain. */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.includes('.ferry-'));
}

describe('--zero-copy', () => {
  const dir = tempDir({ after }, 'ferry-vm-zc');
  const marker = `FERRY-ZC-${randomBytes(4).toString('hex')}`;
  const srcDir = join(dir, 'hyper-v', 'Virtual Hard Disks');
  const vms = join(dir, 'vms');
  mkdirSync(srcDir, { recursive: true });
  mkdirSync(vms);
  const fixed = writeVhd(srcDir, 'fixed disk.vhd', bootableRaw(5 * MiB, marker), 'fixed');
  const dynamic = writeVhd(srcDir, 'dynamic.vhd', bootableRaw(2 * MiB, marker), 'dynamic');

  test('a fixed VHD is used in place: FLAT extent at offset 0 over exactly its data sectors', async () => {
    const before = sha(fixed);
    const r = await createVm(vmRequest(fixed, vms, { zeroCopy: true, controller: 'lsilogic' }), {});
    assert.equal(r.subformat, 'monolithicFlat');
    assert.equal(r.dataBytes, 0);
    assert.deepEqual(readdirSync(r.folder!).sort(), ['fixed disk.vmdk', 'fixed disk.vmx']);
    assert.ok(english(r.warnings[0]!).includes(`uses ${resolve(fixed)} in place`), english(r.warnings[0]!));

    const vmx = readVmx(r.vmx!);
    const disk = vmxDisk(vmx);
    const descriptorPath = join(r.folder!, disk.fileName);
    const d = readDescriptor(descriptorPath);
    assert.equal(d.createType, 'monolithicFlat');
    assert.deepEqual(d.extents, [{ sectors: (statSync(fixed).size - 512) / 512, type: 'FLAT', file: '../../hyper-v/Virtual Hard Disks/fixed disk.vhd', offset: 0 }]);
    assert.equal(d.ddb.get('ddb.adapterType'), 'lsilogic');

    assert.equal(qemuCompare(fixed, 'vpc', descriptorPath, 'vmdk').code, 0, 'qemu-img compare: the VM disk differs from the source');
    const boot = await bootUnderQemu(disk.controller, descriptorPath, marker);
    assert.ok(boot.sawMarker, boot.output.slice(-1000));
    assert.equal(boot.exitCode, DEBUG_EXIT_STATUS);
    assert.equal(sha(fixed), before, 'the source changed');
  });

  test('a dynamic source is refused with a clear message, leaving nothing', async () => {
    await rejectsWith(createVm(vmRequest(dynamic, vms, { zeroCopy: true }), {}), 'E_UNSUPPORTED', /needs a fixed VHD, but this is a dynamic VHD/);
    assert.equal(existsSync(join(vms, 'dynamic')), false);
    assert.deepEqual(leftovers(vms), []);
  });
});

describe('the folder appears whole or not at all', () => {
  const dir = tempDir({ after }, 'ferry-vm-folder');
  const vhd = writeVhd(dir, 'disk.vhd', bootableRaw(8 * MiB, 'X'), 'dynamic');
  const dest = join(dir, 'dest');
  mkdirSync(dest);

  test('an existing folder is refused without --overwrite and replaced with it', async () => {
    const folder = join(dest, 'disk');
    mkdirSync(folder);
    writeFileSync(join(folder, 'keep.txt'), 'mine');
    await rejectsWith(createVm(vmRequest(vhd, dest), {}), 'E_EXISTS', /already exists/);
    assert.equal(readFileSync(join(folder, 'keep.txt'), 'utf8'), 'mine');

    const r = await createVm(vmRequest(vhd, dest, { overwrite: true }), {});
    assert.equal(r.folder, folder);
    assert.deepEqual(readdirSync(folder).sort(), ['disk.vmdk', 'disk.vmx']);
    assert.deepEqual(leftovers(dest), []);
  });

  test('--overwrite never replaces the folder that holds the source disk', async () => {
    const inside = join(dest, 'inner');
    mkdirSync(inside);
    const src = writeVhd(inside, 'inner.vhd', bootableRaw(1 * MiB, 'X'), 'dynamic');
    await rejectsWith(createVm(vmRequest(src, dest, { overwrite: true }), {}), 'E_USAGE', /holds the source disk/);
    assert.ok(existsSync(src));
  });

  test('a cancelled run leaves no folder and no staging folder', async () => {
    const controller = new AbortController();
    const req = vmRequest(vhd, dest, { name: 'cancelled' });
    await rejectsWith(createVm(req, { signal: controller.signal, onProgress: () => controller.abort() }), 'E_CANCELLED');
    const pre = new AbortController();
    pre.abort();
    await rejectsWith(createVm(req, { signal: pre.signal }), 'E_CANCELLED');
    assert.equal(existsSync(join(dest, 'cancelled')), false);
    assert.deepEqual(leftovers(dest), []);
  });

  test('a refused request leaves nothing either', async () => {
    await rejectsWith(createVm(vmRequest(vhd, dest, { name: 'refused', controller: 'nvme', hwVersion: 10 }), {}), 'E_USAGE', /hardware version 13/);
    await rejectsWith(createVm(vmRequest(vhd, join(dest, 'missing')), {}), 'E_IO', /does not exist/);
    assert.equal(existsSync(join(dest, 'refused')), false);
    assert.deepEqual(leftovers(dest), []);
  });

  test('unsafe names become safe file names; the display name keeps what the user typed', async () => {
    const r = await createVm(vmRequest(vhd, dest, { name: 'CON' }), {});
    assert.equal(r.folder, join(dest, 'CON_'));
    assert.ok(existsSync(join(dest, 'CON_', 'CON_.vmx')));
    const r2 = await createVm(vmRequest(vhd, dest, { name: 'Web "front" / v2.' }), {});
    assert.equal(r2.folder, join(dest, 'Web _front_ _ v2'));
    assert.equal(readVmx(r2.vmx!).get('displayname'), 'Web |22front|22 / v2.');
  });
});

describe('ferry vm on the command line', () => {
  const dir = tempDir({ after }, 'ferry-vm-cli');
  const vhd = writeVhd(dir, 'cli.vhd', bootableRaw(4 * MiB, 'X'), 'dynamic');

  test('--json prints progress then a result naming the .vmx; a second run is E_EXISTS (exit 3)', async () => {
    const run = await ferry(['vm', vhd, dir, '--json', '--controller', 'sata', '--memory', '512', '--cpus', '1', '--hw-version', '20', '--guest', 'debian12-64']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const result = lastEvent(run);
    assert.equal(result.type, 'result');
    assert.equal(result.vmx, join(dir, 'cli', 'cli.vmx'));
    assert.equal(result.output, result.vmx);
    assert.ok(run.json.slice(0, -1).every((e) => e.type === 'progress'));
    const vmx = readVmx(join(dir, 'cli', 'cli.vmx'));
    assert.deepEqual(
      ['memsize', 'numvcpus', 'virtualhw.version', 'guestos'].map((k) => vmx.get(k)),
      ['512', '1', '20', 'debian12-64'],
    );
    assert.equal(vmxDisk(vmx).controller, 'sata');

    const again = await ferry(['vm', vhd, dir, '--json']);
    assert.equal(again.code, 3);
    assert.equal(lastEvent(again).code, 'E_EXISTS');
  });

  test('refusals the request alone decides come before a compressed source is unpacked', async () => {
    const gz = join(dir, 'packed.vhd.gz');
    writeFileSync(gz, gzipSync(readFileSync(vhd)));
    mkdirSync(join(dir, 'packed'));
    const exists = await ferry(['vm', gz, dir, '--json']);
    assert.equal(exists.code, 3);
    assert.equal(lastEvent(exists).code, 'E_EXISTS');
    const zeroCopy = await ferry(['vm', gz, dir, '--json', '--zero-copy', '--name', 'zc-gz']);
    assert.equal(zeroCopy.code, 2);
    assert.match(String(lastEvent(zeroCopy).message), /gzip-compressed/);
    for (const run of [exists, zeroCopy]) assert.deepEqual(run.json.filter((e) => e.type === 'progress'), [], 'nothing may be unpacked first');
    assert.deepEqual(leftovers(dir), []);
  });

  test('options that contradict a VM folder are usage errors (exit 1)', async () => {
    const zcSplit = await ferry(['vm', vhd, dir, '--zero-copy', '--subformat', 'twoGbMaxExtentSparse', '--name', 'zc2']);
    assert.equal(zcSplit.code, 1);
    assert.match(zcSplit.stderr, /--zero-copy .* cannot be combined with --subformat twoGbMaxExtentSparse/);
    const stream = await ferry(['vm', vhd, dir, '--subformat', 'streamOptimized', '--name', 'so']);
    assert.equal(stream.code, 1);
    assert.match(stream.stderr, /streamOptimized .*OVA/);
    const noName = await ferry(['vm', vhd, dir, '--name', '  ']);
    assert.equal(noName.code, 1);
    assert.match(noName.stderr, /--name must not be empty/);
    const wrongCase = await ferry(['vm', vhd, dir, '--subformat', 'streamoptimized', '--name', 'so']);
    assert.equal(wrongCase.code, 1);
    assert.doesNotMatch(wrongCase.stderr, /streamOptimized/, 'the choices offered to vm must not include streamOptimized');
  });

  test('--zero-copy on a dynamic VHD exits 2 with the reason', async () => {
    const run = await ferry(['vm', vhd, dir, '--zero-copy', '--name', 'zc']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--zero-copy needs a fixed VHD/);
    assert.equal(existsSync(join(dir, 'zc')), false);
  });
});
