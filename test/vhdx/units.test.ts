// Unit tests of the VHDX reader's pieces: CRC-32C, GUIDs, BAT index math, headers, log entries,
// the active-sequence search and the replay overlay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32c, crc32cWithZeroedField } from '../../worker/engine/io/crc32c';
import { FerryError } from '../../worker/engine/errors';
import { batGeometry, bitmapEntryIndex, decodeBatEntry, payloadEntryIndex } from '../../worker/engine/formats/vhdx/bat';
import { guidText, isZeroGuid, parseGuid } from '../../worker/engine/formats/vhdx/guid';
import { chooseHeader, parseCreator } from '../../worker/engine/formats/vhdx/headers';
import { descriptorSectors, findActiveSequence, parseLogEntry } from '../../worker/engine/sources/vhdx/log';
import { BAT_REGION, METADATA_REGION } from '../../worker/engine/formats/vhdx/region-table';
import { LogOverlayBuilder } from '../../worker/engine/sources/vhdx/patched-file';
import { vhdxParentCandidates } from '../../worker/engine/sources/vhdx/parent';
import { guid, MiB } from './vhdx-writer';
import { english, type Notice } from '../../worker/engine/notices';

describe('CRC-32C', () => {
  it('matches the published check value and the iSCSI (RFC 3720) vectors', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(32)), 0x8a9136aa);
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
    assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))), 0x113fdb5c);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
  });

  it('continues across pieces, and treats a checksum field as zero without changing the data', () => {
    assert.equal(crc32c(Buffer.from('6789'), crc32c(Buffer.from('12345'))), 0xe3069283);
    const buf = Buffer.from('head\x11\x22\x33\x44rest of the structure');
    const copy = Buffer.from(buf);
    const zeroed = Buffer.from(buf);
    zeroed.writeUInt32LE(0, 4);
    assert.equal(crc32cWithZeroedField(buf, 4), crc32c(zeroed));
    assert.deepEqual(buf, copy);
  });
});

describe('GUIDs (mixed-endian)', () => {
  it('reads the region GUIDs as MS-VHDX §2.2.3 gives them, in their on-disk bytes (docs/vhdx.md#region-table)', () => {
    assert.deepEqual(BAT_REGION, Buffer.from('6677C22D23F600429D64115E9BFD4A08', 'hex'));
    assert.deepEqual(METADATA_REGION, Buffer.from('06A27C8B90479A4BB8FE575F050F886E', 'hex'));
    assert.equal(guidText(BAT_REGION), '2dc27766-f623-4200-9d64-115e9bfd4a08');
  });

  it('parses braces and any case, round-trips, and rejects malformed text', () => {
    const g = parseGuid('{83ED0EC3-24C8-49A6-A959-5E4BF1288BFB}')!;
    assert.deepEqual(g, Buffer.from('c30eed83c824a649a9595e4bf1288bfb', 'hex'));
    assert.equal(guidText(g), '83ed0ec3-24c8-49a6-a959-5e4bf1288bfb');
    assert.deepEqual(parseGuid('83ed0ec3-24c8-49a6-a959-5e4bf1288bfb'), g);
    assert.deepEqual(guid('83ed0ec3-24c8-49a6-a959-5e4bf1288bfb'), g, 'the test writer encodes the same way');
    assert.equal(parseGuid('83ed0ec3-24c8-49a6-a959'), undefined);
    assert.equal(parseGuid('{zzzzzzzz-24c8-49a6-a959-5e4bf1288bfb}'), undefined);
    assert.ok(isZeroGuid(Buffer.alloc(16)));
    assert.ok(!isZeroGuid(g));
  });
});

describe('BAT index math', () => {
  it('chunk ratio = 2^23 × logical sector size / block size', () => {
    assert.equal(batGeometry(MiB, 32 * MiB, 512, false).chunkRatio, 128);
    assert.equal(batGeometry(MiB, MiB, 512, false).chunkRatio, 4096);
    assert.equal(batGeometry(MiB, 256 * MiB, 512, false).chunkRatio, 16);
    assert.equal(batGeometry(MiB, MiB, 4096, false).chunkRatio, 32768);
  });

  it('interleaves one sector bitmap entry after every chunk ratio payload entries', () => {
    const cr = 4;
    assert.deepEqual([0, 1, 2, 3, 4, 5, 7, 8].map((b) => payloadEntryIndex(b, cr)), [0, 1, 2, 3, 5, 6, 8, 10]);
    assert.deepEqual([0, 1, 2].map((c) => bitmapEntryIndex(c, cr)), [4, 9, 14]);
    assert.equal(payloadEntryIndex(128, 128), 129, 'the first block of chunk 1 follows chunk 0\'s bitmap entry');
  });

  it('counts entries as MS-VHDX does for dynamic and differencing disks', () => {
    // 10 GiB of 32 MiB blocks: 320 payload blocks, chunk ratio 128, 3 bitmap blocks.
    const dyn = batGeometry(10 * 1024 * MiB, 32 * MiB, 512, false);
    assert.equal(dyn.payloadBlocks, 320);
    assert.equal(dyn.bitmapBlocks, 3);
    assert.equal(dyn.entryCount, 320 + 2);
    assert.equal(batGeometry(10 * 1024 * MiB, 32 * MiB, 512, true).entryCount, 3 * 129);
    // An exact multiple of the chunk: the last payload entry ends the table.
    assert.equal(batGeometry(128 * 32 * MiB, 32 * MiB, 512, false).entryCount, 128);
    assert.equal(batGeometry(128 * 32 * MiB + 512, 32 * MiB, 512, false).entryCount, 130);
  });

  it('decodes state and FileOffsetMB, including offsets beyond 4 GiB', () => {
    const e = Buffer.alloc(8);
    e.writeBigUInt64LE((5000n << 20n) | 6n);
    assert.deepEqual(decodeBatEntry(e, 0), { state: 6, fileOffset: 5000 * MiB });
    e.writeBigUInt64LE((0x123456789n << 20n) | 0xfff8n | 7n); // reserved bits set: ignored
    assert.deepEqual(decodeBatEntry(e, 0), { state: 7, fileOffset: 0x123456789 * MiB });
  });
});

function header(seq: bigint, opts: { dwg?: number; corrupt?: boolean; version?: number } = {}): Buffer {
  const b = Buffer.alloc(4096);
  b.write('head', 0, 'latin1');
  b.writeBigUInt64LE(seq, 8);
  b.fill(opts.dwg ?? 1, 32, 48);
  b.writeUInt16LE(opts.version ?? 1, 66);
  b.writeUInt32LE(MiB, 68);
  b.writeBigUInt64LE(BigInt(MiB), 72);
  b.writeUInt32LE(crc32cWithZeroedField(b, 4), 4);
  if (opts.corrupt) b[300] = 1;
  return b;
}

describe('header choice', () => {
  it('takes the valid header with the higher sequence number', () => {
    const w: Notice[] = [];
    assert.equal(chooseHeader('x', [header(5n, { dwg: 1 }), header(9n, { dwg: 2 })], w).copy, 2);
    assert.equal(chooseHeader('x', [header(9n, { dwg: 1 }), header(5n, { dwg: 2 })], w).copy, 1);
    assert.deepEqual(w, []);
  });

  it('falls back to the other header when one has a bad checksum, and says so', () => {
    const w: Notice[] = [];
    assert.equal(chooseHeader('x', [header(5n), header(9n, { corrupt: true })], w).copy, 1);
    assert.match(english(w[0]!), /header 2 .*damaged.*bad checksum.*used header 1/);
  });

  it('accepts equal sequence numbers only when both headers are identical', () => {
    assert.equal(chooseHeader('x', [header(3n), header(3n)], []).copy, 1);
    assert.throws(() => chooseHeader('x', [header(3n, { dwg: 1 }), header(3n, { dwg: 2 })], []), (e: FerryError) => e.code === 'E_CORRUPT' && /sequence number 3/.test(e.message));
  });

  it('refuses when neither header is valid, or the format version is unknown', () => {
    assert.throws(() => chooseHeader('x', [header(1n, { corrupt: true }), Buffer.alloc(4096)], []), (e: FerryError) => e.code === 'E_CORRUPT' && /neither VHDX header/.test(e.message));
    assert.throws(() => chooseHeader('x', [header(1n, { version: 2 }), header(0n)], []), (e: FerryError) => e.code === 'E_UNSUPPORTED');
  });

  it('reads the creator string up to its NUL', () => {
    const id = Buffer.alloc(520);
    id.write('vhdxfile', 0, 'latin1');
    id.write('Microsoft Windows 10.0.19041.0\0junk', 8, 'utf16le');
    assert.equal(parseCreator(id), 'Microsoft Windows 10.0.19041.0');
  });
});

// A log entry made by hand (independently of the test writer), at `position` in a log of `L` bytes.
const LOG_GUID = Buffer.alloc(16, 0x42);
interface HandDescriptor {
  zero?: { offset: number; length: number };
  data?: { offset: number; page: Buffer };
}
function logEntry(log: Buffer, position: number, seq: bigint, tail: number, descs: HandDescriptor[], opts: { guid?: Buffer; flushed?: number } = {}): number {
  const dataPages = descs.filter((d) => d.data);
  const descSectors = Math.ceil((descs.length + 2) / 128);
  const entry = Buffer.alloc((descSectors + dataPages.length) * 4096);
  entry.write('loge', 0, 'latin1');
  entry.writeUInt32LE(entry.length, 8);
  entry.writeUInt32LE(tail, 12);
  entry.writeBigUInt64LE(seq, 16);
  entry.writeUInt32LE(descs.length, 24);
  (opts.guid ?? LOG_GUID).copy(entry, 32);
  entry.writeBigUInt64LE(BigInt(opts.flushed ?? 4 * MiB), 48);
  entry.writeBigUInt64LE(BigInt(4 * MiB), 56);
  let data = 0;
  descs.forEach((d, i) => {
    const at = (i + 2) * 32;
    if (d.zero) {
      entry.write('zero', at, 'latin1');
      entry.writeBigUInt64LE(BigInt(d.zero.length), at + 8);
      entry.writeBigUInt64LE(BigInt(d.zero.offset), at + 16);
    } else {
      const { offset, page } = d.data!;
      entry.write('desc', at, 'latin1');
      page.copy(entry, at + 4, 4092, 4096);
      page.copy(entry, at + 8, 0, 8);
      entry.writeBigUInt64LE(BigInt(offset), at + 16);
      const s = (descSectors + data++) * 4096;
      entry.write('data', s, 'latin1');
      entry.writeUInt32LE(Number(seq >> 32n), s + 4);
      page.copy(entry, s + 8, 8, 4092);
      entry.writeUInt32LE(Number(seq & 0xffffffffn), s + 4092);
    }
    entry.writeBigUInt64LE(seq, at + 24);
  });
  entry.writeUInt32LE(crc32c(entry), 4);
  for (let i = 0; i < entry.length; i += 4096) entry.copy(log, (position + i) % log.length, i, i + 4096);
  return (position + entry.length) % log.length;
}

function page(seed: number): Buffer {
  const p = Buffer.alloc(4096);
  for (let i = 0; i < p.length; i++) p[i] = (i * 7 + seed) & 0xff;
  return p;
}

describe('log entries', () => {
  it('needs one descriptor sector for up to 126 descriptors, then one per 128', () => {
    assert.deepEqual([0, 1, 126, 127, 254, 255].map(descriptorSectors), [1, 1, 1, 2, 2, 3]);
  });

  it('parses data and zero descriptors, restoring each page\'s leading and trailing bytes', () => {
    const log = Buffer.alloc(MiB);
    const p = page(3);
    logEntry(log, 8192, 77n, 8192, [{ zero: { offset: 3 * MiB, length: 8192 } }, { data: { offset: 2 * MiB + 4096, page: p } }]);
    const r = parseLogEntry(log, 8192, LOG_GUID);
    assert.ok('entry' in r, 'reason' in r ? r.reason : '');
    const e = r.entry;
    assert.equal(e.sequenceNumber, 77n);
    assert.equal(e.length, 8192);
    assert.equal(e.tail, 8192);
    assert.equal(e.flushedFileOffset, BigInt(4 * MiB));
    assert.deepEqual(e.descriptors[0], { kind: 'zero', fileOffset: 3 * MiB, length: 8192 });
    assert.equal(e.descriptors[1]!.kind, 'data');
    assert.equal(e.descriptors[1]!.fileOffset, 2 * MiB + 4096);
    assert.deepEqual(e.descriptors[1]!.data, p);
  });

  it('reads an entry that wraps around the end of the log', () => {
    const log = Buffer.alloc(MiB);
    const p = page(9);
    logEntry(log, MiB - 4096, 5n, MiB - 4096, [{ data: { offset: 2 * MiB, page: p } }]);
    const r = parseLogEntry(log, MiB - 4096, LOG_GUID);
    assert.ok('entry' in r, 'reason' in r ? r.reason : '');
    assert.deepEqual(r.entry.descriptors[0]!.data, p);
  });

  it('rejects a bad checksum, another LogGuid, a data sector of another sequence, and sequence 0', () => {
    const log = Buffer.alloc(MiB);
    logEntry(log, 0, 5n, 0, [{ data: { offset: 2 * MiB, page: page(1) } }]);
    assert.match((parseLogEntry(log, 0, Buffer.alloc(16, 1)) as { reason: string }).reason, /LogGuid/);
    log[5000] = log[5000]! ^ 1;
    assert.match((parseLogEntry(log, 0, LOG_GUID) as { reason: string }).reason, /checksum/);
    logEntry(log, 0, 5n, 0, [{ data: { offset: 2 * MiB, page: page(1) } }]);
    log.writeUInt32LE(6, 4096 + 4092);
    assert.match((parseLogEntry(log, 0, LOG_GUID) as { reason: string }).reason, /data sector 0 carries another sequence/);
    logEntry(log, 0, 0n, 0, []);
    assert.match((parseLogEntry(log, 0, LOG_GUID) as { reason: string }).reason, /sequence number 0/);
  });
});

describe('active sequence', () => {
  it('finds the newest complete sequence and replays it from its tail entry', () => {
    const log = Buffer.alloc(MiB);
    // An older sequence (10, 11) at the start, the newer one (20..22) later; 22's tail is 21.
    let at = logEntry(log, 0, 10n, 0, [{ data: { offset: 2 * MiB, page: page(1) } }]);
    logEntry(log, at, 11n, 0, [{ data: { offset: 2 * MiB, page: page(2) } }]);
    const e20 = 64 * 1024;
    const e21 = logEntry(log, e20, 20n, e20, [{ data: { offset: 2 * MiB, page: page(3) } }]);
    const e22 = logEntry(log, e21, 21n, e20, [{ data: { offset: 2 * MiB, page: page(4) } }]);
    at = logEntry(log, e22, 22n, e21, [{ zero: { offset: 3 * MiB, length: 4096 } }]);
    const { sequence } = findActiveSequence(log, LOG_GUID, 'x');
    assert.deepEqual(sequence.map((e) => e.sequenceNumber), [21n, 22n]);
  });

  it('ignores a sequence whose head\'s tail is outside it, and one with a gap in its numbers', () => {
    const log = Buffer.alloc(MiB);
    const next = logEntry(log, 0, 7n, 0, []);
    logEntry(log, next, 9n, 0, []); // a gap: 9 does not extend 7, and its tail (7) is not in its own sequence
    assert.deepEqual(findActiveSequence(log, LOG_GUID, 'x').sequence.map((e) => e.sequenceNumber), [7n]);
    const lonely = Buffer.alloc(MiB);
    logEntry(lonely, 4096, 3n, 0, []);
    assert.deepEqual(findActiveSequence(lonely, LOG_GUID, 'x').sequence, [], 'tail points at nothing valid');
  });

  it('follows a sequence around the end of the log', () => {
    const log = Buffer.alloc(MiB);
    const start = MiB - 4096;
    const second = logEntry(log, start, 40n, start, [{ data: { offset: 2 * MiB, page: page(5) } }]);
    assert.equal(second, 4096);
    logEntry(log, second, 41n, start, [{ data: { offset: 2 * MiB + 4096, page: page(6) } }]);
    assert.deepEqual(findActiveSequence(log, LOG_GUID, 'x').sequence.map((e) => e.position), [start, 4096]);
  });

  it('reports whether any entry carried the LogGuid at all', () => {
    const log = Buffer.alloc(MiB);
    logEntry(log, 0, 7n, 0, [], { guid: Buffer.alloc(16, 9) });
    assert.deepEqual(findActiveSequence(log, LOG_GUID, 'x'), { sequence: [], sawEntries: false });
    log[100] = 1; // damage the only entry of the right LogGuid
    logEntry(log, 8192, 7n, 8192, []);
    log[8192 + 3000] = 1;
    assert.equal(findActiveSequence(log, LOG_GUID, 'x').sawEntries, true);
  });
});

describe('replay overlay', () => {
  const read = (b: LogOverlayBuilder, pos: number, len: number, fill = 0xee) => {
    const buf = Buffer.alloc(len, fill);
    b.build().apply(pos, buf);
    return buf;
  };

  it('later writes win: data after zeros shows the data, zeros after data show zeros', () => {
    const a = new LogOverlayBuilder();
    a.writeZeros(0, 16384);
    a.writePage(4096, page(1));
    const out = read(a, 0, 16384);
    assert.ok(out.subarray(0, 4096).every((x) => x === 0));
    assert.deepEqual(out.subarray(4096, 8192), page(1));
    assert.ok(out.subarray(8192).every((x) => x === 0));

    const b = new LogOverlayBuilder();
    b.writePage(4096, page(1));
    b.writeZeros(0, 16384);
    assert.ok(read(b, 0, 16384).every((x) => x === 0));
  });

  it('leaves untouched bytes alone and handles reads that start and end inside pages', () => {
    const o = new LogOverlayBuilder();
    o.writePage(8192, page(2));
    o.writeZeros(20480, 4096);
    const out = read(o, 8000, 17000);
    assert.ok(out.subarray(0, 192).every((x) => x === 0xee));
    assert.deepEqual(out.subarray(192, 192 + 4096), page(2));
    assert.ok(out.subarray(192 + 4096, 20480 - 8000).every((x) => x === 0xee));
    assert.ok(out.subarray(20480 - 8000, 24576 - 8000).every((x) => x === 0));
    assert.ok(out.subarray(24576 - 8000).every((x) => x === 0xee));
    assert.equal(o.build().extent, 24576);
  });

  it('resolves many small zero ranges quickly', () => {
    const o = new LogOverlayBuilder();
    for (let i = 0; i < 30000; i += 2) o.writePage(i * 8192, page(i));
    for (let i = 30000; i > 0; i--) o.writeZeros(i * 8192, 4096);
    const t = Date.now();
    const overlay = o.build();
    assert.ok(Date.now() - t < 2000);
    assert.equal(overlay.pageCount, 1, 'only page 0 is written after no zero range');
  });
});

describe('parent candidates', () => {
  it('tries relative_path, then absolute_win32_path, then the file name beside the child', () => {
    const loc = new Map([
      ['relative_path', '..\\base\\parent.vhdx'],
      ['absolute_win32_path', '\\\\?\\D:\\vms\\base\\parent.vhdx'],
      ['volume_path', '\\\\?\\Volume{26a21bda-a627-11d7-9931-806e6f6e6963}\\vms\\base\\parent.vhdx'],
    ]);
    const c = vhdxParentCandidates('/data/child/child.vhdx', loc);
    if (process.platform !== 'win32') {
      assert.deepEqual(
        c.map((x) => x.path),
        ['/data/base/parent.vhdx', '/data/child/parent.vhdx'],
        'a drive-letter path and a volume path cannot be opened here',
      );
    }
    assert.equal(c[0]!.source, 'relative_path');
  });
});
