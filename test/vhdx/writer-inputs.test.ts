// VHDX files from the test writer, for what qemu-img cannot make: differencing chains with
// partially present blocks, every payload state, dirty logs (replayed in memory, the source
// untouched), header and region-table choice, 4096-byte sectors, broken chains and hostile fields.
// Oracles: the bytes the writer says the chain holds, qemu-img (which replays a log on a copy
// with `check -r all`) where qemu can read the file, and vhdiinfo (libvhdi) on the writer's files.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FerryError } from '../../worker/engine/errors';
import { inspectDisk } from '../../worker/engine/inspect/inspect';
import { openSource } from '../../worker/engine/sources/open';
import { ferry, lastEvent } from '../support/cli';
import { sha256File } from '../support/hash';
import { convertsExactly, type MatrixInput } from '../support/matrix';
import { tempDir } from '../support/tmp';
import { libyalField, mediaSize, qemuCompare, run, runOk, vhdiinfo } from '../support/tools';
import { pseudoRandom } from '../support/vhd-writer';
import { KiB, MiB, buildVhdx, chainBytes, guid, guidString, newGuid, writeVhdx, type BlockSpec, type VhdxImage, type VhdxSpec } from './vhdx-writer';
import { words } from '../support/notices';

const SUBFORMATS = { subformats: ['monolithicSparse', 'monolithicFlat', 'streamOptimized'] as const };

function truthOf(chain: VhdxSpec[]): MatrixInput['truth'] {
  return { size: chain[0]!.virtualSize, pieces: [{ offset: 0, data: chainBytes(chain) }] };
}

/** What qemu reads from a VHDX, as raw bytes (after replaying its log on a copy, if `replay`). */
function qemuRaw(dir: string, vhdx: string, replay: boolean): Buffer {
  let src = vhdx;
  if (replay) {
    src = join(dir, 'qemu-replayed.vhdx');
    copyFileSync(vhdx, src);
    runOk('qemu-img', ['check', '-q', '-r', 'all', '-f', 'vhdx', src]);
  }
  const raw = join(dir, `qemu-${replay ? 'replayed' : 'inplace'}.raw`);
  runOk('qemu-img', ['convert', '-q', '-f', 'vhdx', '-O', 'raw', src, raw]);
  return readFileSync(raw);
}

function blocksOf(entries: Array<[number, BlockSpec]>): Map<number, BlockSpec> {
  return new Map(entries);
}

async function rejects(path: string, code: string, message: RegExp): Promise<void> {
  await assert.rejects(
    () => openSource(path),
    (e: unknown) => {
      assert.ok(e instanceof FerryError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      return true;
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Differencing chains

const CHAIN_SIZE = 6 * MiB + 3 * 512;

/** Base (2 MiB blocks) ← mid (1 MiB blocks) ← top (1 MiB blocks), every layer mixing states. */
function chainSpecs(baseDwg: Buffer, midDwg: Buffer, paths: { midToBase: string; topToMid: string }): [VhdxSpec, VhdxSpec, VhdxSpec] {
  const base: VhdxSpec = {
    virtualSize: CHAIN_SIZE,
    blockSize: 2 * MiB,
    dataWriteGuid: baseDwg,
    blocks: blocksOf([
      [0, { state: 'full', data: pseudoRandom(2 * MiB, 1) }],
      [1, { state: 'full', data: pseudoRandom(2 * MiB, 2) }],
      [3, { state: 'full', data: pseudoRandom(512 * 3, 3) }], // the short last block
    ]),
  };
  const mid: VhdxSpec = {
    virtualSize: CHAIN_SIZE,
    dataWriteGuid: midDwg,
    parent: { linkage: baseDwg, relativePath: paths.midToBase },
    blocks: blocksOf([
      [0, { state: 'partial', data: pseudoRandom(MiB, 10), present: (s) => s % 3 === 0 || (s >= 700 && s < 1500) }],
      [1, { state: 'zero', data: pseudoRandom(MiB, 11) }], // zeros over the parent's data, stale data ignored
      [2, { state: 'full', data: pseudoRandom(MiB, 12) }],
      [3, { state: 'unmapped' }],
      [4, { state: 'partial', data: pseudoRandom(MiB, 13), present: (s) => s >= 2000 }],
      [6, { state: 'partial', data: pseudoRandom(MiB, 14), present: (s) => s === 2 }], // only the last sector of the disk
    ]),
  };
  const top: VhdxSpec = {
    virtualSize: CHAIN_SIZE,
    parent: { linkage: midDwg, relativePath: paths.topToMid },
    creator: 'Hyper-V test creator',
    blocks: blocksOf([
      [0, { state: 'partial', data: pseudoRandom(MiB, 20), present: (s) => s % 7 === 1 }],
      [2, { state: 'undefined', data: pseudoRandom(MiB, 21) }],
      [4, { state: 'partial', data: pseudoRandom(MiB, 22), present: (s) => s < 8 || (s >= 1024 && s < 1032) }],
      [5, { state: 'full', data: pseudoRandom(MiB, 23) }],
    ]),
  };
  return [top, mid, base];
}

describe('differencing VHDX chain of depth 2', () => {
  const dir = tempDir({ after }, 'ferry-vhdx-chain');
  const baseDwg = newGuid();
  const midDwg = newGuid();
  // mid names its parent by a stale relative path: found by its file name beside the child.
  const specs = chainSpecs(baseDwg, midDwg, { midToBase: '..\\old-place\\base.vhdx', topToMid: 'layers\\mid.vhdx' });
  let top: VhdxImage;
  before(() => {
    mkdirSync(join(dir, 'layers'));
    writeVhdx(join(dir, 'layers', 'base.vhdx'), specs[2]);
    writeVhdx(join(dir, 'layers', 'mid.vhdx'), specs[1]);
    top = writeVhdx(join(dir, 'top.vhdx'), specs[0]);
  });

  it('libvhdi reads each file as the writer meant it (type, size, parent identifier)', () => {
    const base = vhdiinfo(join(dir, 'layers', 'base.vhdx'));
    assert.equal(base.code, 0, base.stderr);
    assert.equal(libyalField(base.stdout, 'Disk type'), 'Dynamic');
    assert.equal(mediaSize(base.stdout), CHAIN_SIZE);
    assert.equal(libyalField(base.stdout, 'Identifier'), guidString(baseDwg));
    for (const [file, parent] of [
      [join(dir, 'layers', 'mid.vhdx'), baseDwg],
      [join(dir, 'top.vhdx'), midDwg],
    ] as const) {
      const r = vhdiinfo(file);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(libyalField(r.stdout, 'Disk type'), 'Differential');
      assert.equal(mediaSize(r.stdout), CHAIN_SIZE);
      assert.equal(libyalField(r.stdout, 'Parent identifier'), guidString(parent));
    }
    assert.equal(libyalField(vhdiinfo(join(dir, 'top.vhdx')).stdout, 'Identifier'), guidString(top.dataWriteGuid));
  });

  it('inspect reports the chain, nearest parent first, and the creator string', async () => {
    const info = await inspectDisk(join(dir, 'top.vhdx'));
    assert.equal(info.format, 'vhdx');
    assert.equal(info.variant, 'differencing');
    assert.equal(info.virtualSize, CHAIN_SIZE);
    assert.equal(info.blockSize, MiB);
    assert.deepEqual(info.creator, { app: 'Hyper-V test creator', appName: 'Hyper-V test creator', version: '', host: '' });
    assert.deepEqual(
      info.parents.map((p) => [p.path, p.variant]),
      [
        [join(dir, 'layers', 'mid.vhdx'), 'differencing'],
        [join(dir, 'layers', 'base.vhdx'), 'dynamic'],
      ],
    );
    assert.deepEqual(info.warnings, []);
  });
});

convertsExactly('differencing VHDX chain of depth 2: partially present blocks with bitmaps, zero/unmapped/undefined over parent data', (dir) => {
  const baseDwg = newGuid();
  const midDwg = newGuid();
  mkdirSync(join(dir, 'deeper'));
  const specs = chainSpecs(baseDwg, midDwg, { midToBase: 'base.vhdx', topToMid: '.\\deeper\\mid.vhdx' });
  writeVhdx(join(dir, 'deeper', 'base.vhdx'), specs[2]);
  writeVhdx(join(dir, 'deeper', 'mid.vhdx'), specs[1]);
  writeVhdx(join(dir, 'top.vhdx'), specs[0]);
  return { source: join(dir, 'top.vhdx'), truth: truthOf(specs) };
}, SUBFORMATS);

// ---------------------------------------------------------------------------------------------
// Block states, fixed files

const STATES_SIZE = 9 * MiB + 512;
function everyStateSpec(withReserved: boolean): VhdxSpec {
  return {
    virtualSize: STATES_SIZE,
    blocks: blocksOf([
      [0, { state: 'full', data: pseudoRandom(MiB, 30) }],
      [1, { state: 'notPresent' }],
      [2, { state: 'undefined', data: pseudoRandom(MiB, 31) }],
      [3, { state: 'zero', data: pseudoRandom(MiB, 32) }],
      [4, { state: 'unmapped', data: pseudoRandom(MiB, 33) }],
      [5, { state: withReserved ? 'reserved4' : 'full', data: pseudoRandom(MiB, 34) }],
      [6, { state: 'unmapped095', data: pseudoRandom(MiB, 35) }],
      [7, { state: 'full', data: pseudoRandom(MiB, 36) }],
      [9, { state: 'full', data: pseudoRandom(512, 37) }],
    ]),
  };
}

convertsExactly('writer VHDX with every payload state (stale offsets behind the absent ones are ignored)', (dir) => {
  const spec = everyStateSpec(true);
  writeVhdx(join(dir, 'states.vhdx'), spec);
  return { source: join(dir, 'states.vhdx'), truth: truthOf([spec]) };
}, SUBFORMATS);

describe('writer VHDX payload states against qemu', () => {
  const dir = tempDir({ after }, 'ferry-vhdx-states');
  it('qemu-img reads the same bytes the writer says the disk holds (no reserved state: qemu rejects it)', () => {
    const spec = everyStateSpec(false);
    writeVhdx(join(dir, 'states.vhdx'), spec);
    assert.ok(qemuRaw(dir, join(dir, 'states.vhdx'), false).equals(chainBytes([spec])));
    assert.equal(run('qemu-img', ['check', '-f', 'vhdx', join(dir, 'states.vhdx')]).code, 0);
    const vi = vhdiinfo(join(dir, 'states.vhdx'));
    assert.equal(libyalField(vi.stdout, 'Disk type'), 'Dynamic');
    assert.equal(mediaSize(vi.stdout), STATES_SIZE);
  });

  it('a fixed file is Fixed to libvhdi and to inspect; a dynamic one Dynamic', async () => {
    for (const fixed of [true, false]) {
      const path = join(dir, `variant-${fixed}.vhdx`);
      const img = writeVhdx(path, { virtualSize: 2 * MiB, fixed, creator: 'Microsoft Windows 10.0.26100.1', blocks: blocksOf([[0, { state: 'full', data: pseudoRandom(MiB, 38) }], [1, { state: 'full', data: pseudoRandom(MiB, 39) }]]) });
      assert.equal(libyalField(vhdiinfo(path).stdout, 'Disk type'), fixed ? 'Fixed' : 'Dynamic');
      const info = await inspectDisk(path);
      assert.equal(info.variant, fixed ? 'fixed' : 'dynamic');
      assert.equal(info.allocatedBytes, 2 * MiB);
      assert.equal(info.fileSize, img.size);
      assert.equal(info.creator?.app, 'Microsoft Windows 10.0.26100.1');
      assert.equal(info.uuid, guidString(img.read(img.items.get('page83')!, 16)), 'uuid is the Page 83 virtual disk id');
    }
  });
});

convertsExactly('writer fixed VHDX (LeaveBlockAllocated), 4 MiB blocks, every block present', (dir) => {
  const size = 10 * MiB - 1024;
  const spec: VhdxSpec = {
    virtualSize: size,
    blockSize: 4 * MiB,
    fixed: true,
    blocks: blocksOf([0, 1, 2].map((b) => [b, { state: 'full', data: b === 1 ? Buffer.alloc(4 * MiB) : pseudoRandom(4 * MiB, 40 + b) }])),
  };
  writeVhdx(join(dir, 'fixed.vhdx'), spec);
  return { source: join(dir, 'fixed.vhdx'), truth: truthOf([spec]) };
}, SUBFORMATS);

// ---------------------------------------------------------------------------------------------
// Dirty logs

const REPLAYED = [/log .*replayed in memory.*not changed/];

/** Blocks allocated, their BAT page and a metadata page still only in the log; an older session's entry after it. */
function dirtySpec(): VhdxSpec {
  return {
    virtualSize: 6 * MiB,
    blocks: blocksOf([
      [0, { state: 'full', data: pseudoRandom(MiB, 50) }],
      [3, { state: 'full', data: pseudoRandom(MiB, 51) }],
      [5, { state: 'full', data: pseudoRandom(512 * 1024, 52) }],
    ]),
  };
}

convertsExactly('dirty log: the BAT and metadata updates are only in the log (replayed in memory)', (dir) => {
  const spec = dirtySpec();
  const path = join(dir, 'dirty.vhdx');
  writeVhdx(path, spec, (img) => ({ entries: [{ data: [img.layout.batOffset] }, { data: [img.layout.metadataOffset] }], noise: true }));
  assert.ok(qemuRaw(dir, path, true).equals(chainBytes([spec])), 'qemu, replaying a copy, reads what the writer meant');
  return { source: path, truth: truthOf([spec]), warnings: REPLAYED };
}, SUBFORMATS);

/**
 * Zero and data descriptors in order (a BAT page zeroed, then rewritten), a zero descriptor over
 * payload bytes and one beyond the end of the file; in place, a stale BAT claims a block the log
 * frees and stale bytes fill the zeroed range. With `wrap`, the sequence starts near the end of
 * the log and its second entry wraps around to the start.
 */
function zeroDescriptorLog(dir: string, wrap: boolean): { path: string; spec: VhdxSpec; img: VhdxImage } {
  const hole = Buffer.concat([pseudoRandom(8 * KiB, 60), Buffer.alloc(8 * KiB), pseudoRandom(MiB - 16 * KiB, 61)]);
  const spec: VhdxSpec = {
    virtualSize: 6 * MiB,
    blocks: blocksOf([
      [0, { state: 'full', data: pseudoRandom(MiB, 62) }],
      [2, { state: 'full', data: hole }],
      [4, { state: 'notPresent' }],
      [5, { state: 'full', data: pseudoRandom(MiB, 63) }],
    ]),
  };
  const path = join(dir, wrap ? 'wrapped.vhdx' : 'zeros.vhdx');
  const img = writeVhdx(path, spec, (img) => {
    const { batOffset, blockOffsets } = img.layout;
    const end = Math.ceil(img.size / MiB) * MiB;
    const staleBat = img.read(batOffset, 4096);
    staleBat.writeBigUInt64LE(BigInt(blockOffsets.get(0)!) | 6n, img.layout.payloadIndex(4) * 8);
    return {
      startPosition: wrap ? MiB - 8192 : 0,
      entries: [
        { zeros: [{ offset: batOffset, length: 4096 }] },
        { data: [batOffset] },
        { zeros: [{ offset: blockOffsets.get(2)! + 8 * KiB, length: 8 * KiB }, { offset: end, length: MiB }] },
      ],
      stale: [
        { offset: batOffset, data: staleBat },
        { offset: blockOffsets.get(2)! + 8 * KiB, data: pseudoRandom(8 * KiB, 64) },
      ],
      lastFileOffset: end + MiB,
    };
  });
  return { path, spec, img };
}

convertsExactly('dirty log: zero descriptors, descriptor order, growth past the end of the file', (dir) => {
  const { path, spec } = zeroDescriptorLog(dir, false);
  assert.ok(qemuRaw(dir, path, true).equals(chainBytes([spec])), 'qemu, replaying a copy, reads what the writer meant');
  return { source: path, truth: truthOf([spec]), warnings: REPLAYED };
}, SUBFORMATS);

// No qemu oracle here: qemu 7.2 does not check that the head entry's tail lies in the sequence
// (MS-VHDX §2.3.3), so it takes the wrapped-around last entry alone for the active sequence.
convertsExactly('dirty log: a sequence that wraps around the end of the log', (dir) => {
  const { path, spec } = zeroDescriptorLog(dir, true);
  return { source: path, truth: truthOf([spec]), warnings: REPLAYED };
}, { subformats: ['monolithicSparse'] });

describe('dirty logs: the source is never written, and bad logs are refused', () => {
  const dir = tempDir({ after }, 'ferry-vhdx-log');

  it('inspect and convert leave a dirty file byte-identical (the log is still there afterwards)', async () => {
    const { path } = zeroDescriptorLog(dir, true);
    const before = sha256File(path);
    const info = await inspectDisk(path);
    assert.ok(info.warnings.some((w) => /replayed in memory/.test(w)), JSON.stringify(info.warnings));
    const r = await ferry(['convert', path, join(dir, 'out.vmdk'), '--subformat', 'monolithicSparse', '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(sha256File(path), before);
    // qemu still sees a log to replay: nothing was written back.
    assert.match(run('qemu-img', ['info', '-f', 'vhdx', path]).stderr, /log that needs to be replayed/);
  });

  it('a log whose FlushedFileOffset lies beyond the end of the file is refused as truncated', async () => {
    const path = join(dir, 'truncated.vhdx');
    writeVhdx(path, dirtySpec(), (img) => ({ entries: [{ data: [img.layout.batOffset] }], flushedFileOffset: Math.ceil(img.size / MiB) * MiB + MiB }));
    await rejects(path, 'E_CORRUPT', /truncated/);
  });

  it('a log whose only entries are damaged is refused', async () => {
    const path = join(dir, 'torn.vhdx');
    writeVhdx(path, dirtySpec(), (img) => ({ entries: [{ data: [img.layout.batOffset] }], corruptEntry: 0 }));
    await rejects(path, 'E_CORRUPT', /no valid, complete sequence/);
  });

  it('a log with nothing written under the header\'s LogGuid replays nothing, and says so', async () => {
    const path = join(dir, 'foreign.vhdx');
    writeVhdx(path, dirtySpec(), (img) => ({ entries: [{ data: [img.layout.batOffset] }], foreignEntries: true }));
    const src = await openSource(path);
    try {
      assert.ok(words(src.info.warnings).some((w) => /holds no entries written under it/.test(w)));
      assert.equal(src.info.allocatedBytes, 0, 'the in-place BAT (all blocks absent) is used');
    } finally {
      await src.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Header and region table choice

describe('current header: chosen by sequence number, checked by CRC-32C', () => {
  const dir = tempDir({ after }, 'ferry-vhdx-headers');
  const A = newGuid();
  const B = newGuid();
  const size = 3 * MiB;
  const parentBlocks = blocksOf([[0, { state: 'full', data: pseudoRandom(MiB, 70) }]]);

  /** A parent whose two headers carry different DataWriteGuids, and a child linked to `link`. */
  function pair(name: string, headers: VhdxSpec['headers'], link: Buffer): string {
    mkdirSync(join(dir, name));
    writeVhdx(join(dir, name, 'parent.vhdx'), { virtualSize: size, blocks: parentBlocks, ...(headers ? { headers } : {}) });
    writeVhdx(join(dir, name, 'child.vhdx'), { virtualSize: size, parent: { linkage: link, relativePath: 'parent.vhdx' } });
    return join(dir, name, 'child.vhdx');
  }

  it('the higher sequence number wins, whichever copy holds it (vhdiinfo agrees)', async () => {
    for (const [name, seqs, current] of [
      ['second', [5n, 9n], B],
      ['first', [9n, 5n], A],
    ] as const) {
      const headers: VhdxSpec['headers'] = [
        { sequence: seqs[0], dataWriteGuid: A },
        { sequence: seqs[1], dataWriteGuid: B },
      ];
      const good = pair(`${name}-good`, headers, current);
      const src = await openSource(good);
      assert.deepEqual(src.info.warnings, []);
      await src.close();
      assert.equal(libyalField(vhdiinfo(join(dir, `${name}-good`, 'parent.vhdx')).stdout, 'Identifier'), guidString(current));
      const stale = pair(`${name}-stale`, headers, current === A ? B : A);
      await rejects(stale, 'E_PARENT_MISMATCH', new RegExp(`DataWriteGuid \\{${guidString(current)}\\}`));
    }
  });

  it('a bad CRC on the newer header falls back to the older one, with a warning', async () => {
    const child = pair('fallback', [{ sequence: 5n, dataWriteGuid: A }, { sequence: 9n, dataWriteGuid: B, corrupt: true }], A);
    const src = await openSource(child);
    try {
      assert.ok(words(src.info.warnings).some((w) => /^Parent .*header 2 .*damaged.*bad checksum/.test(w)), JSON.stringify(words(src.info.warnings)));
    } finally {
      await src.close();
    }
  });

  it('equal sequence numbers on different headers are refused', async () => {
    const path = join(dir, 'equal.vhdx');
    writeVhdx(path, { virtualSize: size, headers: [{ sequence: 4n, dataWriteGuid: A }, { sequence: 4n, dataWriteGuid: B }] });
    await rejects(path, 'E_CORRUPT', /sequence number 4 but differ/);
  });

  it('both headers damaged: `ferry inspect` exits 2 and says neither is valid', async () => {
    const path = join(dir, 'both.vhdx');
    writeVhdx(path, { virtualSize: size, headers: [{ sequence: 1n, corrupt: true }, { sequence: 2n, corrupt: true }] });
    const r = await ferry(['inspect', path, '--json']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const e = lastEvent(r);
    assert.equal(e.code, 'E_CORRUPT');
    assert.match(String(e.message), /neither VHDX header is valid/);
  });

  it('the log is replayed only when the current header names it', async () => {
    const spec = dirtySpec();
    for (const [name, logHeaderSeq, replayed] of [
      ['log-current', 9n, true],
      ['log-stale', 5n, false],
    ] as const) {
      const path = join(dir, `${name}.vhdx`);
      writeVhdx(path, { ...spec, headers: [{ sequence: logHeaderSeq, log: true }, { sequence: 7n, log: false }] }, (img) => ({ entries: [{ data: [img.layout.batOffset] }] }));
      const src = await openSource(path);
      try {
        const bytes = Buffer.alloc(src.size);
        await src.read(0, src.size, bytes);
        assert.equal(words(src.info.warnings).some((w) => /replayed/.test(w)), replayed);
        if (replayed) assert.ok(bytes.equals(chainBytes([spec])));
        else assert.ok(bytes.equals(qemuRaw(dir, path, false)), 'reads the file in place, as qemu does');
      } finally {
        await src.close();
      }
    }
  });
});

describe('region table', () => {
  const dir = tempDir({ after }, 'ferry-vhdx-regions');
  const spec = (extra: Partial<VhdxSpec>): VhdxSpec => ({ virtualSize: 2 * MiB, blocks: blocksOf([[1, { state: 'full', data: pseudoRandom(MiB, 80) }]]), ...extra });

  it('a damaged first copy falls back to the second, with a warning', async () => {
    const path = join(dir, 'first.vhdx');
    const s = spec({ corruptRegionTable: [true, false] });
    writeVhdx(path, s);
    const src = await openSource(path);
    try {
      assert.ok(words(src.info.warnings).some((w) => /region table .*damaged.*used the copy/.test(w)));
      const bytes = Buffer.alloc(src.size);
      await src.read(0, src.size, bytes);
      assert.ok(bytes.equals(chainBytes([s])));
    } finally {
      await src.close();
    }
  });

  it('both copies damaged is refused', async () => {
    const path = join(dir, 'both.vhdx');
    writeVhdx(path, spec({ corruptRegionTable: [true, true] }));
    await rejects(path, 'E_CORRUPT', /neither VHDX region table is valid/);
  });

  it('an unknown required region or metadata item is refused; unknown optional ones are ignored', async () => {
    const unknown = guid('11111111-2222-3333-4444-555555555555');
    writeVhdx(join(dir, 'req-region.vhdx'), spec({ extraRegion: { guid: unknown, required: true } }));
    await rejects(join(dir, 'req-region.vhdx'), 'E_UNSUPPORTED', /requires a region .*11111111-2222-3333-4444-555555555555/);
    writeVhdx(join(dir, 'opt-region.vhdx'), spec({ extraRegion: { guid: unknown, required: false } }));
    await (await openSource(join(dir, 'opt-region.vhdx'))).close();
    writeVhdx(join(dir, 'req-meta.vhdx'), spec({ extraMetadata: { guid: unknown, required: true, data: Buffer.alloc(8) } }));
    await rejects(join(dir, 'req-meta.vhdx'), 'E_UNSUPPORTED', /requires metadata/);
    writeVhdx(join(dir, 'user-meta.vhdx'), spec({ extraMetadata: { guid: unknown, required: false, user: true, data: Buffer.alloc(8) } }));
    await (await openSource(join(dir, 'user-meta.vhdx'))).close();
  });
});

// ---------------------------------------------------------------------------------------------
// 4096-byte sectors, broken chains, hostile fields

describe('4096-byte logical sectors', () => {
  const dir = tempDir({ after }, 'ferry-vhdx-4k');
  it('is refused with the reason, by inspect and convert alike, and nothing is written', async () => {
    const path = join(dir, 'fourk.vhdx');
    writeVhdx(path, { virtualSize: 8 * MiB, logicalSectorSize: 4096, blocks: blocksOf([[0, { state: 'full', data: pseudoRandom(MiB, 90) }]]) });
    assert.equal(libyalField(vhdiinfo(path).stdout, 'Bytes per sector'), '4096 bytes', 'libvhdi reads the writer\'s 4Kn file');
    for (const args of [['inspect', path, '--json'], ['convert', path, join(dir, 'out.vmdk'), '--json']]) {
      const r = await ferry(args);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      const e = lastEvent(r);
      assert.equal(e.code, 'E_UNSUPPORTED');
      assert.match(String(e.message), /4096-byte logical sectors.*512-byte sectors/);
      assert.match(String(e.hint), /LogicalSectorSizeBytes 512/);
    }
    assert.equal(existsSync(join(dir, 'out.vmdk')), false);
  });

  it('a 512e disk (4096-byte physical, 512-byte logical sectors) converts normally', async () => {
    const path = join(dir, '512e.vhdx');
    const spec: VhdxSpec = { virtualSize: 2 * MiB, physicalSectorSize: 4096, blocks: blocksOf([[0, { state: 'full', data: pseudoRandom(MiB, 91) }]]) };
    writeVhdx(path, spec);
    const src = await openSource(path);
    const bytes = Buffer.alloc(src.size);
    await src.read(0, src.size, bytes);
    await src.close();
    assert.ok(bytes.equals(chainBytes([spec])));
  });
});

describe('broken differencing chains', () => {
  const dir = tempDir({ after }, 'ferry-vhdx-broken');
  const size = 2 * MiB;

  it('a missing parent: exit 2, naming the file looked for', async () => {
    const child = join(dir, 'orphan.vhdx');
    writeVhdx(child, { virtualSize: size, parent: { linkage: newGuid(), relativePath: '..\\gone\\vanished-parent.vhdx' } });
    const r = await ferry(['convert', child, join(dir, 'out.vmdk'), '--json']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const e = lastEvent(r);
    assert.equal(e.code, 'E_PARENT_MISSING');
    assert.match(String(e.message), /vanished-parent\.vhdx/);
    assert.match(String(e.message), new RegExp(join(dir, 'vanished-parent.vhdx').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'also looked beside the child');
  });

  it('a parent that changed since the child was made (DataWriteGuid mismatch)', async () => {
    writeVhdx(join(dir, 'p.vhdx'), { virtualSize: size });
    writeVhdx(join(dir, 'c.vhdx'), { virtualSize: size, parent: { linkage: newGuid(), relativePath: 'p.vhdx' } });
    await rejects(join(dir, 'c.vhdx'), 'E_PARENT_MISMATCH', /p\.vhdx has DataWriteGuid/);
  });

  it('parent_linkage2 is accepted as the parent\'s identity too', async () => {
    const p = writeVhdx(join(dir, 'p2.vhdx'), { virtualSize: size });
    writeVhdx(join(dir, 'c2.vhdx'), { virtualSize: size, parent: { linkage: newGuid(), linkage2: p.dataWriteGuid, relativePath: 'p2.vhdx' } });
    await (await openSource(join(dir, 'c2.vhdx'))).close();
  });

  it('a chain that loops back on itself', async () => {
    const a = newGuid();
    const b = newGuid();
    writeVhdx(join(dir, 'a.vhdx'), { virtualSize: size, dataWriteGuid: a, parent: { linkage: b, relativePath: 'b.vhdx' } });
    writeVhdx(join(dir, 'b.vhdx'), { virtualSize: size, dataWriteGuid: b, parent: { linkage: a, relativePath: 'a.vhdx' } });
    await rejects(join(dir, 'a.vhdx'), 'E_PARENT_LOOP', /a\.vhdx .*already part of the chain/);
  });

  it('a child larger than its parent (expanded after it was made) reads zeros past the parent\'s end, with a warning', async () => {
    const parentSpec: VhdxSpec = { virtualSize: 2 * MiB, blocks: blocksOf([[1, { state: 'full', data: pseudoRandom(MiB, 95) }]]) };
    const p = writeVhdx(join(dir, 'small-parent.vhdx'), parentSpec);
    const childSpec: VhdxSpec = {
      virtualSize: 4 * MiB,
      parent: { linkage: p.dataWriteGuid, relativePath: 'small-parent.vhdx' },
      blocks: blocksOf([[3, { state: 'partial', data: pseudoRandom(MiB, 96), present: (s) => s >= 1000 }]]),
    };
    writeVhdx(join(dir, 'big-child.vhdx'), childSpec);
    const src = await openSource(join(dir, 'big-child.vhdx'));
    try {
      assert.ok(words(src.info.warnings).some((w) => /beyond the parent reads as zeros/.test(w)), JSON.stringify(words(src.info.warnings)));
      const bytes = Buffer.alloc(src.size);
      await src.read(0, src.size, bytes);
      assert.ok(bytes.equals(chainBytes([childSpec, parentSpec])));
    } finally {
      await src.close();
    }
  });

  it('a VHDX whose parent is not a VHDX', async () => {
    writeVhdx(join(dir, 'c3.vhdx'), { virtualSize: size, parent: { linkage: newGuid(), relativePath: 'not-a-disk.vhdx' } });
    const bogus = buildVhdx({ virtualSize: size });
    bogus.write(0, Buffer.from('conectix'));
    bogus.save(join(dir, 'not-a-disk.vhdx'));
    await rejects(join(dir, 'c3.vhdx'), 'E_PARENT_MISMATCH', /not-a-disk\.vhdx is not a VHDX/);
  });
});

describe('hostile fields are refused before use', () => {
  const dir = tempDir({ after }, 'ferry-vhdx-hostile');
  let n = 0;
  /** Builds a small healthy VHDX, lets `damage` change it, saves it. */
  function damaged(damage: (img: VhdxImage) => void, spec: Partial<VhdxSpec> = {}): string {
    const img = buildVhdx({ virtualSize: 4 * MiB, blocks: blocksOf([[1, { state: 'full', data: pseudoRandom(MiB, 99) }], [2, { state: 'zero' }]]), ...spec });
    damage(img);
    const path = join(dir, `h${n++}.vhdx`);
    img.save(path);
    return path;
  }
  const u32 = (v: number) => Buffer.from(new Uint32Array([v]).buffer);
  const u64 = (v: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    return b;
  };

  it('a BAT entry pointing past the end of the file, or into the header section or the BAT', async () => {
    await rejects(damaged((img) => img.setBatEntry(1, 6, 1000 * MiB)), 'E_CORRUPT', /BAT entry 1 .*would end at \d+, past the end of the file/);
    await rejects(damaged((img) => img.setBatEntry(1, 6, 0)), 'E_CORRUPT', /BAT entry 1 .*inside the header section/);
    await rejects(damaged((img) => img.setBatEntry(1, 6, img.layout.batOffset)), 'E_CORRUPT', /inside the disk's own metadata/);
    await rejects(damaged((img) => img.setBatEntry(1, 6, 2 ** 43 * MiB)), 'E_CORRUPT', /past the end of the file/);
  });

  it('a partially present block in a file that is not differencing', async () => {
    await rejects(damaged((img) => img.setBatEntry(1, 7, img.layout.blockOffsets.get(1)!)), 'E_CORRUPT', /partially present/);
  });

  it('a block size that is not a power of two between 1 MiB and 256 MiB', async () => {
    for (const bs of [3 * MiB, 512 * KiB, 512 * MiB, 0]) {
      await rejects(damaged((img) => img.write(img.items.get('fileParameters')!, u32(bs))), 'E_CORRUPT', /block size/);
    }
  });

  it('a virtual size beyond 64 TiB, not a whole number of sectors, or too big for the BAT region', async () => {
    await rejects(damaged((img) => img.write(img.items.get('virtualDiskSize')!, u64(65n * 2n ** 40n))), 'E_CORRUPT', /64 TiB/);
    await rejects(damaged((img) => img.write(img.items.get('virtualDiskSize')!, u64(4n * 2n ** 20n + 100n))), 'E_CORRUPT', /whole number of 512-byte sectors/);
    await rejects(damaged((img) => img.write(img.items.get('virtualDiskSize')!, u64(2n ** 40n))), 'E_CORRUPT', /BAT region .* too small/);
    await rejects(damaged((img) => img.write(img.items.get('virtualDiskSize')!, u64(2n ** 63n))), 'E_CORRUPT', /impossibly large|64 TiB/);
  });

  it('a metadata item outside the metadata region, or a huge one', async () => {
    const entry = (img: VhdxImage, i: number) => img.layout.metadataOffset + 32 + i * 32;
    await rejects(damaged((img) => img.write(entry(img, 1) + 16, u32(MiB - 4))), 'E_CORRUPT', /outside the metadata region/);
    await rejects(damaged((img) => img.write(entry(img, 1) + 20, u32(64 * MiB))), 'E_CORRUPT', /at most 1 MiB/);
    await rejects(damaged((img) => img.write(img.layout.metadataOffset + 10, Buffer.from([0xff, 0xff]))), 'E_CORRUPT', /claims 65535 entries/);
  });

  it('a sector size other than 512 or 4096', async () => {
    await rejects(damaged((img) => img.write(img.items.get('logicalSectorSize')!, u32(1024))), 'E_CORRUPT', /logical sector size \(1024\)/);
  });

  it('a file too short to hold the header section', async () => {
    const path = join(dir, 'short.vhdx');
    const img = buildVhdx({ virtualSize: MiB });
    img.size = 300 * KiB;
    img.save(path);
    await rejects(path, 'E_CORRUPT', /smaller than the 1 MiB header section/);
  });
});
