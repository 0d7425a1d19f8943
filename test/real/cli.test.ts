// Every disk of the real-tool corpus through the CLI: inspect (its answer also passes the app's
// validator), convert to all five subformats, vm and ova; each output compared with what the
// source holds (qemu-img's reading of it, and the SHA-256 the disk was made with), checked by
// `qemu-img check` and opened by libvmdk's `vmdkinfo`.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { DiskInfo } from '../../shared/disk-info';
import { SUBFORMATS } from '../../shared/options';
import { parseDiskInfo } from '../../shared/validate';
import { ferry, lastEvent } from '../support/cli';
import { mediaSize, qemuCheck, qemuCompare, runOk, vmdkinfo } from '../support/tools';
import { qemuSource, unpackCorpus } from './corpus';

const scratch = mkdtempSync(join(tmpdir(), 'ferry-real-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const corpus = unpackCorpus(scratch);

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every check of one VMDK output against the truth raw. */
function assertOutput(vmdk: string, raw: string, size: number): void {
  const cmp = qemuCompare(raw, 'raw', vmdk, 'vmdk');
  assert.equal(cmp.code, 0, `qemu-img compare ${vmdk}: ${cmp.stdout}${cmp.stderr}`);
  const check = qemuCheck(vmdk);
  assert.equal(check.code, 0, `qemu-img check ${vmdk}: ${check.stdout}${check.stderr}`);
  const info = vmdkinfo(vmdk);
  assert.equal(info.code, 0, `vmdkinfo ${vmdk}: ${info.stdout}${info.stderr}`);
  assert.equal(mediaSize(info.stdout), size, 'libvmdk sees the source size');
}

for (const disk of corpus) {
  describe(`real corpus: ${disk.name}`, () => {
    const dir = join(scratch, 'out', disk.name.replace(/\W/g, '_'));
    mkdirSync(dir, { recursive: true });
    let info: DiskInfo;
    let raw: string | undefined;

    test('inspect answers what the app accepts, with its partitions', async () => {
      const r = await ferry(['inspect', disk.path, '--json']);
      assert.equal(r.code, 0, r.stderr);
      info = parseDiskInfo(JSON.parse(r.stdout));
      if (disk.virtualSize !== undefined) assert.equal(info.virtualSize, disk.virtualSize);
      if (disk.parent !== undefined) assert.match(info.parents[0]?.path ?? '', new RegExp(`${disk.parent.replace(/\./g, '\\.')}$`));
      if (!disk.name.startsWith('extra/')) assert.ok(info.partitions && info.partitions.partitions.length > 0, 'the corpus disks hold partition tables');
      assert.ok(info.creator === undefined || info.creator.app.length > 0 || info.format === 'vmdk');
      if (disk.name.startsWith('xo-')) assert.equal(info.creator?.appName, 'Xen Orchestra');
      if (disk.name.startsWith('hyperv-stand-in.vhdx')) assert.equal(info.creator?.app, 'Microsoft Windows 10.0.18363.0');
      // The truth: qemu's reading where qemu reads the file itself, and the SHA-256 it was made with.
      if (disk.qemuFormat) {
        raw = join(dir, 'qemu.raw');
        runOk('qemu-img', ['convert', '-q', ...(disk.qemuFormat === 'vpc' ? [] : ['-f', disk.qemuFormat]), '-O', 'raw', qemuSource(disk, info), raw]);
        if (disk.sha256) assert.equal(sha256(raw), disk.sha256, "qemu-img's reading is the disk the corpus was made from");
      }
    });

    for (const subformat of SUBFORMATS) {
      test(`convert --subformat ${subformat}`, async () => {
        const out = join(dir, subformat, 'disk.vmdk');
        mkdirSync(join(dir, subformat));
        const r = await ferry(['convert', disk.path, out, '--subformat', subformat, '--json']);
        assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
        assert.equal(lastEvent(r).verified, true);
        if (!raw && disk.sha256) {
          // A chain qemu cannot read: Ferry's output is held to the SHA-256 the chain was made with.
          raw = join(dir, 'ferry.raw');
          runOk('qemu-img', ['convert', '-q', '-f', 'vmdk', '-O', 'raw', out, raw]);
          assert.equal(sha256(raw), disk.sha256, 'the merged chain is the disk the corpus was made from');
        }
        if (raw) assertOutput(out, raw, info.virtualSize);
        else {
          const check = qemuCheck(out);
          assert.equal(check.code, 0, `${check.stdout}${check.stderr}`);
        }
      });
    }

    test('vm: a VM folder whose disk holds the source', async () => {
      mkdirSync(join(dir, 'vms'));
      const r = await ferry(['vm', disk.path, join(dir, 'vms'), '--name', 'Real', '--json']);
      assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
      const folder = join(dir, 'vms', 'Real');
      assert.deepEqual(readdirSync(folder).sort(), ['Real.vmdk', 'Real.vmx']);
      if (raw) assertOutput(join(folder, 'Real.vmdk'), raw, info.virtualSize);
    });

    test('ova: its stream-optimized disk holds the source', async () => {
      const ova = join(dir, 'Real.ova');
      const r = await ferry(['ova', disk.path, ova, '--name', 'Real', '--json']);
      assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
      const unpacked = join(dir, 'ova');
      mkdirSync(unpacked);
      runOk('tar', ['-xf', ova, '-C', unpacked]);
      assert.deepEqual(readdirSync(unpacked).sort(), ['Real-disk1.vmdk', 'Real.mf', 'Real.ovf']);
      if (raw) assertOutput(join(unpacked, 'Real-disk1.vmdk'), raw, info.virtualSize);
    });
  });
}

describe('real corpus: a differencing VHD whose parent is absent', () => {
  test('exit 2 with E_PARENT_MISSING naming the parent the delta asks for', async () => {
    const lone = join(scratch, 'lone');
    mkdirSync(lone);
    const delta = corpus.find((d) => d.name === 'xo-delta.vhd')!;
    const child = join(lone, 'xo-delta.vhd');
    runOk('cp', [delta.path, child]);
    const r = await ferry(['inspect', child, '--json']);
    assert.equal(r.code, 2);
    const error = lastEvent(r) as { code: string; message: string };
    assert.equal(error.code, 'E_PARENT_MISSING');
    assert.match(error.message, /parent disk "xo-base\.vhd" not found/);
  });
});
