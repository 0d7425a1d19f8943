// The oracle check of one conversion: the output, read by tools nobody here wrote (qemu-img,
// vmdkinfo) and by the test's own structure readers, must hold exactly the expected bytes.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, parse } from 'node:path';
import type { JobResult } from '../../shared/jobs';
import type { Adapter, Subformat } from '../../shared/options';
import { runJob } from '../../worker/engine/jobs/run-job';
import { mediaSize, qemuCheck, qemuCompare, qemuInfo, vmdkinfo } from './tools';
import { nonZeroGrains, writeRaw, type Piece } from './vhd-writer';
import {
  GD_AT_END,
  GRAIN_SECTORS,
  KDMV,
  SECTOR,
  SPLIT_SECTORS,
  descriptorText,
  grainTablesBytes,
  parseDescriptorText,
  readGrainMap,
  readSparseHeader,
  readStreamTail,
  walkStream,
  type ParsedDescriptor,
} from './vmdk-inspect';

export const ALL_SUBFORMATS: readonly Subformat[] = ['monolithicSparse', 'monolithicFlat', 'twoGbMaxExtentSparse', 'twoGbMaxExtentFlat', 'streamOptimized'];
export const SPARSE_SUBFORMATS: readonly Subformat[] = ['monolithicSparse', 'twoGbMaxExtentSparse', 'streamOptimized'];

/** What the guest-visible disk holds: its size and the pieces written over zeros. */
export interface Truth {
  size: number;
  pieces: Piece[];
}

/** Writes the truth as a sparse raw file (once per path) for qemu-img compare. */
export function rawOf(truth: Truth, path: string): string {
  if (!existsSync(path)) writeRaw(path, truth.size, truth.pieces);
  return path;
}

export interface ConvertOptions {
  adapter?: Adapter;
  verify?: boolean;
  overwrite?: boolean;
}

/** Converts in-process through the engine's one entry point, as the CLI and the app do. */
export async function convertTo(source: string, output: string, subformat: Subformat, o: ConvertOptions = {}): Promise<JobResult> {
  return runJob({
    kind: 'convert',
    source,
    output,
    subformat,
    adapter: o.adapter ?? 'lsilogic',
    verify: o.verify ?? true,
    overwrite: o.overwrite ?? false,
  });
}

/** The files a subformat must consist of (VMware's names), descriptor first. */
export function expectedFiles(name: string, subformat: Subformat, size: number): Array<{ file: string; sectors: number }> {
  const stem = parse(name).name;
  const sectors = size / SECTOR;
  switch (subformat) {
    case 'monolithicSparse':
    case 'streamOptimized':
      return [{ file: name, sectors }];
    case 'monolithicFlat':
      return [{ file: `${stem}-flat.vmdk`, sectors }];
    case 'twoGbMaxExtentSparse':
    case 'twoGbMaxExtentFlat': {
      const letter = subformat === 'twoGbMaxExtentSparse' ? 's' : 'f';
      const out: Array<{ file: string; sectors: number }> = [];
      for (let at = 0, n = 1; at < sectors; at += SPLIT_SECTORS, n++) {
        out.push({ file: `${stem}-${letter}${String(n).padStart(3, '0')}.vmdk`, sectors: Math.min(SPLIT_SECTORS, sectors - at) });
      }
      return out;
    }
  }
}

/** The BIOS geometry rules of docs/vmdk.md#geometry: heads and sectors by adapter, cylinders from the size. */
export function assertGeometry(d: ParsedDescriptor, adapter: Adapter, totalSectors: number): void {
  assert.equal(d.ddb['ddb.adapterType'], adapter, 'ddb.adapterType is the adapter chosen');
  const heads = Number(d.ddb['ddb.geometry.heads']);
  const sectors = Number(d.ddb['ddb.geometry.sectors']);
  const cylinders = Number(d.ddb['ddb.geometry.cylinders']);
  const [wantHeads, cap] = adapter === 'ide' ? [16, 16383] : [255, 65535];
  assert.equal(heads, wantHeads, `heads for ${adapter}`);
  assert.equal(sectors, 63, `sectors per track for ${adapter}`);
  const exact = totalSectors / (heads * sectors);
  const allowed = new Set([Math.floor(exact), Math.ceil(exact)].map((c) => Math.max(1, Math.min(cap, c))));
  assert.ok(allowed.has(cylinders), `cylinders ${cylinders} for ${totalSectors} sectors on ${adapter} (expected one of ${[...allowed].join(', ')})`);
}

export function assertDescriptorBasics(d: ParsedDescriptor, subformat: Subformat): void {
  assert.equal(d.lines[0], '# Disk DescriptorFile', 'the descriptor starts with "# Disk DescriptorFile"');
  assert.equal(d.version, '1');
  assert.equal(d.createType, subformat);
  assert.match(d.cid ?? '', /^[0-9a-f]{8}$/i, 'CID is 8 hex digits');
  assert.ok(!/^ffffffff$|^fffffffe$/i.test(d.cid ?? ''), 'CID is not a "no parent" value');
  assert.equal(d.parentCid?.toLowerCase(), 'ffffffff', 'no parent');
  assert.match(d.ddb['ddb.uuid'] ?? '', /^([0-9a-f]{2} ){7}[0-9a-f]{2}-([0-9a-f]{2} ){7}[0-9a-f]{2}$/i, 'ddb.uuid in VMware\'s spaced-hex form');
  assert.match(d.ddb['ddb.virtualHWVersion'] ?? '', /^\d+$/, 'ddb.virtualHWVersion present');
}

export interface OutputCheck {
  dir: string;
  name: string;
  subformat: Subformat;
  truth: Truth;
  /** A raw file holding the truth (see rawOf). */
  raw: string;
  adapter?: Adapter;
  /** Names in `dir` that are not the output (e.g. the source itself). */
  ignore?: string[];
  /**
   * Compare only these [offset, length] windows with qemu-img (for disks too large to compare
   * whole in the time budget); the grain map check still covers every grain of sparse outputs.
   */
  compareWindows?: Array<[number, number]>;
}

/** A qemu block-layer filename for `length` bytes at `offset` of an image. */
function window(path: string, format: string, offset: number, length: number): string {
  return `json:${JSON.stringify({ driver: 'raw', offset, size: length, file: { driver: format, file: { driver: 'file', filename: path } } })}`;
}

/** Every check of one finished conversion. */
export function assertOutputHoldsTruth(c: OutputCheck): void {
  const { dir, name, subformat, truth } = c;
  const adapter = c.adapter ?? 'lsilogic';
  const descriptorPath = join(dir, name);
  const files = expectedFiles(name, subformat, truth.size);
  const embedded = subformat === 'monolithicSparse' || subformat === 'streamOptimized';

  // The folder holds exactly the disk's files: nothing staged, nothing extra.
  const expectedNames = new Set([name, ...files.map((f) => f.file)]);
  const present = readdirSync(dir).filter((n) => !(c.ignore ?? []).includes(n));
  assert.deepEqual(new Set(present), expectedNames, 'the output folder holds exactly the files of the subformat');

  // qemu-img: same virtual size, same bytes, no structural errors.
  const info = qemuInfo(descriptorPath, 'vmdk');
  assert.equal(info['virtual-size'], truth.size, 'qemu-img sees the virtual size of the source');
  if (c.compareWindows) {
    assert.ok(subformat !== 'monolithicFlat' && subformat !== 'twoGbMaxExtentFlat', 'windows only where the grain map proves the rest');
    for (const [offset, length] of c.compareWindows) {
      const cmp = qemuCompare(window(c.raw, 'raw', offset, length), 'raw', window(descriptorPath, 'vmdk', offset, length), 'raw');
      assert.equal(cmp.code, 0, `qemu-img compare of [${offset}, +${length}): ${cmp.stdout}${cmp.stderr}`);
    }
  } else {
    const cmp = qemuCompare(c.raw, 'raw', descriptorPath, 'vmdk');
    assert.equal(cmp.code, 0, `qemu-img compare: ${cmp.stdout}${cmp.stderr}`);
  }
  const check = qemuCheck(descriptorPath);
  assert.equal(check.code, 0, `qemu-img check: ${check.stdout}${check.stderr}`);
  assert.match(check.stdout, /No errors were found/);

  // libvmdk: opens it and agrees on the size.
  const vi = vmdkinfo(descriptorPath);
  assert.equal(vi.code, 0, `vmdkinfo: ${vi.stdout}${vi.stderr}`);
  assert.equal(mediaSize(vi.stdout), truth.size, 'vmdkinfo media size');

  // Descriptor.
  const d = parseDescriptorText(descriptorText(descriptorPath));
  assertDescriptorBasics(d, subformat);
  assertGeometry(d, adapter, truth.size / SECTOR);
  assert.deepEqual(
    d.extents.map((e) => ({ access: e.access, sectors: e.sectors, type: e.type, file: e.file, offset: e.offset })),
    files.map((f) => ({
      access: 'RW',
      sectors: f.sectors,
      type: subformat === 'monolithicFlat' || subformat === 'twoGbMaxExtentFlat' ? 'FLAT' : 'SPARSE',
      file: f.file,
      offset: subformat === 'monolithicFlat' || subformat === 'twoGbMaxExtentFlat' ? 0 : undefined,
    })),
    'extent lines name the real files with their sizes',
  );
  if (!embedded) assert.ok(!readdirSync(dir).includes(name) || statSync(descriptorPath).size < 64 * 1024, 'a separate descriptor is small text');

  // Extent contents.
  const wanted = nonZeroGrains(truth.size, truth.pieces);
  if (subformat === 'monolithicFlat' || subformat === 'twoGbMaxExtentFlat') {
    for (const f of files) assert.equal(statSync(join(dir, f.file)).size, f.sectors * SECTOR, `${f.file} is exactly its extent's bytes`);
    return;
  }
  const stored = new Set<number>();
  let base = 0;
  for (const f of files) {
    const path = join(dir, f.file);
    const h = readSparseHeader(path);
    assert.equal(h.magic, KDMV, `${f.file}: KDMV magic`);
    assert.equal(h.capacity, BigInt(f.sectors), `${f.file}: capacity`);
    assert.equal(h.grainSize, BigInt(GRAIN_SECTORS), `${f.file}: 64 KiB grains`);
    assert.equal(h.numGTEsPerGT, 512);
    assert.deepEqual(h.newlineChars, [0x0a, 0x20, 0x0d, 0x0a], `${f.file}: newline detection bytes`);
    assert.equal(h.uncleanShutdown, 0);
    let map;
    if (subformat === 'streamOptimized') {
      assert.equal(h.version, 3, 'streamOptimized is version 3');
      assert.equal(h.flags, 0x30001, 'streamOptimized flags: newline test, compressed grains, markers');
      assert.equal(h.compressAlgorithm, 1, 'deflate');
      assert.equal(h.descriptorOffset, 1n);
      const tail = readStreamTail(path);
      assert.deepEqual(tail.footerMarker, { numSectors: 1n, size: 0, type: 3 }, 'footer marker before the footer');
      assert.equal(tail.footer.magic, KDMV, 'footer is a header copy');
      assert.equal(tail.footer.version, 3);
      assert.equal(tail.footer.flags, 0x30001);
      assert.equal(tail.footer.capacity, h.capacity);
      assert.ok(tail.eosIsZero, 'ends with the end-of-stream marker (a zero sector)');
      assert.ok(h.gdOffset === GD_AT_END || h.gdOffset === tail.footer.gdOffset, 'header points to the directory or defers to the footer');
      assert.notEqual(tail.footer.gdOffset, GD_AT_END, 'the footer knows where the directory is');
      const objects = walkStream(path, h);
      const end = objects.slice(-3).map((o) => (o.kind === 'marker' ? o.sizeOrType : -1));
      assert.deepEqual(end, [2, 3, 0], 'stream ends: grain directory, footer, end-of-stream');
      assert.equal(Number(tail.footer.gdOffset), objects[objects.length - 3]!.sector + 1, 'footer gdOffset is the sector after the GD marker');
      const grainObjects = objects.filter((o) => o.kind === 'grain');
      const lbas = grainObjects.map((o) => Number(o.value));
      assert.deepEqual(lbas, [...lbas].sort((a, b) => a - b), 'grains in ascending LBA order');
      map = readGrainMap(path, h, Number(tail.footer.gdOffset));
      const bySector = new Map(grainObjects.map((o) => [o.sector, Number(o.value)]));
      for (const [index, sector] of map.grains) assert.equal(bySector.get(sector), index * GRAIN_SECTORS, `GT entry of grain ${index} points at that grain's prefix`);
      assert.equal(grainObjects.length, map.grains.size, 'every stored grain is in a grain table');
    } else {
      assert.equal(h.version, 1);
      assert.equal(h.flags & 0x3, 0x3, 'newline test and redundant grain table flags');
      assert.equal(h.flags & 0x30000, 0, 'not compressed');
      assert.equal(h.compressAlgorithm, 0);
      if (subformat === 'monolithicSparse') {
        assert.equal(h.descriptorOffset, 1n, 'embedded descriptor at sector 1');
        assert.ok(h.descriptorSize > 0n);
      } else {
        assert.equal(h.descriptorOffset, 0n, 'split extents carry no descriptor');
      }
      assert.equal(Number(h.overHead) % GRAIN_SECTORS, 0, 'overhead is grain aligned');
      map = readGrainMap(path, h, Number(h.gdOffset));
      const redundant = grainTablesBytes(path, h, Number(h.rgdOffset));
      const primary = grainTablesBytes(path, h, Number(h.gdOffset));
      assert.deepEqual(redundant, primary, 'redundant grain tables equal the primary ones');
      for (const sector of map.grains.values()) {
        assert.ok(sector >= Number(h.overHead), 'grains lie after the metadata');
        assert.equal(sector % GRAIN_SECTORS, 0, 'grains are grain aligned');
      }
    }
    for (const index of map.grains.keys()) stored.add(base + index);
    base += f.sectors / GRAIN_SECTORS;
    // Nothing but metadata and the stored grains: an empty disk makes a small file.
    const bound =
      subformat === 'streamOptimized'
        ? Number(h.overHead) * SECTOR + map.grains.size * (GRAIN_SECTORS * SECTOR + 1024) + map.gdEntries * 5 * SECTOR + 16 * SECTOR
        : Number(h.overHead) * SECTOR + map.grains.size * GRAIN_SECTORS * SECTOR;
    assert.ok(statSync(path).size <= bound, `${f.file}: ${statSync(path).size} bytes, more than metadata and ${map.grains.size} grains (${bound})`);
  }
  const missing = [...wanted].filter((g) => !stored.has(g));
  const extra = [...stored].filter((g) => !wanted.has(g));
  assert.deepEqual(missing, [], 'every non-zero grain is stored');
  assert.deepEqual(extra, [], 'no all-zero grain is stored');
}
