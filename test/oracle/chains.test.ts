// Differencing chains (which qemu-img reads as if they had no parent): flattened by the engine,
// compared with the bytes the test writer says the chain holds, found through each kind of
// locator; and the broken chains that must fail clearly.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ferry, lastEvent } from '../support/cli';
import { sha256File } from '../support/hash';
import { convertsExactly, type MatrixInput } from '../support/matrix';
import { assertOutputHoldsTruth, convertTo, rawOf } from '../support/oracle';
import { tempDir } from '../support/tmp';
import {
  KiB,
  MiB,
  SECTOR,
  chsForSectors,
  filled,
  newUuid,
  pseudoRandom,
  roundUpToChs,
  writeDifferencingVhd,
  writeDynamicVhd,
  writeFixedVhd,
  type LocatorSpec,
  type Piece,
} from '../support/vhd-writer';

const SIZE = 4 * MiB + 3 * SECTOR;

/** The base: data almost everywhere, so a child sector read from the wrong layer shows. */
function baseData(seed: number): Piece[] {
  return [{ offset: 0, data: pseudoRandom(SIZE, seed) }];
}

/**
 * What a child overrides: single sectors, runs across a block boundary, a sector of zeros over
 * parent data (must read zero, not the parent), the last sector.
 */
function childData(seed: number, blockSize: number): Piece[] {
  return [
    { offset: SECTOR, data: pseudoRandom(SECTOR, seed) },
    { offset: 7 * SECTOR, data: pseudoRandom(3 * SECTOR, seed + 1) },
    { offset: blockSize - 2 * SECTOR, data: pseudoRandom(4 * SECTOR, seed + 2) },
    { offset: 2 * blockSize + 64 * KiB, data: filled(2 * SECTOR, 0) },
    { offset: SIZE - SECTOR, data: pseudoRandom(SECTOR, seed + 3) },
  ];
}

/** Windows-style relative path from `fromDir` to `to`. */
function winRelative(fromDir: string, to: string): string {
  return relative(fromDir, to).split('/').join('\\');
}

convertsExactly('differencing chain of depth 1, parent found by the relative locator (W2ru, UTF-16LE)', (dir): MatrixInput => {
  mkdirSync(join(dir, 'parents'));
  const basePath = join(dir, 'parents', 'base.vhd');
  const base = writeDynamicVhd(basePath, { size: SIZE, blockSize: 2 * MiB, pieces: baseData(1) });
  const top = childData(100, 512 * KiB);
  const child = join(dir, 'child.vhd');
  writeDifferencingVhd(child, {
    size: SIZE,
    blockSize: 512 * KiB,
    parentUuid: base.uuid,
    // The stored name alone would not find it (it is in a subfolder): the locator must.
    parentName: 'base.vhd',
    locators: [{ kind: 'W2ru', text: `.\\${winRelative(dir, basePath)}` }],
    pieces: top,
    extraBlocks: [5], // allocated, bitmap empty: every sector from the parent
  });
  return { source: child, truth: { size: SIZE, pieces: [...baseData(1), ...top] } };
});

convertsExactly('differencing chain of depth 2 over a fixed base, parents found by absolute (W2ku) then Mac (MacX) locators', (dir): MatrixInput => {
  const folder = join(dir, 'Mac Disks é');
  mkdirSync(folder);
  const basePath = join(folder, 'base.vhd');
  const base = writeFixedVhd(basePath, { size: SIZE, pieces: baseData(2) });
  const midPath = join(folder, 'mid.vhd');
  const midPieces = childData(200, 2 * MiB);
  const mid = writeDifferencingVhd(midPath, {
    size: SIZE,
    parentUuid: base.uuid,
    locators: [{ kind: 'W2ku', text: basePath.split('/').join('\\') }],
    pieces: midPieces,
  });
  const topPath = join(dir, 'top.vhd');
  const topPieces = childData(300, 512 * KiB).map((p) => ({ offset: p.offset + 4 * SECTOR, data: p.data }));
  writeDifferencingVhd(topPath, {
    size: SIZE,
    blockSize: 512 * KiB,
    parentUuid: mid.uuid,
    locators: [{ kind: 'MacX', text: pathToFileURL(midPath).href }],
    pieces: topPieces,
    creatorHost: 'Mac ',
  });
  return { source: topPath, truth: { size: SIZE, pieces: [...baseData(2), ...midPieces, ...topPieces] } };
});

convertsExactly('differencing chain of depth 3: MacX URL with escapes, W2ru to a sibling folder, then the stored parent name only', (dir): MatrixInput => {
  const a = join(dir, 'a');
  const b = join(dir, 'b c');
  mkdirSync(a);
  mkdirSync(b);
  const basePath = join(a, 'base disk.vhd');
  const base = writeDynamicVhd(basePath, { size: SIZE, blockSize: 512 * KiB, pieces: baseData(3), blockOrder: 'shuffled' });
  const l1Path = join(a, 'level1.vhd');
  const l1Pieces = childData(400, 2 * MiB);
  // Only the stored parent name: the parent must be beside the child under that name.
  const l1 = writeDifferencingVhd(l1Path, { size: SIZE, parentUuid: base.uuid, parentName: 'base disk.vhd', pieces: l1Pieces });
  const l2Path = join(b, 'level2.vhd');
  const l2Pieces: Piece[] = [{ offset: 0, data: pseudoRandom(64 * KiB + SECTOR, 500) }];
  const l2 = writeDifferencingVhd(l2Path, {
    size: SIZE,
    blockSize: 512 * KiB,
    parentUuid: l1.uuid,
    locators: [{ kind: 'W2ru', text: `..\\a\\level1.vhd`, spaceUnit: 'bytes' }],
    pieces: l2Pieces,
  });
  const l3Path = join(dir, 'level3.vhd');
  const l3Pieces: Piece[] = [
    { offset: 32 * SECTOR, data: filled(SECTOR, 0) },
    { offset: 3 * MiB, data: pseudoRandom(300 * KiB, 600) },
  ];
  writeDifferencingVhd(l3Path, {
    size: SIZE,
    blockSize: 2 * MiB,
    parentUuid: l2.uuid,
    locators: [{ kind: 'MacX', text: pathToFileURL(l2Path).href }],
    pieces: l3Pieces,
  });
  return { source: l3Path, truth: { size: SIZE, pieces: [...baseData(3), ...l1Pieces, ...l2Pieces, ...l3Pieces] } };
});

convertsExactly('differencing disk whose absolute locator names a Windows path elsewhere: the parent is found beside it', (dir): MatrixInput => {
  const basePath = join(dir, 'Base.vhd');
  const base = writeDynamicVhd(basePath, { size: SIZE, pieces: baseData(4) });
  const top = childData(700, 2 * MiB);
  const child = join(dir, 'child.avhd');
  const locators: LocatorSpec[] = [
    { kind: 'W2ku', text: 'C:\\Users\\Public\\Documents\\Hyper-V\\Virtual hard disks\\Base.vhd' },
    { kind: 'W2ru', text: '.\\Missing\\Base.vhd' },
  ];
  writeDifferencingVhd(child, { size: SIZE, parentUuid: base.uuid, locators, pieces: top });
  return { source: child, truth: { size: SIZE, pieces: [...baseData(4), ...top] } };
});

convertsExactly('differencing disk whose relative locator is UTF-16 big-endian still finds its parent', (dir): MatrixInput => {
  const basePath = join(dir, 'base.vhd');
  const base = writeDynamicVhd(basePath, { size: SIZE, pieces: baseData(5) });
  const top = childData(800, 2 * MiB);
  const child = join(dir, 'child.vhd');
  writeDifferencingVhd(child, { size: SIZE, parentUuid: base.uuid, locators: [{ kind: 'W2ru', text: '.\\base.vhd', utf16: 'be' }], pieces: top });
  return { source: child, truth: { size: SIZE, pieces: [...baseData(5), ...top] } };
}, { subformats: ['monolithicSparse', 'streamOptimized'] });

convertsExactly('differencing disks found through a stored parent name holding a Windows path, and the deprecated ANSI locator (Wi2r)', (dir): MatrixInput => {
  const base = writeDynamicVhd(join(dir, 'base.vhd'), { size: SIZE, pieces: baseData(6) });
  const midPieces = childData(900, 2 * MiB);
  const mid = writeDifferencingVhd(join(dir, 'mid.vhd'), { size: SIZE, parentUuid: base.uuid, parentName: 'D:\\Old Place\\base.vhd', pieces: midPieces });
  const topPieces: Piece[] = [{ offset: 3 * MiB, data: pseudoRandom(2 * SECTOR, 901) }];
  const top = join(dir, 'top.vhd');
  writeDifferencingVhd(top, { size: SIZE, parentUuid: mid.uuid, locators: [{ kind: 'Wi2r', text: '.\\mid.vhd' }], pieces: topPieces });
  return { source: top, truth: { size: SIZE, pieces: [...baseData(6), ...midPieces, ...topPieces] } };
}, { subformats: ['monolithicSparse', 'monolithicFlat'] });

convertsExactly('differencing disk over a mostly unallocated parent: child sectors between zeros, a child block over no parent block', (dir): MatrixInput => {
  const basePieces: Piece[] = [{ offset: 2 * MiB + 5 * SECTOR, data: pseudoRandom(3 * SECTOR, 1000) }];
  const base = writeDynamicVhd(join(dir, 'base.vhd'), { size: SIZE, blockSize: 512 * KiB, pieces: basePieces });
  const top: Piece[] = [
    { offset: 2 * MiB + 6 * SECTOR, data: pseudoRandom(SECTOR, 1001) }, // inside the parent's data
    { offset: 600 * KiB, data: pseudoRandom(5 * SECTOR, 1002) }, // over an unallocated parent block
    { offset: SIZE - 2 * SECTOR, data: filled(2 * SECTOR, 0) }, // zeros over zeros
  ];
  const child = join(dir, 'child.vhd');
  writeDifferencingVhd(child, { size: SIZE, blockSize: 2 * MiB, parentUuid: base.uuid, parentName: 'base.vhd', pieces: top });
  return { source: child, truth: { size: SIZE, pieces: [...basePieces, ...top] } };
});

convertsExactly('Virtual PC chain over a fixed parent with the pre-2004 511-byte footer', (dir): MatrixInput => {
  const { size, geometry } = roundUpToChs(3 * MiB);
  const basePieces: Piece[] = [{ offset: 0, data: pseudoRandom(size, 1100) }];
  const base = writeFixedVhd(join(dir, 'old.vhd'), { size, geometry, footerLength: 511, creatorApp: 'vpc ', pieces: basePieces });
  const top: Piece[] = [{ offset: SECTOR, data: pseudoRandom(2 * SECTOR, 1101) }, { offset: size - SECTOR, data: pseudoRandom(SECTOR, 1102) }];
  const child = join(dir, 'undo.vhd');
  writeDifferencingVhd(child, { size, geometry, creatorApp: 'vpc ', parentUuid: base.uuid, parentName: 'old.vhd', pieces: top });
  return { source: child, truth: { size, pieces: [...basePieces, ...top] } };
}, { subformats: ['monolithicSparse', 'streamOptimized'] });

convertsExactly('a parent whose end footer is damaged is read through its footer copy, with a warning naming the parent', (dir): MatrixInput => {
  const basePieces: Piece[] = [{ offset: 0, data: pseudoRandom(SIZE, 1200) }];
  const base = writeDynamicVhd(join(dir, 'hurt.vhd'), { size: SIZE, pieces: basePieces, corrupt: { eofFooterChecksum: true } });
  const top = childData(1201, 2 * MiB);
  const child = join(dir, 'child.vhd');
  writeDifferencingVhd(child, { size: SIZE, parentUuid: base.uuid, parentName: 'hurt.vhd', pieces: top });
  return { source: child, truth: { size: SIZE, pieces: [...basePieces, ...top] }, warnings: [/hurt\.vhd.*checksum/i] };
}, { subformats: ['monolithicSparse', 'monolithicFlat'] });

describe('a Hyper-V differencing disk over a Virtual PC parent (both footers: 4 MiB current size, CHS 8160 sectors)', () => {
  // The child is sized by its current size (creator "win "), the parent by CHS (creator "vpc "), so
  // the engine sees 4194304 vs 4177920 bytes and refuses the chain. Both files state the same two
  // sizes; the chain's size should be decided once (by the child) and the parent read at that size.
  it("converts at the child's size, reading the parent's data", async (t) => {
    const dir = tempDir(t);
    const current = 4 * MiB;
    const geometry = chsForSectors(current / SECTOR);
    const basePieces: Piece[] = [{ offset: 0, data: pseudoRandom(current, 77) }];
    const base = writeDynamicVhd(join(dir, 'vpc-base.vhd'), { size: current, geometry, creatorApp: 'vpc ', pieces: basePieces });
    const top: Piece[] = [{ offset: 8 * SECTOR, data: pseudoRandom(SECTOR, 78) }];
    const child = join(dir, 'hyperv-child.avhd');
    writeDifferencingVhd(child, { size: current, geometry, creatorApp: 'win ', parentUuid: base.uuid, parentName: 'vpc-base.vhd', pieces: top });
    const truth = { size: current, pieces: [...basePieces, ...top] };
    const out = join(dir, 'out');
    mkdirSync(out);
    await convertTo(child, join(out, 'disk.vmdk'), 'monolithicSparse');
    assertOutputHoldsTruth({ dir: out, name: 'disk.vmdk', subformat: 'monolithicSparse', truth, raw: rawOf(truth, join(dir, 'truth.raw')) });
  });
});

// ---------------------------------------------------------------------------------------------
// Broken chains: exit 2, a message that names the file looked for, nothing left behind.

async function refuses(dir: string, child: string, code: string, mentions: RegExp[]): Promise<void> {
  const before = readdirSync(dir).sort();
  const hashes = before.map((n) => (n.endsWith('.vhd') ? sha256File(join(dir, n)) : ''));
  const out = join(dir, 'out.vmdk');
  const r = await ferry(['convert', child, out, '--json']);
  assert.equal(r.code, 2, `exit code 2 for bad input (stderr: ${r.stderr})`);
  const ev = lastEvent(r);
  assert.equal(ev.type, 'error');
  assert.equal(ev.code, code);
  for (const m of mentions) assert.match(String(ev.message), m);
  assert.ok(!/\n\s+at /.test(String(ev.message) + r.stderr), 'no stack trace');
  assert.deepEqual(readdirSync(dir).sort(), before, 'no output and no staging folder left behind');
  assert.deepEqual(before.map((n) => (n.endsWith('.vhd') ? sha256File(join(dir, n)) : '')), hashes, 'inputs unchanged');
  // The human form: one or two lines on stderr, nothing on stdout.
  const human = await ferry(['convert', child, out]);
  assert.equal(human.code, 2);
  assert.equal(human.stdout, '');
  const lines = human.stderr.trim().split('\n');
  assert.ok(lines.length >= 1 && lines.length <= 2, `one or two lines, got:\n${human.stderr}`);
  for (const m of mentions) assert.match(human.stderr, m);
}

describe('broken differencing chains are refused clearly', () => {
  it('a missing parent: E_PARENT_MISSING naming the file looked for', async (t) => {
    const dir = tempDir(t);
    const child = join(dir, 'child.vhd');
    writeDifferencingVhd(child, {
      size: SIZE,
      parentUuid: newUuid(),
      parentName: 'gone-parent.vhd',
      locators: [{ kind: 'W2ru', text: '.\\gone-parent.vhd' }],
      pieces: childData(1, 2 * MiB),
    });
    await refuses(dir, child, 'E_PARENT_MISSING', [/gone-parent\.vhd/, /child\.vhd/]);
  });

  it('a parent whose UUID is not the one recorded: E_PARENT_MISMATCH naming the parent', async (t) => {
    const dir = tempDir(t);
    writeDynamicVhd(join(dir, 'impostor.vhd'), { size: SIZE, pieces: baseData(9) });
    const child = join(dir, 'child.vhd');
    writeDifferencingVhd(child, { size: SIZE, parentUuid: newUuid(), parentName: 'impostor.vhd', pieces: childData(2, 2 * MiB) });
    await refuses(dir, child, 'E_PARENT_MISMATCH', [/impostor\.vhd/]);
  });

  it('a chain that loops (a → b → a): E_PARENT_LOOP', async (t) => {
    const dir = tempDir(t);
    const aUuid = newUuid();
    const bUuid = newUuid();
    writeDifferencingVhd(join(dir, 'a.vhd'), { size: SIZE, uuid: aUuid, parentUuid: bUuid, parentName: 'b.vhd', pieces: childData(3, 2 * MiB) });
    writeDifferencingVhd(join(dir, 'b.vhd'), { size: SIZE, uuid: bUuid, parentUuid: aUuid, parentName: 'a.vhd', pieces: childData(4, 2 * MiB) });
    await refuses(dir, join(dir, 'a.vhd'), 'E_PARENT_LOOP', [/a\.vhd/]);
  });

  it('a differencing disk that names itself as its parent: E_PARENT_LOOP', async (t) => {
    const dir = tempDir(t);
    const uuid = newUuid();
    const self = join(dir, 'self.vhd');
    writeDifferencingVhd(self, { size: SIZE, uuid, parentUuid: uuid, parentName: 'self.vhd', locators: [{ kind: 'W2ru', text: '.\\self.vhd' }], pieces: childData(5, 2 * MiB) });
    await refuses(dir, self, 'E_PARENT_LOOP', [/self\.vhd/]);
  });

  it('an output named like a parent in the chain is refused, even with --overwrite', async (t) => {
    const dir = tempDir(t);
    const base = writeDynamicVhd(join(dir, 'base.vhd'), { size: SIZE, pieces: baseData(8) });
    const child = join(dir, 'child.vhd');
    writeDifferencingVhd(child, { size: SIZE, parentUuid: base.uuid, parentName: 'base.vhd', pieces: childData(8, 2 * MiB) });
    const hash = sha256File(join(dir, 'base.vhd'));
    const r = await ferry(['convert', child, join(dir, 'base.vhd'), '--overwrite', '--json']);
    assert.notEqual(r.code, 0);
    assert.equal(lastEvent(r).type, 'error');
    assert.match(String(lastEvent(r).message), /base\.vhd/);
    assert.equal(sha256File(join(dir, 'base.vhd')), hash, 'the parent is untouched');
    assert.deepEqual(readdirSync(dir).sort(), ['base.vhd', 'child.vhd']);
  });

  it('a parent of another size than its child: E_PARENT_MISMATCH', async (t) => {
    const dir = tempDir(t);
    const base = writeDynamicVhd(join(dir, 'small.vhd'), { size: SIZE - MiB, pieces: [] });
    const child = join(dir, 'child.vhd');
    writeDifferencingVhd(child, { size: SIZE, parentUuid: base.uuid, parentName: 'small.vhd', pieces: childData(6, 2 * MiB) });
    await refuses(dir, child, 'E_PARENT_MISMATCH', [/small\.vhd/]);
  });
});
