// Unit tests of the engine's VMDK structures: descriptor render/parse, sparse header encoding,
// the sparse layout (GD/GT offsets and overhead), stream markers, planVmdk names and sizes,
// zero-grain marking. Checked against the test's own readers
// (test/support/vmdk-inspect.ts) and against what qemu-img writes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { markZeroGrains } from '../../worker/engine/copy/grains';
import { GD_AT_END as ENGINE_GD_AT_END, SPLIT_EXTENT_SECTORS } from '../../worker/engine/formats/vmdk/constants';
import { formatDdbUuid, newDiskIdentity, parseDescriptor, renderDescriptor, vmdkGeometry } from '../../worker/engine/formats/vmdk/descriptor';
import { SparseExtentWriter, StreamExtentWriter, sparseLayout } from '../../worker/engine/writers/vmdk/extent-writers';
import { encodeSparseHeader, parseSparseHeader } from '../../worker/engine/formats/vmdk/sparse-header';
import { VmdkWriter, planFiles, planVmdk } from '../../worker/engine/writers/vmdk/vmdk-writer';
import { tempDir } from '../support/tmp';
import { runOk } from '../support/tools';
import { GiB, KiB, MiB, pseudoRandom, writeRaw } from '../support/vhd-writer';
import { GD_AT_END, GRAIN, SECTOR, decodeSparseHeader, descriptorText, parseDescriptorText, readGrainMap, readSparseHeader, readStreamTail, walkStream } from '../support/vmdk-inspect';

const identity = { cid: 0x0000abcd, uuid: Buffer.from('00112233445566778899aabbccddeeff', 'hex'), longContentId: '0123456789abcdef012345670000abcd' };

describe('VMDK descriptor', () => {
  const text = renderDescriptor({
    createType: 'twoGbMaxExtentFlat',
    identity,
    extents: [
      { access: 'RW', sectors: SPLIT_EXTENT_SECTORS, type: 'FLAT', fileName: 'my disk-f001.vmdk', offsetSectors: 0 },
      { access: 'RW', sectors: 2048, type: 'FLAT', fileName: 'my disk-f002.vmdk', offsetSectors: 0 },
    ],
    adapter: 'lsilogic',
    totalSectors: SPLIT_EXTENT_SECTORS + 2048,
    hwVersion: 4,
  });

  it('renders VMware\'s layout: header line, ids, extent lines, DDB', () => {
    const d = parseDescriptorText(text);
    assert.equal(d.lines[0], '# Disk DescriptorFile');
    assert.equal(d.version, '1');
    assert.equal(d.cid, '0000abcd');
    assert.equal(d.parentCid, 'ffffffff');
    assert.equal(d.createType, 'twoGbMaxExtentFlat');
    assert.deepEqual(d.extents, [
      { access: 'RW', sectors: SPLIT_EXTENT_SECTORS, type: 'FLAT', file: 'my disk-f001.vmdk', offset: 0 },
      { access: 'RW', sectors: 2048, type: 'FLAT', file: 'my disk-f002.vmdk', offset: 0 },
    ]);
    assert.equal(d.ddb['ddb.adapterType'], 'lsilogic');
    assert.equal(d.ddb['ddb.uuid'], '00 11 22 33 44 55 66 77-88 99 aa bb cc dd ee ff');
    assert.equal(d.ddb['ddb.longContentID'], identity.longContentId);
    assert.equal(d.ddb['ddb.virtualHWVersion'], '4');
    assert.ok(text.includes('\n# Extent description\n'));
    assert.ok(!text.includes('\r'), 'LF line ends');
  });

  it('parses back what it renders', () => {
    const d = parseDescriptor(text);
    assert.ok(typeof d !== 'string', String(d));
    assert.equal(d.createType, 'twoGbMaxExtentFlat');
    assert.equal(d.cid, 0xabcd);
    assert.equal(d.parentCid, 0xffffffff);
    assert.deepEqual(d.extents.map((e) => [e.sectors, e.type, e.fileName, e.offsetSectors]), [
      [SPLIT_EXTENT_SECTORS, 'FLAT', 'my disk-f001.vmdk', 0],
      [2048, 'FLAT', 'my disk-f002.vmdk', 0],
    ]);
    assert.equal(d.ddb.get('ddb.adaptertype'), 'lsilogic');
  });

  it('parses descriptors written by qemu-img', (t) => {
    const dir = tempDir(t);
    runOk('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse,adapter_type=ide', join(dir, 'q.vmdk'), '5G']);
    const d = parseDescriptor(readFileSync(join(dir, 'q.vmdk'), 'utf8'));
    assert.ok(typeof d !== 'string', String(d));
    assert.equal(d.createType, 'twoGbMaxExtentSparse');
    assert.deepEqual(d.extents.map((e) => [e.sectors, e.type, e.fileName]), [
      [4194304, 'SPARSE', 'q-s001.vmdk'],
      [4194304, 'SPARSE', 'q-s002.vmdk'],
      [2097152, 'SPARSE', 'q-s003.vmdk'],
    ]);
  });

  it('rejects what cannot be read: a FLAT extent without offset, no createType, no extents, snapshot extents', () => {
    const base = '# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType="monolithicFlat"\n';
    assert.equal(typeof parseDescriptor(`${base}RW 100 FLAT "x-flat.vmdk"\n`), 'string');
    assert.equal(typeof parseDescriptor('# Disk DescriptorFile\nRW 100 FLAT "x-flat.vmdk" 0\n'), 'string');
    assert.equal(typeof parseDescriptor(base), 'string');
    assert.equal(typeof parseDescriptor(`${base}RW 100 VMFSSPARSE "x-delta.vmdk"\n`), 'string');
  });

  it('geometry: IDE is 16 heads × 63 sectors, SCSI 255 × 63, cylinders from the size, as qemu-img writes them', (t) => {
    const dir = tempDir(t);
    for (const [adapter, size] of [
      ['ide', '10M'],
      ['ide', '5G'],
      ['lsilogic', '20G'],
      ['buslogic', '1G'],
    ] as const) {
      const path = join(dir, `${adapter}-${size}.vmdk`);
      runOk('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', `subformat=monolithicFlat,adapter_type=${adapter}`, path, size]);
      const q = parseDescriptorText(readFileSync(path, 'utf8'));
      const sectors = q.extents[0]!.sectors;
      const g = vmdkGeometry(sectors, adapter);
      assert.deepEqual(
        { cylinders: String(g.cylinders), heads: String(g.heads), sectors: String(g.sectors) },
        { cylinders: q.ddb['ddb.geometry.cylinders'], heads: q.ddb['ddb.geometry.heads'], sectors: q.ddb['ddb.geometry.sectors'] },
        `${adapter} ${size}`,
      );
    }
    assert.equal(vmdkGeometry(10485760, 'ide').cylinders, 10402, 'the VMDK 5.0 technote example');
    assert.equal(vmdkGeometry(41943040, 'lsilogic').cylinders, 2610);
    assert.equal(vmdkGeometry(1, 'lsilogic').cylinders, 1, 'never zero cylinders');
  });

  it('ddb.uuid is 16 spaced hex pairs with a dash after the eighth', () => {
    assert.equal(formatDdbUuid(identity.uuid), '00 11 22 33 44 55 66 77-88 99 aa bb cc dd ee ff');
  });

  it('fresh identities: distinct CIDs, never a "no parent" value, long content id ends with the CID', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const id = newDiskIdentity();
      assert.ok(id.cid !== 0xffffffff && id.cid !== 0xfffffffe);
      assert.match(id.longContentId, /^[0-9a-f]{32}$/);
      assert.ok(id.longContentId.endsWith(id.cid.toString(16).padStart(8, '0')));
      assert.equal(id.uuid.length, 16);
      seen.add(id.cid);
    }
    assert.ok(seen.size > 490, 'CIDs are random');
  });
});

describe('sparse extent header', () => {
  const h = {
    version: 3,
    flags: 0x30001,
    capacity: 0x1_2345_6789n,
    grainSize: 128n,
    descriptorOffset: 1n,
    descriptorSize: 20n,
    numGTEsPerGT: 512,
    rgdOffset: 0n,
    gdOffset: ENGINE_GD_AT_END,
    overHead: 128n,
    uncleanShutdown: false,
    compressAlgorithm: 1,
  };

  it('encodes every field at its VMDK 5.0 offset, little-endian, with the newline test bytes', () => {
    const b = encodeSparseHeader(h);
    assert.equal(b.length, 512);
    assert.equal(b.toString('latin1', 0, 4), 'KDMV');
    const d = decodeSparseHeader(b);
    assert.equal(d.version, 3);
    assert.equal(d.flags, 0x30001);
    assert.equal(d.capacity, 0x1_2345_6789n);
    assert.equal(d.grainSize, 128n);
    assert.equal(d.descriptorOffset, 1n);
    assert.equal(d.descriptorSize, 20n);
    assert.equal(d.numGTEsPerGT, 512);
    assert.equal(d.gdOffset, GD_AT_END);
    assert.equal(d.overHead, 128n);
    assert.equal(d.uncleanShutdown, 0);
    assert.deepEqual(d.newlineChars, [0x0a, 0x20, 0x0d, 0x0a]);
    assert.equal(d.compressAlgorithm, 1);
    assert.ok(b.subarray(79).every((x) => x === 0), 'padding is zero');
  });

  it('parses back what it encodes, and headers qemu-img writes', (t) => {
    const back = parseSparseHeader(encodeSparseHeader(h));
    assert.equal(back.newlineOk, true);
    assert.deepEqual({ ...back, newlineOk: undefined }, { ...h, newlineOk: undefined });
    const dir = tempDir(t);
    const path = join(dir, 'q.vmdk');
    runOk('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicSparse', path, '100M']);
    const q = parseSparseHeader(readFileSync(path).subarray(0, 512));
    assert.equal(q.version, 1);
    assert.equal(q.capacity, 204800n);
    assert.equal(q.grainSize, 128n);
    assert.equal(q.newlineOk, true);
  });
});

describe('sparse layout (grain directory, grain tables, overhead)', () => {
  it('matches the layout qemu-img writes for monolithicSparse disks of several sizes', (t) => {
    const dir = tempDir(t);
    for (const size of ['1M', '33M', '1G', '100G']) {
      const path = join(dir, `${size}.vmdk`);
      runOk('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicSparse', path, size]);
      const q = readSparseHeader(path);
      const l = sparseLayout(Number(q.capacity), true);
      assert.deepEqual(
        { rgd: l.rgdOffset, gd: l.gdOffset, overHead: l.overHead, descriptor: l.descriptorOffset, descriptorSize: l.descriptorSectors },
        { rgd: Number(q.rgdOffset), gd: Number(q.gdOffset), overHead: Number(q.overHead), descriptor: Number(q.descriptorOffset), descriptorSize: Number(q.descriptorSize) },
        size,
      );
    }
  });

  it('without an embedded descriptor the redundant directory starts at sector 1', () => {
    const l = sparseLayout(SPLIT_EXTENT_SECTORS, false);
    assert.equal(l.rgdOffset, 1);
    assert.equal(l.gdEntries, Math.ceil(SPLIT_EXTENT_SECTORS / (512 * 128)));
    assert.equal(l.gdOffset, l.rgdOffset + l.gdSectors + l.gdEntries * 4);
    assert.equal(l.overHead % 128, 0);
    assert.ok(l.overHead >= l.gtStart + l.gdEntries * 4);
  });

  it('a written sparse extent: header last, grains after the overhead, redundant tables equal', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'e.vmdk');
    const capacity = (40 * MiB) / 512;
    const w = await SparseExtentWriter.create(path, capacity);
    const data = Buffer.concat([pseudoRandom(GRAIN, 1), Buffer.alloc(GRAIN), pseudoRandom(GRAIN, 2)]);
    const zero = new Uint8Array(3);
    markZeroGrains(data, zero);
    await w.write({ offset: 0, data, zero });
    const far = pseudoRandom(GRAIN, 3);
    await w.write({ offset: 35 * MiB, data: far, zero: new Uint8Array(1) });
    await w.finish();
    const h = readSparseHeader(path);
    assert.equal(h.capacity, BigInt(capacity));
    assert.equal(h.descriptorOffset, 0n);
    const map = readGrainMap(path, h, Number(h.gdOffset));
    assert.deepEqual([...map.grains.keys()], [0, 2, (35 * MiB) / GRAIN]);
    const file = readFileSync(path);
    assert.deepEqual(file.subarray(map.grains.get(2)! * 512, map.grains.get(2)! * 512 + GRAIN), data.subarray(2 * GRAIN));
    assert.deepEqual(readGrainMap(path, h, Number(h.rgdOffset)).grains, map.grains);
  });
});

describe('streamOptimized markers', () => {
  it('grains behind LBA/size prefixes, a GT marker after each table\'s grains, empty tables omitted, then GD, footer, EOS', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 's.vmdk');
    const capacity = (70 * MiB) / 512; // three grain tables; the middle one stays empty
    const w = await StreamExtentWriter.create(path, capacity, '# Disk DescriptorFile\n');
    const a = Buffer.concat([Buffer.from('ferry '.repeat(10923)).subarray(0, GRAIN), Buffer.alloc(GRAIN), pseudoRandom(GRAIN, 4)]);
    const za = new Uint8Array(3);
    markZeroGrains(a, za);
    await w.write({ offset: 0, data: a, zero: za });
    const b = pseudoRandom(GRAIN + 512, 5); // the disk's last grain is short
    const zb = new Uint8Array(2);
    markZeroGrains(b, zb);
    await w.write({ offset: 70 * MiB - GRAIN, data: b.subarray(0, GRAIN), zero: zb });
    await w.finish();

    const h = readSparseHeader(path);
    assert.equal(h.version, 3);
    assert.equal(h.flags, 0x30001);
    assert.equal(h.gdOffset, GD_AT_END);
    assert.equal(descriptorText(path), '# Disk DescriptorFile\n');
    const objects = walkStream(path, h);
    const shape = objects.map((o) => (o.kind === 'grain' ? `grain@${o.value}` : `marker${o.sizeOrType}:${o.value}`));
    const lastGrainLba = BigInt((70 * MiB - GRAIN) / 512);
    assert.deepEqual(shape, ['grain@0', 'grain@256', 'marker1:4', `grain@${lastGrainLba}`, 'marker1:4', 'marker2:1', 'marker3:1', 'marker0:0']);
    const file = readFileSync(path);
    const inflateAt = (sector: number): Buffer => {
      const size = file.readUInt32LE(sector * 512 + 8);
      return inflateSync(file.subarray(sector * 512 + 12, sector * 512 + 12 + size));
    };
    assert.deepEqual(inflateAt(objects[0]!.sector), a.subarray(0, GRAIN), 'compressible grain');
    assert.deepEqual(inflateAt(objects[1]!.sector), a.subarray(2 * GRAIN), 'incompressible grain');
    const tail = readStreamTail(path);
    assert.equal(Number(tail.footer.gdOffset), objects[5]!.sector + 1);
    const map = readGrainMap(path, tail.footer, Number(tail.footer.gdOffset));
    assert.deepEqual(map.gtSectors[1], 0, 'no table for the empty middle 32 MiB');
    assert.deepEqual([...map.grains.entries()], [
      [0, objects[0]!.sector],
      [2, objects[1]!.sector],
      [(70 * MiB - GRAIN) / GRAIN, objects[3]!.sector],
    ]);
  });
});

describe('planVmdk', () => {
  it('names and sizes each subformat\'s files as VMware does', () => {
    const size = 2 * SPLIT_EXTENT_SECTORS * 512 + 512;
    assert.deepEqual(planFiles(planVmdk('d.vmdk', 'monolithicSparse', size)), ['d.vmdk']);
    assert.deepEqual(planFiles(planVmdk('d.vmdk', 'streamOptimized', size)), ['d.vmdk']);
    assert.deepEqual(planFiles(planVmdk('d.vmdk', 'monolithicFlat', size)), ['d.vmdk', 'd-flat.vmdk']);
    const split = planVmdk('d.vmdk', 'twoGbMaxExtentSparse', size);
    assert.deepEqual(planFiles(split), ['d.vmdk', 'd-s001.vmdk', 'd-s002.vmdk', 'd-s003.vmdk']);
    assert.deepEqual(split.extents.map((e) => [e.start, e.length]), [
      [0, SPLIT_EXTENT_SECTORS * 512],
      [SPLIT_EXTENT_SECTORS * 512, SPLIT_EXTENT_SECTORS * 512],
      [2 * SPLIT_EXTENT_SECTORS * 512, 512],
    ]);
    assert.deepEqual(planFiles(planVmdk('d.vmdk', 'twoGbMaxExtentFlat', SPLIT_EXTENT_SECTORS * 512)), ['d.vmdk', 'd-f001.vmdk']);
  });

  it('keeps the stem of names with dots, upper-case extensions or none', () => {
    assert.deepEqual(planFiles(planVmdk('a.b.c.vmdk', 'monolithicFlat', MiB)), ['a.b.c.vmdk', 'a.b.c-flat.vmdk']);
    assert.deepEqual(planFiles(planVmdk('UP.VMDK', 'twoGbMaxExtentFlat', MiB)), ['UP.VMDK', 'UP-f001.vmdk']);
    assert.deepEqual(planFiles(planVmdk('noext', 'monolithicFlat', MiB)), ['noext', 'noext-flat.vmdk']);
  });
});

describe('zero grains', () => {
  it('marks a grain zero only when every byte is zero, including a short last grain', () => {
    const data = Buffer.alloc(3 * GRAIN + 1000);
    data[GRAIN - 1] = 1; // last byte of grain 0
    data[3 * GRAIN + 999] = 1; // last byte of the short grain
    const zero = new Uint8Array(4);
    assert.equal(markZeroGrains(data, zero), 4);
    assert.deepEqual([...zero], [0, 1, 1, 0]);
    const allZero = new Uint8Array(1);
    markZeroGrains(Buffer.alloc(1000), allZero);
    assert.deepEqual([...allZero], [1]);
  });
});

describe('VmdkWriter', () => {
  it('makes split extent files one at a time, finishing each before the next begins', async (t) => {
    const dir = tempDir(t);
    const size = 9 * GiB;
    const plan = planVmdk('split.vmdk', 'twoGbMaxExtentSparse', size);
    assert.equal(plan.extents.length, 5);
    const writer = await VmdkWriter.create(dir, plan, size, { adapter: 'lsilogic', hwVersion: 4 });
    assert.deepEqual(readdirSync(dir), ['split-s001.vmdk'], 'only the first extent before any data');
    const data = pseudoRandom(2 * GRAIN, 3);
    const zero = new Uint8Array(2);
    // Data in the fourth extent: the second and third are made and finished on the way.
    await writer.write({ offset: 7 * GiB, data, zero });
    assert.deepEqual(readdirSync(dir).sort(), ['split-s001.vmdk', 'split-s002.vmdk', 'split-s003.vmdk', 'split-s004.vmdk']);
    const files = await writer.finish();
    assert.deepEqual(files.map((f) => f.slice(dir.length + 1)), planFiles(plan));
    assert.equal(readdirSync(dir).length, 6, 'five extents and the descriptor');
    runOk('qemu-img', ['check', join(dir, 'split.vmdk')]);
    // The same bytes as a sparse raw file: qemu-img compares the two disks.
    const raw = join(dir, 'expected.raw');
    writeRaw(raw, size, [{ offset: 7 * GiB, data }]);
    runOk('qemu-img', ['compare', '-q', '-f', 'raw', '-F', 'vmdk', raw, join(dir, 'split.vmdk')]);
  });
});
