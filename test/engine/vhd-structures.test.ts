// Unit tests of the engine's VHD structures: footer, checksum, dynamic header, locators, BAT and
// bitmaps. Inputs come from the independent test writer (checked against libvhdi elsewhere) and
// from qemu-img, never from the engine's own encoders.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ReadOnlyFile } from '../../worker/engine/io/read-only-file';
import { openSource } from '../../worker/engine/sources/open';
import { vhdChecksum } from '../../worker/engine/formats/vhd/checksum';
import { LocatorCode, decodeUtf16, decodeUtf16Guess, parseVhdDynamicHeader } from '../../worker/engine/formats/vhd/dynamic-header';
import { hasVhdCookie, parseVhdFooter, uuidText } from '../../worker/engine/formats/vhd/footer';
import { vhdParentCandidates } from '../../worker/engine/sources/vhd/locators';
import { tempDir } from '../support/tmp';
import { qemuCreateVpc } from '../support/tools';
import {
  KiB,
  MiB,
  SECTOR,
  encodeFooter,
  newUuid,
  pseudoRandom,
  rawBytes,
  uuidString,
  vhdChecksum as writerChecksum,
  writeDifferencingVhd,
  writeDynamicVhd,
  type Piece,
} from '../support/vhd-writer';

describe('VHD checksum', () => {
  it('is the one\'s complement of the byte sum, skipping the checksum field', () => {
    const b = Buffer.alloc(16);
    b[0] = 1;
    b[1] = 2;
    b[8] = 0xff; // inside a pretend checksum field at 8..11: ignored
    b[15] = 3;
    assert.equal(vhdChecksum(b, 8), ~6 >>> 0);
  });

  it('agrees with the checksum qemu-img stores in its footer and dynamic header', (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'q.vhd');
    qemuCreateVpc(path, 3 * MiB, 'dynamic');
    const file = readFileSync(path);
    const footer = file.subarray(file.length - 512);
    assert.equal(vhdChecksum(footer, 64), footer.readUInt32BE(64));
    const header = file.subarray(512, 1536);
    assert.equal(vhdChecksum(header, 36), header.readUInt32BE(36));
  });

  it('agrees with the test writer on random structures', () => {
    for (let seed = 1; seed < 20; seed++) {
      const b = pseudoRandom(512, seed);
      assert.equal(vhdChecksum(b, 64), writerChecksum(b, 64));
    }
  });
});

describe('VHD footer', () => {
  const uuid = newUuid();
  const raw = encodeFooter({
    diskType: 3,
    currentSize: 10 * MiB,
    originalSize: 9 * MiB,
    dataOffset: 512n,
    geometry: { cylinders: 301, heads: 4, sectorsPerTrack: 17 },
    creatorApp: 'vpc ',
    creatorVersion: 0x00050003,
    creatorHost: 'Mac ',
    uuid,
    savedState: true,
    timestamp: 123456789,
  });

  it('parses every field, big-endian', () => {
    const f = parseVhdFooter(raw);
    assert.equal(f.features, 2);
    assert.equal(f.formatVersion, 0x00010000);
    assert.equal(f.dataOffset, 512n);
    assert.equal(f.timestamp, 123456789);
    assert.equal(f.creatorApp, 'vpc ');
    assert.equal(f.creatorVersion, 0x00050003);
    assert.equal(f.creatorHostOs, 'Mac ');
    assert.equal(f.originalSize, BigInt(9 * MiB));
    assert.equal(f.currentSize, BigInt(10 * MiB));
    assert.deepEqual(f.geometry, { cylinders: 301, heads: 4, sectorsPerTrack: 17 });
    assert.equal(f.diskType, 3);
    assert.equal(f.checksumValid, true);
    assert.equal(uuidText(f.uniqueId), uuidString(uuid));
    assert.equal(f.savedState, true);
  });

  it('detects a checksum that does not match', () => {
    const bad = Buffer.from(raw);
    bad[100] = bad[100]! ^ 0x40; // a reserved byte changed: the sum no longer matches
    assert.equal(parseVhdFooter(bad).checksumValid, false);
  });

  it('parses the 511-byte footer of Virtual PC before 2004 (the missing byte counts as zero)', () => {
    const f = parseVhdFooter(raw.subarray(0, 511));
    assert.equal(f.checksumValid, true);
    assert.equal(f.currentSize, BigInt(10 * MiB));
  });

  it('recognises the cookie only where it is', () => {
    assert.equal(hasVhdCookie(raw), true);
    assert.equal(hasVhdCookie(raw, 1), false);
    assert.equal(hasVhdCookie(Buffer.from('conecti')), false);
  });
});

describe('VHD dynamic header and parent locators', () => {
  it('parses table offset, entries, block size, parent UUID, UTF-16BE parent name and locator entries', (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'child.vhd');
    const parentUuid = newUuid();
    const w = writeDifferencingVhd(path, {
      size: 5 * MiB,
      blockSize: 512 * KiB,
      tableOffset: 8192,
      spareTableEntries: 3,
      parentUuid,
      parentTimestamp: 4242,
      parentName: 'Disque é 日本 \u{1F4BE}.vhd',
      locators: [
        { kind: 'W2ru', text: '.\\parent.vhd' },
        { kind: 'W2ku', text: 'C:\\VMs\\parent.vhd', spaceUnit: 'bytes' },
        { kind: 'MacX', text: 'file:///Users/me/parent.vhd' },
      ],
      pieces: [],
    });
    const h = parseVhdDynamicHeader(readFileSync(path).subarray(512, 1536));
    assert.equal(h.checksumValid, true);
    assert.equal(h.tableOffset, 8192n);
    assert.equal(h.headerVersion, 0x00010000);
    assert.equal(h.maxTableEntries, 10 + 3);
    assert.equal(h.blockSize, 512 * KiB);
    assert.equal(uuidText(h.parentUniqueId), uuidString(parentUuid));
    assert.equal(h.parentTimestamp, 4242);
    assert.equal(h.parentName, 'Disque é 日本 \u{1F4BE}.vhd');
    assert.deepEqual(
      h.locators.slice(0, 4).map((l) => l.code),
      [LocatorCode.W2ru, LocatorCode.W2ku, LocatorCode.MacX, 0],
    );
    assert.equal(h.locators[0]!.dataLength, Buffer.byteLength('.\\parent.vhd', 'utf16le'));
    assert.equal(h.locators[0]!.dataSpace, 1, 'W2ru: space in sectors');
    assert.equal(h.locators[1]!.dataSpace, 512, 'W2ku: space in bytes, as some writers store it');
    assert.ok(h.locators.every((l, i) => i >= 3 || l.dataOffset >= BigInt(w.tableOffset + 512)));
  });

  it('flags a dynamic header whose checksum does not match', (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'd.vhd');
    writeDynamicVhd(path, { size: MiB, pieces: [], corrupt: { headerChecksum: true } });
    assert.equal(parseVhdDynamicHeader(readFileSync(path).subarray(512, 1536)).checksumValid, false);
  });

  it('decodes UTF-16 in either byte order, up to the first NUL', () => {
    const le = Buffer.concat([Buffer.from('..\\a é.vhd', 'utf16le'), Buffer.alloc(6)]);
    assert.equal(decodeUtf16(le, 'le'), '..\\a é.vhd');
    const be = Buffer.from(le).swap16();
    assert.equal(decodeUtf16(be, 'be'), '..\\a é.vhd');
    assert.equal(decodeUtf16Guess(le), '..\\a é.vhd');
    assert.equal(decodeUtf16Guess(be), '..\\a é.vhd');
  });

  it('turns locators into parent candidates in order: relative, absolute, Mac URL, stored name', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'child.vhd');
    writeDifferencingVhd(path, {
      size: MiB,
      parentUuid: newUuid(),
      parentName: 'byname.vhd',
      locators: [
        { kind: 'MacX', text: 'file:///srv/Mac%20Disks/mac.vhd' },
        { kind: 'W2ku', text: '\\srv\\abs\\absolute.vhd' },
        { kind: 'W2ru', text: '.\\sub\\relative.vhd' },
      ],
      pieces: [],
    });
    const file = await ReadOnlyFile.open(path);
    try {
      const header = parseVhdDynamicHeader(await file.readExact(512, 1024, 'header'));
      const paths = (await vhdParentCandidates(path, file, header)).map((c) => c.path);
      assert.deepEqual(paths.slice(0, 4), [join(dir, 'sub', 'relative.vhd'), '/srv/abs/absolute.vhd', '/srv/Mac Disks/mac.vhd', join(dir, 'byname.vhd')]);
      assert.ok(paths.includes(join(dir, 'absolute.vhd')), 'the absolute locator\'s file name beside the child is tried too');
    } finally {
      await file.close();
    }
  });
});

describe('BAT and sector bitmaps, through the opened source', () => {
  async function readAll(path: string): Promise<{ data: Buffer; extents: Array<{ offset: number; length: number; kind: string }> }> {
    const src = await openSource(path);
    try {
      const data = Buffer.alloc(src.size);
      await src.read(0, src.size, data);
      const extents = [];
      for await (const e of src.runs()) extents.push(e);
      return { data, extents };
    } finally {
      await src.close();
    }
  }

  it('unallocated blocks read as zeros and are reported as zero extents; allocated ones in any file order', async (t) => {
    const dir = tempDir(t);
    const size = 4 * MiB;
    const pieces: Piece[] = [
      { offset: 512 * KiB + 100, data: pseudoRandom(1000, 1) },
      { offset: 3 * MiB, data: pseudoRandom(SECTOR, 2) },
    ];
    writeDynamicVhd(join(dir, 'd.vhd'), { size, blockSize: 512 * KiB, pieces, blockOrder: 'descending' });
    const { data, extents } = await readAll(join(dir, 'd.vhd'));
    assert.deepEqual(data, rawBytes(size, pieces));
    assert.deepEqual(extents, [
      { offset: 0, length: 512 * KiB, kind: 'zero' },
      { offset: 512 * KiB, length: 512 * KiB, kind: 'data' },
      { offset: MiB, length: 2 * MiB, kind: 'zero' },
      { offset: 3 * MiB, length: 512 * KiB, kind: 'data' },
      { offset: 3 * MiB + 512 * KiB, length: 512 * KiB, kind: 'zero' },
    ]);
  });

  it('a differencing block takes each sector from the layer whose bitmap has it (MSB first)', async (t) => {
    const dir = tempDir(t);
    const size = MiB;
    const base: Piece[] = [{ offset: 0, data: pseudoRandom(size, 3) }];
    const b = writeDynamicVhd(join(dir, 'base.vhd'), { size, pieces: base });
    // Sectors 0, 7, 8 and 15: the first and last bit of the first two bitmap bytes.
    const top: Piece[] = [0, 7, 8, 15].map((s) => ({ offset: s * SECTOR, data: pseudoRandom(SECTOR, 10 + s) }));
    const child = join(dir, 'child.vhd');
    const w = writeDifferencingVhd(child, { size, blockSize: 64 * KiB, parentUuid: b.uuid, parentName: 'base.vhd', pieces: top, unsetFill: 0xee });
    const bitmap = readFileSync(child).subarray(w.blocks.get(0)!, w.blocks.get(0)! + 2);
    assert.deepEqual([...bitmap], [0x81, 0x81], 'the writer set the bits the spec says');
    const { data, extents } = await readAll(child);
    assert.deepEqual(data, rawBytes(size, [...base, ...top]));
    assert.ok(!data.includes(Buffer.alloc(SECTOR, 0xee)), 'no sector of the child\'s unset fill shows');
    let end = 0;
    for (const e of extents) {
      assert.equal(e.offset, end, 'extents are contiguous and ordered');
      end += e.length;
    }
    assert.equal(end, size, 'extents cover the disk');
  });

  it('reads at unaligned offsets and lengths give the same bytes', async (t) => {
    const dir = tempDir(t);
    const size = 2 * MiB;
    const base: Piece[] = [{ offset: 0, data: pseudoRandom(size, 4) }];
    const b = writeDynamicVhd(join(dir, 'base.vhd'), { size, blockSize: 512 * KiB, pieces: base });
    const top: Piece[] = [{ offset: 512 * KiB - SECTOR, data: pseudoRandom(3 * SECTOR, 5) }];
    writeDifferencingVhd(join(dir, 'child.vhd'), { size, blockSize: 512 * KiB, parentUuid: b.uuid, parentName: 'base.vhd', pieces: top });
    const truth = rawBytes(size, [...base, ...top]);
    const src = await openSource(join(dir, 'child.vhd'));
    try {
      for (const [offset, length] of [
        [1, 1],
        [512 * KiB - 700, 2000],
        [511, 513],
        [size - 3, 3],
      ] as const) {
        const buf = Buffer.alloc(length);
        await src.read(offset, length, buf);
        assert.deepEqual(buf, truth.subarray(offset, offset + length), `read(${offset}, ${length})`);
      }
    } finally {
      await src.close();
    }
  });
});
