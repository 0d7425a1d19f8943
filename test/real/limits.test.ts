// The contract's limits held against what real tools write: each value is made the way the tool
// makes it (at its maximum), read by the engine exactly as the worker does, and handed to the
// host's validator of worker messages. A refusal here is the wizard's "malformed message".
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as tarStream from 'tar-stream';
import type { DiskInfo } from '../../shared/disk-info';
import type { JobResult } from '../../shared/jobs';
import { LIMITS, fitText } from '../../shared/limits';
import { parseHostEvent } from '../../shared/host-contract';
import { parsePath } from '../../shared/validate';
import { parseInspectAnswer, parseRunAnswer } from '../../shared/worker-protocol';
import { toErrorInfo } from '../../worker/engine/errors';
import { inspectDisk } from '../../worker/engine/inspect/inspect';
import { gptPieces, type GptPartition } from '../support/partitions';
import { tempDir } from '../support/tmp';
import { MiB, SECTOR, newUuid, writeDifferencingVhd, writeRaw, type Piece } from '../support/vhd-writer';
import { writeVhdx } from '../vhdx/vhdx-writer';

/** What the host's validator makes of a worker's inspect answer for `path` (the worker's own steps). */
async function throughWorker(path: string): Promise<{ disk?: DiskInfo; error?: { code: string; message: string } }> {
  let message: unknown;
  try {
    message = { type: 'done', value: { disk: await inspectDisk(path) } };
  } catch (err) {
    message = { type: 'failed', error: toErrorInfo(err) };
  }
  const parsed = parseInspectAnswer(message);
  if (parsed.type === 'done') return { disk: parsed.value.disk };
  if (parsed.type === 'failed') return { error: parsed.error };
  throw new Error(`unexpected ${parsed.type}`);
}

/** A VHDX whose file type identifier holds `creator` in all 256 UTF-16 units it has room for. */
function vhdxWithCreator(path: string, creator: string): void {
  writeVhdx(path, { virtualSize: 4 * MiB, creator: '' });
  const ident = Buffer.alloc(512);
  Buffer.from(creator, 'utf16le').copy(ident);
  const file = readFileSync(path);
  ident.copy(file, 8);
  writeFileSync(path, file);
}

const GUID_LINUX = '0fc63daf-8483-4772-8e79-3d69d8477de4';

function ext4Superblock(label: string): Buffer {
  const sb = Buffer.alloc(1024);
  sb.writeUInt16LE(0xef53, 0x38);
  sb.writeUInt32LE(0x40, 0x60); // incompat: extents, so "ext4"
  Buffer.from(label, 'utf8').copy(sb, 0x78, 0, 16);
  return sb;
}

describe('limits against what real tools write', () => {
  test('a VHDX made by Windows ("Microsoft Windows 10.0.18363.0") reaches the wizard', async (t) => {
    const path = join(tempDir(t), 'windows.vhdx');
    vhdxWithCreator(path, 'Microsoft Windows 10.0.18363.0');
    const { disk } = await throughWorker(path);
    assert.equal(disk?.creator?.app, 'Microsoft Windows 10.0.18363.0');
  });

  test('a VHDX creator of all 256 UTF-16 characters (no terminating NUL) reaches the wizard whole', async (t) => {
    const path = join(tempDir(t), 'long-creator.vhdx');
    const creator = 'Ĉ'.repeat(100) + 'x'.repeat(LIMITS.creator - 100);
    vhdxWithCreator(path, creator);
    const { disk } = await throughWorker(path);
    assert.equal(disk?.creator?.app, creator);
  });

  test('128 GPT partitions with 36-character names and 16-byte ext4 labels, and a 256-byte btrfs label', async (t) => {
    const path = join(tempDir(t), 'many.img');
    const size = 160 * MiB;
    const partitions: GptPartition[] = [];
    const pieces: Piece[] = [];
    for (let i = 0; i < 128; i++) {
      const firstLba = 2048 + i * 2048;
      partitions.push({ typeGuid: GUID_LINUX, uniqueGuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, firstLba, lastLba: firstLba + 2047, name: `${'n'.repeat(33)}${String(i).padStart(3, '0')}` });
      if (i === 0) {
        const btrfs = Buffer.alloc(0x10000 + 0x12b + 256);
        btrfs.write('_BHRfS_M', 0x10040, 'latin1');
        btrfs.fill('b', 0x10000 + 0x12b);
        pieces.push({ offset: firstLba * SECTOR, data: btrfs });
      } else {
        pieces.push({ offset: firstLba * SECTOR + 1024, data: ext4Superblock(`label-${String(i).padStart(10, '0')}`) });
      }
    }
    writeRaw(path, size, [...gptPieces(size, { diskGuid: '11111111-2222-4333-8444-555555555555', partitions }), ...pieces]);
    const { disk } = await throughWorker(path);
    assert.equal(disk?.partitions?.partitions.length, 128);
    assert.equal(disk.partitions.partitions[5]!.name!.length, 36);
    assert.equal(disk.partitions.partitions[0]!.filesystem, `btrfs "${'b'.repeat(256)}"`);
    assert.ok(disk.guest!.evidence.length > 100, `${disk.guest!.evidence.length} evidence lines`);
  });

  test('a missing parent named by long Windows paths: the error crosses whole, a huge one cut in the middle', async (t) => {
    const dir = tempDir(t);
    // 'long': one 6000-character path (over the old 4 KiB); 'huge': three of 30000 (cut to 64 KiB).
    for (const [name, length, copies] of [['long', 6000, 1], ['huge', 30_000, 3]] as const) {
      const deep = `${'folder\\'.repeat(Math.floor(length / 7))}base.vhd`;
      const path = join(dir, `${name}.vhd`);
      writeDifferencingVhd(path, {
        size: 4 * MiB,
        parentUuid: newUuid(),
        parentName: 'base.vhd',
        locators: Array.from({ length: copies }, (_, i) => ({ kind: 'W2ru' as const, text: `.\\copy${i}\\${deep}` })),
      });
      const { error } = await throughWorker(path);
      assert.equal(error?.code, 'E_PARENT_MISSING');
      assert.match(error.message, new RegExp(`^${path.replace(/[\\/.]/g, '\\$&')}: parent disk`));
      assert.match(error.message, /base\.vhd\)\.$/);
      assert.ok(error.message.length <= LIMITS.message);
      if (name === 'huge') assert.match(error.message, /…/, 'cut in the middle');
      else assert.doesNotMatch(error.message, /…/, 'whole');
    }
  });

  test('a tar member with a 40000-character pax name keeps its end', async (t) => {
    const dir = tempDir(t);
    const name = `${'deep/'.repeat(8000)}disk.img`;
    const pack = tarStream.pack();
    const image = Buffer.alloc(MiB);
    Buffer.from([0x55, 0xaa]).copy(image, 510);
    image[446 + 4] = 0x83;
    image.writeUInt32LE(1, 446 + 8);
    image.writeUInt32LE(100, 446 + 12);
    pack.entry({ name, size: image.length }, image);
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const path = join(dir, 'long-name.tar');
    writeFileSync(path, Buffer.concat(chunks));
    const { disk } = await throughWorker(path);
    assert.equal(disk?.compression?.member, fitText(name, LIMITS.member, 'tail'));
    assert.ok(disk.compression.member!.endsWith('/disk.img'));
  });

  test('Windows long paths (\\\\?\\, UNC) up to 32767 characters', () => {
    const long = `\\\\?\\C:\\${'a\\'.repeat(16_000)}disk.vhdx`;
    assert.equal(parsePath(long), long);
    const unc = `\\\\server\\share\\${'b\\'.repeat(16_000)}disk.vhdx`;
    assert.equal(parsePath(unc), unc);
  });

  test('a 64 TiB VHDX split into 2047 MiB extents: every file in the result', () => {
    const extents = Math.ceil((64 * 1024 * 1024) / 2047);
    const files = ['/v/d/d.vmx', '/v/d/d.vmdk', ...Array.from({ length: extents }, (_, i) => `/v/d/d-s${String(i + 1).padStart(3, '0')}.vmdk`)];
    const result: JobResult = { output: '/v/d/d.vmx', files, subformat: 'twoGbMaxExtentSparse', virtualSize: 64 * 1024 ** 4, dataBytes: 0, verified: true, warnings: [], warningCodes: [], seconds: 1 };
    const parsed = parseRunAnswer({ type: 'done', value: result });
    assert.equal(parsed.type === 'done' && parsed.value.files.length, files.length);
  });

  test('"Open with Ferry" on a selection of 500 disks reaches the renderer', () => {
    const paths = Array.from({ length: 500 }, (_, i) => `/home/me/disks/disk-${i}.vhdx`);
    assert.deepEqual(parseHostEvent({ name: 'openFiles', payload: paths }), { name: 'openFiles', payload: paths });
  });

  test('fitText cuts deterministically to exactly the bound', () => {
    assert.equal(fitText('abc', 3), 'abc');
    assert.equal(fitText('abcdefgh', 5), 'ab…gh');
    assert.equal(fitText('abcdefgh', 5, 'tail'), '…efgh');
    assert.equal(fitText('x'.repeat(100_000), LIMITS.message).length, LIMITS.message);
    const pairs = '😀'.repeat(10); // 20 UTF-16 units
    for (const keep of ['middle', 'tail'] as const) {
      for (let max = 2; max < 20; max++) {
        const cut = fitText(pairs, max, keep);
        assert.ok(cut.length <= max && !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(cut), `${keep} ${max}: ${cut}`);
      }
    }
  });
});
