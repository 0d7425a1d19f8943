// `ferry inspect --json`: every field checked against what the test wrote, qemu-img and libvhdi.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ferry, lastEvent } from '../support/cli';
import { gptPieces, mbrPieces } from '../support/partitions';
import { tempDir } from '../support/tmp';
import { libyalField, qemuCreateVpc, qemuInfo, qemuIo, vhdiinfo } from '../support/tools';
import {
  KiB,
  MiB,
  SECTOR,
  chsBytes,
  chsForSectors,
  pseudoRandom,
  roundUpToChs,
  uuidString,
  writeDifferencingVhd,
  writeDynamicVhd,
  writeFixedVhd,
} from '../support/vhd-writer';

interface Info {
  path: string;
  format: string;
  variant: string;
  virtualSize: number;
  sizeCandidates?: { currentSize: number; chsSize: number; chosen: string; reason: string };
  allocatedBytes: number;
  blockSize?: number;
  creator?: { app: string; appName?: string; version: string; host: string };
  uuid?: string;
  geometry?: { cylinders: number; heads: number; sectorsPerTrack: number };
  savedState?: boolean;
  footerLength?: number;
  parents: Array<{ path: string; variant: string; uuid?: string }>;
  partitions: null | { scheme: string; diskId?: string; partitions: Array<{ index: number; type: string; typeName: string; name?: string; startBytes: number; sizeBytes: number; bootable?: boolean }> };
  warnings: string[];
}

async function inspect(path: string, ...extra: string[]): Promise<Info> {
  const r = await ferry(['inspect', path, '--json', ...extra]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.stdout.trim().split('\n').length, 1, 'one JSON object');
  return JSON.parse(r.stdout) as Info;
}

describe('ferry inspect --json', () => {
  const dir = tempDir({ after }, 'ferry-inspect');

  it('a dynamic VHD with an MBR: identity, sizes, blocks, creator and partitions (primary and logical)', async () => {
    const { size, geometry } = roundUpToChs(40 * MiB);
    const pieces = mbrPieces({
      signature: 0x1234abcd,
      primaries: [
        { type: 0x83, startLba: 2048, sectors: 20480, bootable: true },
        { type: 0x07, startLba: 22528, sectors: 8192 },
      ],
      extended: { startLba: 30720, sectors: 40000, logical: [{ type: 0x82, offset: 63, sectors: 4096 }, { type: 0x83, offset: 63, sectors: 2048 }] },
    });
    const path = join(dir, 'mbr.vhd');
    const w = writeDynamicVhd(path, { size, geometry, pieces, blockSize: 512 * KiB, creatorApp: 'win ', creatorVersion: 0x000a0000, creatorHost: 'Wi2k' });
    const info = await inspect(path);
    assert.equal(info.format, 'vhd');
    assert.equal(info.variant, 'dynamic');
    assert.equal(info.virtualSize, size);
    assert.equal(info.sizeCandidates, undefined, 'no size candidates when current size and CHS agree');
    assert.equal(info.blockSize, 512 * KiB);
    const blocks = new Set(pieces.map((p) => Math.floor(p.offset / (512 * KiB)))).size;
    assert.equal(info.allocatedBytes, blocks * 512 * KiB, 'allocated bytes = allocated blocks');
    assert.deepEqual(info.creator && { app: info.creator.app, version: info.creator.version, host: info.creator.host }, { app: 'win', version: '10.0', host: 'Windows' });
    assert.equal(info.uuid, uuidString(w.uuid));
    assert.equal(info.uuid, libyalField(vhdiinfo(path).stdout, 'Identifier'), 'libvhdi reads the same UUID');
    assert.deepEqual(info.geometry, geometry);
    assert.equal(info.savedState, false);
    assert.deepEqual(info.parents, []);
    assert.deepEqual(info.warnings, []);
    assert.equal(info.partitions?.scheme, 'mbr');
    assert.equal(info.partitions?.diskId, '0x1234abcd');
    const parts = info.partitions!.partitions.map((p) => ({ index: p.index, type: p.type, startBytes: p.startBytes, sizeBytes: p.sizeBytes, bootable: p.bootable ?? false }));
    assert.deepEqual(parts, [
      { index: 1, type: '0x83', startBytes: 2048 * SECTOR, sizeBytes: 20480 * SECTOR, bootable: true },
      { index: 2, type: '0x07', startBytes: 22528 * SECTOR, sizeBytes: 8192 * SECTOR, bootable: false },
      { index: 3, type: '0x05', startBytes: 30720 * SECTOR, sizeBytes: 40000 * SECTOR, bootable: false },
      { index: 5, type: '0x82', startBytes: (30720 + 63) * SECTOR, sizeBytes: 4096 * SECTOR, bootable: false },
      { index: 6, type: '0x83', startBytes: (30720 + 63 + 4096 + 63) * SECTOR, sizeBytes: 2048 * SECTOR, bootable: false },
    ]);
    assert.match(info.partitions!.partitions[0]!.typeName, /linux/i);
  });

  it('a fixed VHD with a GPT: partition type GUIDs, names, starts and sizes', async () => {
    const size = 16 * MiB;
    const pieces = gptPieces(size, {
      diskGuid: '01234567-89ab-cdef-0123-456789abcdef',
      partitions: [
        { typeGuid: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b', uniqueGuid: '11111111-2222-3333-4444-555555555555', firstLba: 2048, lastLba: 4095, name: 'EFI system partition' },
        { typeGuid: '0fc63daf-8483-4772-8e79-3d69d8477de4', uniqueGuid: '66666666-7777-8888-9999-aaaaaaaaaaaa', firstLba: 4096, lastLba: 32734, name: 'root ünïcode' },
      ],
    });
    const path = join(dir, 'gpt.vhd');
    writeFixedVhd(path, { size, pieces });
    const info = await inspect(path);
    assert.equal(info.variant, 'fixed');
    assert.equal(info.allocatedBytes, size);
    assert.equal(info.partitions?.scheme, 'gpt');
    assert.equal(info.partitions?.diskId, '01234567-89ab-cdef-0123-456789abcdef');
    assert.deepEqual(
      info.partitions!.partitions.map((p) => ({ index: p.index, type: p.type, name: p.name, startBytes: p.startBytes, sizeBytes: p.sizeBytes })),
      [
        { index: 1, type: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b', name: 'EFI system partition', startBytes: 2048 * SECTOR, sizeBytes: 2048 * SECTOR },
        { index: 2, type: '0fc63daf-8483-4772-8e79-3d69d8477de4', name: 'root ünïcode', startBytes: 4096 * SECTOR, sizeBytes: (32734 - 4096 + 1) * SECTOR },
      ],
    );
    assert.match(info.partitions!.partitions[0]!.typeName, /EFI/i);
  });

  it('a disk without a partition table reports partitions: null', async () => {
    const path = join(dir, 'blank.vhd');
    writeDynamicVhd(path, { size: 2 * MiB, pieces: [{ offset: 4096, data: pseudoRandom(512, 1) }] });
    assert.equal((await inspect(path)).partitions, null);
  });

  it('when current size and CHS disagree it shows both and which one it chose (Virtual PC → CHS)', async () => {
    const path = join(dir, 'vpc.vhd');
    const currentSize = 4 * MiB;
    const geometry = chsForSectors(currentSize / SECTOR);
    writeDynamicVhd(path, { size: currentSize, geometry, creatorApp: 'vpc ', creatorVersion: 0x00050000, pieces: [] });
    const info = await inspect(path);
    assert.equal(info.virtualSize, chsBytes(geometry));
    assert.ok(info.sizeCandidates);
    assert.equal(info.sizeCandidates.currentSize, currentSize);
    assert.equal(info.sizeCandidates.chsSize, chsBytes(geometry));
    assert.equal(info.sizeCandidates.chosen, 'chs');
    assert.ok(info.sizeCandidates.reason.length > 0);
    assert.equal(info.creator?.app, 'vpc');
    assert.equal(info.creator?.version, '5.0');
  });

  it('--vhd-size current overrides the creator rule', async () => {
    const path = join(dir, 'vpc.vhd');
    const info = await inspect(path, '--vhd-size', 'current');
    assert.equal(info.virtualSize, 4 * MiB);
  });

  it('when current size and CHS disagree for Hyper-V it chooses the current size', async () => {
    const path = join(dir, 'win.vhd');
    writeDynamicVhd(path, { size: 4 * MiB, creatorApp: 'win ', pieces: [] });
    const info = await inspect(path);
    assert.equal(info.virtualSize, 4 * MiB);
    assert.equal(info.sizeCandidates?.chosen, 'current');
  });

  it('a differencing chain lists its parents nearest first, with their UUIDs', async () => {
    const d = join(dir, 'chain');
    mkdirSync(d);
    const size = 3 * MiB;
    const base = writeFixedVhd(join(d, 'base.vhd'), { size, pieces: [] });
    const mid = writeDifferencingVhd(join(d, 'mid.vhd'), { size, parentUuid: base.uuid, parentName: 'base.vhd', pieces: [{ offset: 0, data: pseudoRandom(2 * SECTOR, 2) }] });
    const top = writeDifferencingVhd(join(d, 'top.vhd'), {
      size,
      blockSize: 512 * KiB,
      parentUuid: mid.uuid,
      locators: [{ kind: 'W2ru', text: '.\\mid.vhd' }],
      pieces: [{ offset: MiB, data: pseudoRandom(SECTOR, 3) }],
    });
    const info = await inspect(join(d, 'top.vhd'));
    assert.equal(info.variant, 'differencing');
    assert.equal(info.uuid, uuidString(top.uuid));
    assert.equal(info.blockSize, 512 * KiB);
    assert.deepEqual(info.parents.map((p) => ({ path: p.path, variant: p.variant, uuid: p.uuid })), [
      { path: join(d, 'mid.vhd'), variant: 'differencing', uuid: uuidString(mid.uuid) },
      { path: join(d, 'base.vhd'), variant: 'fixed', uuid: uuidString(base.uuid) },
    ]);
    assert.equal(libyalField(vhdiinfo(join(d, 'top.vhd')).stdout, 'Parent identifier'), uuidString(mid.uuid), 'libvhdi reads the same parent UUID');
  });

  it('a pre-2004 fixed VHD reports its 511-byte footer', async () => {
    const path = join(dir, 'old.vhd');
    const { size, geometry } = roundUpToChs(MiB);
    writeFixedVhd(path, { size, geometry, footerLength: 511, creatorApp: 'vpc ', pieces: [] });
    const info = await inspect(path);
    assert.equal(info.variant, 'fixed');
    assert.equal(info.footerLength, 511);
    assert.equal(info.virtualSize, size);
  });

  it('a saved-state disk says so, with a warning', async () => {
    const path = join(dir, 'saved.vhd');
    writeDynamicVhd(path, { size: MiB, savedState: true, pieces: [] });
    const info = await inspect(path);
    assert.equal(info.savedState, true);
    assert.ok(info.warnings.some((w) => /saved/i.test(w)), JSON.stringify(info.warnings));
  });

  it('a bad footer checksum at the end is a warning, not a failure', async () => {
    const path = join(dir, 'badfooter.vhd');
    writeDynamicVhd(path, { size: MiB, pieces: [], corrupt: { eofFooterChecksum: true } });
    const info = await inspect(path);
    assert.ok(info.warnings.some((w) => /checksum/i.test(w)), JSON.stringify(info.warnings));
  });

  it('a qemu-img VHD: size, creator and UUID agree with qemu-img and libvhdi', async () => {
    const path = join(dir, 'qemu.vhd');
    qemuCreateVpc(path, 10 * MiB + 512, 'dynamic');
    qemuIo(path, 'vpc', ['write -q -P 0x5a 0 4096', 'write -q -P 0xa5 8M 4096']);
    const info = await inspect(path);
    assert.equal(info.virtualSize, qemuInfo(path, 'vpc')['virtual-size']);
    assert.equal(info.creator?.app, 'qemu');
    assert.equal(info.blockSize, 2 * MiB);
    assert.equal(info.allocatedBytes, 2 * 2 * MiB, 'two 2 MiB blocks written');
    assert.equal(info.uuid, libyalField(vhdiinfo(path).stdout, 'Identifier'));
  });

  it('a qemu-img VHD made with force_size=on reports creator "qem2" and the exact size', async () => {
    const path = join(dir, 'qem2.vhd');
    qemuCreateVpc(path, 10 * MiB + 512, 'fixed', true);
    const info = await inspect(path);
    assert.equal(info.creator?.app, 'qem2');
    assert.equal(info.virtualSize, 10 * MiB + 512);
  });

  it('the human form names the format, size, creator and partitions', async () => {
    const r = await ferry(['inspect', join(dir, 'mbr.vhd')]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /VHD/);
    assert.match(r.stdout, /dynamic/);
    assert.match(r.stdout, /MBR/);
  });

  it('a file that is not a disk: exit 2 with E_NOT_A_DISK', async () => {
    const path = join(dir, 'junk.dat');
    writeFileSync(path, pseudoRandom(4096, 9));
    const r = await ferry(['inspect', path, '--json']);
    assert.equal(r.code, 2);
    assert.equal(lastEvent(r).code, 'E_NOT_A_DISK');
  });
});
