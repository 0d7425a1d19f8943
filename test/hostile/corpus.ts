// A corpus of broken and lying disk images, derived from valid ones, each with what Ferry must do
// with it. Valid bases come from the test-only VHD and VHDX writers, qemu-img and Ferry's own
// streamOptimized writer; every case is a copy of a base with one thing wrong (a truncation at a
// structure boundary, a field set to an impossible or lying value, a checksum spoiled, a parent
// missing or wrong), or a file that is no disk at all.
//
// Most cases must be refused (exit 2) with one stable code. A few are damaged where the data is
// still whole (one footer copy, one header, one region table): those must convert and warn.
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorCode } from '../../shared/errors';
import { runJob } from '../../worker/engine/jobs/run-job';
import { crc32c } from '../../worker/engine/io/crc32c';
import { runOk } from '../support/tools';
import { MiB, SECTOR, newUuid, pseudoRandom, vhdChecksum, writeDifferencingVhd, writeDynamicVhd, writeFixedVhd, type Piece } from '../support/vhd-writer';
import { writeVhdx, type BlockSpec, type VhdxImage, type VhdxSpec } from '../vhdx/vhdx-writer';

export type Expectation =
  | {
      outcome: 'refused';
      /** The error code `convert` must report (all of them mean exit 2). */
      code: ErrorCode;
      /** What the message must say (the structure or offset), beyond naming a file. */
      mentions?: RegExp;
      /**
       * `inspect` reads the structures and the first sectors, not every grain: where the damage
       * lies only in data it never reads, it may succeed ('ok'). Default: refused too.
       */
      inspect?: 'refused' | 'ok';
    }
  | {
      outcome: 'converted';
      /** A warning the result must carry; absent where the lie is harmless and ignored. */
      warning?: RegExp;
    };

export interface CorpusCase {
  /** `family/what`, unique, also the test name. */
  id: string;
  /** The folder holding this case's files, and nothing else. */
  dir: string;
  /** The path given to `ferry` (may not exist, or be a folder). */
  source: string;
  expect: Expectation;
  /** Set where the expected behaviour is not there yet, naming the owner's bug. */
  todo?: string;
}

/** Which base a mutation applies to, for the fuzz loop: the file bytes and its structures. */
export interface Hotspot {
  offset: number;
  length: number;
  what: string;
}

export interface FuzzBase {
  name: string;
  /** File name → bytes; `main` is the one opened. */
  files: Map<string, Buffer>;
  main: string;
  /** Header and table ranges of `main` worth mutating. */
  hotspots: Hotspot[];
  /** Re-seals checksums after a mutation (so it reaches the field checks behind them). */
  reseal?: (b: Buffer) => void;
}

// ---------------------------------------------------------------------------------------------
// Byte helpers

const KiB = 1024;

/** XORs the big-endian u32 at `at` with `mask` (to spoil a checksum). */
function flip32(b: Buffer, at: number, mask: number): void {
  b.writeUInt32BE((b.readUInt32BE(at) ^ mask) >>> 0, at);
}

function copyOf(b: Buffer): Buffer {
  return Buffer.from(b);
}

function edit(b: Buffer, fn: (c: Buffer) => void): Buffer {
  const c = copyOf(b);
  fn(c);
  return c;
}

/** Writes `data` into a fresh file, leaving all-zero 64 KiB runs as holes. */
export function writeSparse(path: string, data: Buffer): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, data.length);
    const step = 64 * KiB;
    const zeros = Buffer.alloc(step);
    for (let at = 0; at < data.length; at += step) {
      const piece = data.subarray(at, Math.min(data.length, at + step));
      if (!piece.equals(zeros.subarray(0, piece.length))) writeSync(fd, piece, 0, piece.length, at);
    }
  } finally {
    closeSync(fd);
  }
}

/** The 4 MiB guest disk every base holds: an MBR with one partition, and scattered data. */
export const DISK_SIZE = 4 * MiB;

export function truthPieces(): Piece[] {
  const mbr = pseudoRandom(SECTOR, 11);
  mbr.fill(0, 440, 512);
  mbr[446] = 0x80;
  mbr[446 + 4] = 0x83;
  mbr.writeUInt32LE(2048, 446 + 8);
  mbr.writeUInt32LE(DISK_SIZE / SECTOR - 2048, 446 + 12);
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  return [
    { offset: 0, data: mbr },
    { offset: MiB, data: pseudoRandom(64 * KiB, 12) },
    { offset: 2 * MiB + 100 * KiB, data: pseudoRandom(128 * KiB, 13) },
    { offset: DISK_SIZE - 64 * KiB, data: pseudoRandom(64 * KiB, 14) },
  ];
}

function truthBytes(): Buffer {
  const out = Buffer.alloc(DISK_SIZE);
  for (const p of truthPieces()) p.data.copy(out, p.offset);
  return out;
}

// VHD: big-endian fields; footer checksum at 64, dynamic header checksum at 36.
function resealVhdFooter(b: Buffer, at: number): void {
  const f = b.subarray(at, at + SECTOR);
  f.writeUInt32BE(vhdChecksum(f, 64), 64);
}

function resealVhdHeader(b: Buffer, at: number): void {
  const h = b.subarray(at, at + 1024);
  h.writeUInt32BE(vhdChecksum(h, 36), 36);
}

/** Edits both footers of a dynamic VHD (the copy at 0 and the one at the end) and reseals them. */
function vhdFooters(b: Buffer, fn: (f: Buffer) => void): Buffer {
  return edit(b, (c) => {
    for (const at of [0, c.length - SECTOR]) {
      if (c.toString('latin1', at, at + 8) !== 'conectix') continue;
      fn(c.subarray(at, at + SECTOR));
      resealVhdFooter(c, at);
    }
  });
}

// VHDX: little-endian; headers at 64 KiB and 128 KiB (CRC-32C over 4 KiB), region tables at
// 192 KiB and 256 KiB (CRC over 64 KiB).
const VHDX_HEADERS = [64 * KiB, 128 * KiB] as const;
const VHDX_REGIONS = [192 * KiB, 256 * KiB] as const;

function resealCrc(b: Buffer, at: number, length: number): void {
  const s = b.subarray(at, at + length);
  s.writeUInt32LE(0, 4);
  s.writeUInt32LE(crc32c(s), 4);
}

// Fuzz mutants may be cut short: a structure that is no longer whole keeps its old checksum.
function resealVhdx(b: Buffer): void {
  for (const at of VHDX_HEADERS) if (b.length >= at + 4 * KiB && b.toString('latin1', at, at + 4) === 'head') resealCrc(b, at, 4 * KiB);
  for (const at of VHDX_REGIONS) if (b.length >= at + 64 * KiB && b.toString('latin1', at, at + 4) === 'regi') resealCrc(b, at, 64 * KiB);
}

function vhdxHeaders(b: Buffer, fn: (h: Buffer) => void): Buffer {
  return edit(b, (c) => {
    for (const at of VHDX_HEADERS) {
      fn(c.subarray(at, at + 4 * KiB));
      resealCrc(c, at, 4 * KiB);
    }
  });
}

function vhdxRegions(b: Buffer, fn: (t: Buffer) => void): Buffer {
  return edit(b, (c) => {
    for (const at of VHDX_REGIONS) {
      fn(c.subarray(at, at + 64 * KiB));
      resealCrc(c, at, 64 * KiB);
    }
  });
}

/** Region table entry `i`'s offset field (u64) and length (u32), relative to the table. */
const regionOffsetAt = (i: number) => 16 + i * 32 + 16;
const regionLengthAt = (i: number) => 16 + i * 32 + 24;

// VMDK sparse header: little-endian, fields in sectors.
interface SparseLayout {
  gdSector: number;
  rgdSector: number;
  gtSector: number;
  firstGrainSector: number;
  descriptorSector: number;
  descriptorSectors: number;
}

function sparseLayout(b: Buffer): SparseLayout {
  const gd = Number(b.readBigUInt64LE(56));
  const gtSector = b.readUInt32LE(gd * SECTOR);
  let firstGrainSector = 0;
  for (let i = 0; i < 512; i++) {
    const s = b.readUInt32LE(gtSector * SECTOR + i * 4);
    if (s > 1) {
      firstGrainSector = s;
      break;
    }
  }
  return {
    gdSector: gd,
    rgdSector: Number(b.readBigUInt64LE(48)),
    gtSector,
    firstGrainSector,
    descriptorSector: Number(b.readBigUInt64LE(28)),
    descriptorSectors: Number(b.readBigUInt64LE(36)),
  };
}

// ---------------------------------------------------------------------------------------------
// Bases

export interface Bases {
  raw: Buffer;
  /** A small file outside every case folder, for locators and extents that name other places. */
  elsewhere: string;
  vhdFixed: Buffer;
  vhdDynamic: { bytes: Buffer; tableOffset: number; blocks: Map<number, number>; bitmapSize: number };
  vhdParent: { bytes: Buffer; uuid: Buffer };
  vhdChild: { bytes: Buffer; tableOffset: number; blocks: Map<number, number>; bitmapSize: number };
  vhdQemu: Buffer;
  vhdx: { bytes: Buffer; img: VhdxImage };
  vhdxParent: { bytes: Buffer; img: VhdxImage; spec: VhdxSpec };
  vhdxChild: { bytes: Buffer; img: VhdxImage; spec: VhdxSpec };
  vhdxLog: { bytes: Buffer; img: VhdxImage };
  vhdxQemu: Buffer;
  vmdkSparse: { bytes: Buffer; layout: SparseLayout };
  vmdkFlat: { descriptor: string; flat: Buffer };
  vmdkStream: { bytes: Buffer; gdSector: number; firstGrainSector: number; footerAt: number };
}

function vhdxBlocks(data: Buffer, blockSize: number): Map<number, BlockSpec> {
  const blocks = new Map<number, BlockSpec>();
  for (let b = 0; b * blockSize < data.length; b++) {
    const slice = data.subarray(b * blockSize, (b + 1) * blockSize);
    if (!slice.equals(Buffer.alloc(slice.length))) blocks.set(b, { state: 'full', data: Buffer.from(slice) });
  }
  return blocks;
}

/** Writes the valid bases into `dir` (a scratch folder) and returns them in memory. */
export async function buildBases(dir: string): Promise<Bases> {
  mkdirSync(dir, { recursive: true });
  const at = (n: string) => join(dir, n);
  const pieces = truthPieces();
  const raw = truthBytes();
  writeFileSync(at('truth.raw'), raw);

  writeFixedVhd(at('fixed.vhd'), { size: DISK_SIZE, pieces: pieces.filter((p) => p.offset > 0) });
  const dyn = writeDynamicVhd(at('dynamic.vhd'), { size: DISK_SIZE, blockSize: 512 * KiB, pieces });

  const parentUuid = newUuid();
  writeDynamicVhd(at('parent.vhd'), { size: DISK_SIZE, blockSize: 512 * KiB, pieces, uuid: parentUuid });
  const child = writeDifferencingVhd(at('child.vhd'), {
    size: DISK_SIZE,
    blockSize: 512 * KiB,
    parentUuid,
    parentName: 'parent.vhd',
    locators: [{ kind: 'W2ru', text: '.\\parent.vhd' }],
    pieces: [
      { offset: 4096, data: pseudoRandom(8 * SECTOR, 21) },
      { offset: 3 * MiB, data: pseudoRandom(64 * KiB, 22) },
    ],
  });

  runOk('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=dynamic', at('truth.raw'), at('qemu.vhd')]);
  runOk('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vhdx', '-o', 'subformat=dynamic,block_size=1M', at('truth.raw'), at('qemu.vhdx')]);
  // Named as the cases name it: a sparse VMDK's embedded descriptor names its own file.
  mkdirSync(at('sparse'));
  runOk('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=monolithicSparse', at('truth.raw'), at('sparse/disk.vmdk')]);
  runOk('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=monolithicFlat', at('truth.raw'), at('flat.vmdk')]);

  const vhdxSpec: VhdxSpec = { virtualSize: DISK_SIZE, blockSize: MiB, blocks: vhdxBlocks(raw, MiB) };
  const vhdxImg = writeVhdx(at('dynamic.vhdx'), vhdxSpec);

  const parentSpec: VhdxSpec = { virtualSize: DISK_SIZE, blockSize: MiB, blocks: vhdxBlocks(raw, MiB) };
  const vhdxParentImg = writeVhdx(at('parent.vhdx'), parentSpec);
  const childBlocks = new Map<number, BlockSpec>([
    [0, { state: 'partial', data: pseudoRandom(MiB, 31), present: (s) => s >= 8 && s < 16 }],
    [3, { state: 'full', data: pseudoRandom(MiB, 32) }],
  ]);
  const childSpec: VhdxSpec = {
    virtualSize: DISK_SIZE,
    blockSize: MiB,
    blocks: childBlocks,
    parent: { linkage: vhdxParentImg.dataWriteGuid, relativePath: '.\\parent.vhdx' },
  };
  const vhdxChildImg = writeVhdx(at('child.vhdx'), childSpec);

  const vhdxLogImg = writeVhdx(at('log.vhdx'), { virtualSize: DISK_SIZE, blockSize: MiB, blocks: vhdxBlocks(raw, MiB) }, (img) => ({
    entries: [{ data: [img.layout.blockOffsets.get(0)!, img.layout.batOffset] }, { data: [img.layout.blockOffsets.get(0)! + 4096] }],
  }));

  // A true stream (markers, GD at the end, footer) as Ferry writes it for OVAs.
  mkdirSync(at('stream'));
  await runJob({ kind: 'convert', source: at('truth.raw'), output: at('stream/disk.vmdk'), subformat: 'streamOptimized', adapter: 'lsilogic', verify: true, overwrite: true });
  const stream = readFileSync(at('stream/disk.vmdk'));
  // The footer: a marker sector (type 3) and a copy of the header, 1536 bytes from the end.
  const footerAt = stream.length - 1536;
  const streamGd = Number(stream.readBigUInt64LE(footerAt + 512 + 56));
  let firstGrain = 0;
  for (let s = 1; s * SECTOR < stream.length; s++) {
    // A grain marker: LBA (u64), compressed size (u32 > 0), then deflate data.
    const size = stream.readUInt32LE(s * SECTOR + 8);
    if (size > 0 && size < 65536 * 2 && stream[s * SECTOR + 12] === 0x78) {
      firstGrain = s;
      break;
    }
  }

  const sparse = readFileSync(at('sparse/disk.vmdk'));
  writeFileSync(at('elsewhere.txt'), 'a file no case folder holds\n');
  return {
    raw,
    elsewhere: at('elsewhere.txt'),
    vhdFixed: readFileSync(at('fixed.vhd')),
    vhdDynamic: { bytes: readFileSync(at('dynamic.vhd')), tableOffset: dyn.tableOffset, blocks: dyn.blocks, bitmapSize: dyn.bitmapSize },
    vhdParent: { bytes: readFileSync(at('parent.vhd')), uuid: parentUuid },
    vhdChild: { bytes: readFileSync(at('child.vhd')), tableOffset: child.tableOffset, blocks: child.blocks, bitmapSize: child.bitmapSize },
    vhdQemu: readFileSync(at('qemu.vhd')),
    vhdx: { bytes: readFileSync(at('dynamic.vhdx')), img: vhdxImg },
    vhdxParent: { bytes: readFileSync(at('parent.vhdx')), img: vhdxParentImg, spec: parentSpec },
    vhdxChild: { bytes: readFileSync(at('child.vhdx')), img: vhdxChildImg, spec: childSpec },
    vhdxLog: { bytes: readFileSync(at('log.vhdx')), img: vhdxLogImg },
    vhdxQemu: readFileSync(at('qemu.vhdx')),
    vmdkSparse: { bytes: sparse, layout: sparseLayout(sparse) },
    vmdkFlat: { descriptor: readFileSync(at('flat.vmdk'), 'utf8').replace(/\0+$/, ''), flat: readFileSync(at('flat-flat.vmdk')) },
    vmdkStream: { bytes: stream, gdSector: streamGd, firstGrainSector: firstGrain, footerAt },
  };
}

// ---------------------------------------------------------------------------------------------
// The corpus

type Files = Record<string, Buffer | string | { symlink: string } | { folder: true } | { fifo: true }>;

class CorpusBuilder {
  readonly cases: CorpusCase[] = [];
  private n = 0;
  constructor(private readonly root: string) {}

  /** One case: its own folder holding `files`; `source` names the file given to ferry. */
  add(id: string, files: Files, source: string, expect: Expectation, todo?: string): void {
    if (this.cases.some((c) => c.id === id)) throw new Error(`duplicate case id ${id}`);
    const dir = join(this.root, `${String(this.n++).padStart(3, '0')}-${id.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60)}`);
    mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      const path = join(dir, name);
      if (Buffer.isBuffer(content)) writeSparse(path, content);
      else if (typeof content === 'string') writeFileSync(path, content);
      else if ('symlink' in content) symlinkSync(content.symlink, path);
      else if ('folder' in content) mkdirSync(path);
      else {
        const r = spawnSync('mkfifo', [path]);
        if (r.status !== 0) throw new Error(`mkfifo ${path} failed`);
      }
    }
    this.cases.push({ id, dir, source: join(dir, source), expect, ...(todo ? { todo } : {}) });
  }

  /** A single-file case. */
  one(id: string, name: string, bytes: Buffer | string, expect: Expectation, todo?: string): void {
    this.add(id, { [name]: bytes }, name, expect, todo);
  }
}

const refused = (code: ErrorCode, mentions?: RegExp, inspect?: 'ok'): Expectation => ({
  outcome: 'refused',
  code,
  ...(mentions ? { mentions } : {}),
  ...(inspect ? { inspect } : {}),
});
const corrupt = (mentions?: RegExp, inspect?: 'ok'): Expectation => refused('E_CORRUPT', mentions, inspect);
const converted = (warning?: RegExp): Expectation => ({ outcome: 'converted', ...(warning ? { warning } : {}) });

const U64_MAX = 0xffffffffffffffffn;
const U64_HALF = 1n << 63n;

function vhdFixedCases(c: CorpusBuilder, base: Buffer): void {
  const f = 'vhd-fixed';
  const footerAt = base.length - SECTOR;
  const footer = (fn: (x: Buffer) => void) => edit(base, (b) => {
    fn(b.subarray(footerAt));
    resealVhdFooter(b, footerAt);
  });
  // A fixed VHD's only structure is its footer: cut anywhere before it, there is no VHD left.
  for (const [label, at] of [
    ['in the first sector', 100],
    ['after the first sector', 512],
    ['in the middle of the data', 2 * MiB + 7],
    ['half-way through the footer', footerAt + 256],
  ] as const) {
    c.one(`${f}/truncated ${label}`, 'disk.vhd', base.subarray(0, at), refused('E_NOT_A_DISK', /no VHD footer|not a recognised disk/));
  }
  c.one(`${f}/cookie misspelt`, 'disk.vhd', edit(base, (b) => b.write('conectiY', footerAt, 'latin1')), refused('E_NOT_A_DISK'));
  c.one(`${f}/footer checksum spoiled (no copy to fall back on)`, 'disk.vhd', edit(base, (b) => flip32(b, footerAt + 64, 0xff)), corrupt(/checksum/));
  for (const t of [0, 1, 5, 6, 0xffffffff]) {
    c.one(`${f}/disk type ${t}`, 'disk.vhd', footer((x) => x.writeUInt32BE(t, 60)), refused('E_UNSUPPORTED', new RegExp(`type ${t}`)));
  }
  c.one(`${f}/current size 0`, 'disk.vhd', footer((x) => x.writeBigUInt64BE(0n, 48)), refused('E_UNSUPPORTED', /empty/));
  c.one(`${f}/current size not whole sectors`, 'disk.vhd', footer((x) => x.writeBigUInt64BE(BigInt(DISK_SIZE - 100), 48)), corrupt(/sectors/));
  c.one(`${f}/current size 2^63`, 'disk.vhd', footer((x) => x.writeBigUInt64BE(U64_HALF, 48)), corrupt(/9223372036854775808/));
  c.one(`${f}/current size 2^64-1`, 'disk.vhd', footer((x) => x.writeBigUInt64BE(U64_MAX, 48)), corrupt());
  c.one(`${f}/current size 3 TiB, past the VHD limit`, 'disk.vhd', footer((x) => x.writeBigUInt64BE(3n << 40n, 48)), corrupt(/2040 GiB/));
  c.one(`${f}/current size 2040 GiB in a 4 MiB file`, 'disk.vhd', footer((x) => x.writeBigUInt64BE(0xff000000n * 512n, 48)), converted(/states .* bytes but the file holds/));
  c.one(
    `${f}/Virtual PC geometry larger than the file`,
    'disk.vhd',
    footer((x) => {
      x.write('vpc ', 28, 'latin1');
      x.writeUInt16BE(1000, 56);
      x.writeUInt8(16, 58);
      x.writeUInt8(63, 59);
    }),
    converted(/the file holds/),
  );
  c.one(`${f}/Virtual PC geometry of zero`, 'disk.vhd', footer((x) => {
    x.write('vpc ', 28, 'latin1');
    x.writeUInt32BE(0, 56);
  }), converted());
  c.one(`${f}/saved state set`, 'disk.vhd', footer((x) => x.writeUInt8(1, 84)), converted(/saved/));
  c.one(`${f}/says dynamic without a dynamic header`, 'disk.vhd', footer((x) => x.writeUInt32BE(3, 60)), corrupt(/dynamic header offset/));
  c.one(`${f}/says differencing with header offset 0`, 'disk.vhd', footer((x) => {
    x.writeUInt32BE(4, 60);
    x.writeBigUInt64BE(0n, 16);
  }), corrupt(/dynamic header offset 0/));
  // Without its footer a fixed VHD with a partition table is indistinguishable from a raw image.
  const withMbr = Buffer.concat([truthBytes(), base.subarray(footerAt)]);
  c.one(
    `${f}/footer cut off a disk with a partition table`,
    'disk.vhd',
    withMbr.subarray(0, DISK_SIZE),
    converted(/footer|raw/i),
  );
  c.one(
    `${f}/truncated mid-data, a disk with a partition table`,
    'disk.vhd',
    withMbr.subarray(0, 2 * MiB),
    converted(/footer|raw/i),
  );
}

function vhdDynamicCases(c: CorpusBuilder, d: Bases['vhdDynamic']): void {
  const f = 'vhd-dynamic';
  const base = d.bytes;
  const footerAt = base.length - SECTOR;
  const blocks = [...d.blocks.entries()].sort((a, b) => a[1] - b[1]);
  const [firstIndex, firstAt] = blocks[0]!;
  const lastAt = blocks[blocks.length - 1]![1];
  const header = (fn: (h: Buffer) => void) => edit(base, (b) => {
    fn(b.subarray(512, 1536));
    resealVhdHeader(b, 512);
  });
  const bat = (index: number, sector: number) => edit(base, (b) => b.writeUInt32BE(sector >>> 0, d.tableOffset + index * 4));

  // Truncated at (and inside) every structure: footer copy, header, BAT, bitmaps, blocks, footer.
  const cuts: Array<[string, number, Expectation]> = [
    ['inside the footer copy', 100, refused('E_NOT_A_DISK', /too small/)],
    ['after 511 bytes', 511, corrupt(/dynamic header offset/)],
    ['after the footer copy', 512, corrupt(/dynamic header offset/)],
    ['inside the dynamic header', 1024, corrupt(/dynamic header offset/)],
    ['after the dynamic header', 1536, corrupt(/block allocation table/)],
    ['inside the BAT', d.tableOffset + 10, corrupt(/block allocation table/)],
    ['after the BAT', d.tableOffset + 512, corrupt(/BAT entry/)],
    ['inside the first sector bitmap', firstAt + 100, corrupt(/BAT entry/)],
    ['after the first sector bitmap', firstAt + d.bitmapSize, corrupt(/BAT entry/)],
    ['inside the first block', firstAt + d.bitmapSize + 4096 + 3, corrupt(/BAT entry/)],
    ['inside the last block', lastAt + d.bitmapSize + 1000, corrupt(/BAT entry/)],
    ['half-way through the end footer', footerAt + 256, converted(/footer at the end/)],
    ['right before the end footer', footerAt, converted(/footer at the end/)],
    ['one byte short (a 511-byte footer, as Virtual PC 2004 wrote)', base.length - 1, converted()],
  ];
  for (const [label, at, expect] of cuts) c.one(`${f}/truncated ${label}`, 'disk.vhd', base.subarray(0, at), expect);

  c.one(`${f}/dynamic header cookie misspelt`, 'disk.vhd', header((h) => h.write('cxsparsE', 0, 'latin1')), corrupt(/cxsparse/));
  c.one(`${f}/dynamic header checksum spoiled`, 'disk.vhd', edit(base, (b) => flip32(b, 512 + 36, 1)), converted(/checksum/));
  c.one(`${f}/end footer checksum spoiled, copy intact`, 'disk.vhd', edit(base, (b) => flip32(b, footerAt + 64, 1)), converted(/footer at the end .* bad checksum/));
  c.one(`${f}/footer copy checksum spoiled, end footer intact`, 'disk.vhd', edit(base, (b) => flip32(b, 64, 1)), converted(/copy of the footer/));
  c.one(`${f}/footer copy wiped, end footer intact`, 'disk.vhd', edit(base, (b) => b.fill(0, 0, 512)), converted(/copy of the footer/));
  c.one(`${f}/both footers with spoiled checksums`, 'disk.vhd', edit(base, (b) => {
    flip32(b, 64, 1);
    flip32(b, footerAt + 64, 1);
  }), corrupt(/checksum/));

  for (const size of [0, 1, 511, 513, 768 * KiB, 512 * MiB, 0x80000000, 0xffffffff]) {
    c.one(`${f}/block size ${size}`, 'disk.vhd', header((h) => h.writeUInt32BE(size, 32)), corrupt(/block size/));
  }
  c.one(`${f}/block size 512 bytes: the table is far too small`, 'disk.vhd', header((h) => h.writeUInt32BE(512, 32)), corrupt(/entries/));
  c.one(`${f}/block size 4 MiB: the first block runs past the data`, 'disk.vhd', header((h) => h.writeUInt32BE(4 * MiB, 32)), corrupt(/BAT entry 0/));
  c.one(`${f}/max table entries 0`, 'disk.vhd', header((h) => h.writeUInt32BE(0, 28)), corrupt(/entries/));
  c.one(`${f}/max table entries one short`, 'disk.vhd', header((h) => h.writeUInt32BE(7, 28)), corrupt(/entries/));
  c.one(`${f}/max table entries 2^32-1 (only the needed ones are read, with a warning)`, 'disk.vhd', header((h) => h.writeUInt32BE(0xffffffff, 28)), converted(/Max Table Entries.*far more than/));
  c.one(
    `${f}/2040 GiB of 512-byte blocks: a table of gigabytes`,
    'disk.vhd',
    vhdFooters(header((h) => {
      h.writeUInt32BE(512, 32);
      h.writeUInt32BE(0xffffffff, 28);
    }), (x) => x.writeBigUInt64BE(0xff000000n * 512n, 48)),
    refused('E_UNSUPPORTED', /blocks/),
  );
  c.one(
    `${f}/2040 GiB of 2 MiB blocks: a 4 MiB table in a small file`,
    'disk.vhd',
    vhdFooters(header((h) => {
      h.writeUInt32BE(2 * MiB, 32);
      h.writeUInt32BE(0xffffffff, 28);
    }), (x) => x.writeBigUInt64BE(0xff000000n * 512n, 48)),
    corrupt(/block allocation table/),
  );
  for (const [label, off] of [
    ['0 (the footer copy)', 0n],
    ['512 (the dynamic header)', 512n],
    ['past the end of the file', BigInt(base.length + 4096)],
    ['2^31', 0x80000000n],
    ['2^63', U64_HALF],
    ['2^64-1', U64_MAX],
    ['not sector aligned', BigInt(d.tableOffset + 1)],
  ] as const) {
    c.one(`${f}/BAT offset ${label}`, 'disk.vhd', header((h) => h.writeBigUInt64BE(off, 16)), corrupt());
  }
  for (const [label, sector] of [
    ['past the end of the file', 0x00ffffff],
    ['0xfffffffe', 0xfffffffe],
    ['into the footer copy', 0],
    ['into the dynamic header', 1],
    ['into the BAT itself', d.tableOffset / SECTOR],
    ['onto the end footer', footerAt / SECTOR],
    ['so that the block overlaps the end footer', footerAt / SECTOR - 1],
  ] as const) {
    c.one(`${f}/BAT entry ${label}`, 'disk.vhd', bat(firstIndex, sector), corrupt(/BAT entry/));
  }
  c.one(`${f}/two BAT entries share one block`, 'disk.vhd', bat(1, firstAt / SECTOR), converted());
  for (const [label, off, mention] of [
    ['0', 0n, /offset 0/],
    ['513 (no header there)', 513n, /cxsparse/],
    ['past the end', BigInt(base.length), /outside the file/],
    ['2^63', U64_HALF, /impossibly large/],
  ] as const) {
    c.one(`${f}/footer data offset ${label}`, 'disk.vhd', vhdFooters(base, (x) => x.writeBigUInt64BE(off, 16)), corrupt(mention));
  }
  for (const t of [0, 1, 5, 0x80000003]) {
    c.one(`${f}/disk type ${t}`, 'disk.vhd', vhdFooters(base, (x) => x.writeUInt32BE(t, 60)), refused('E_UNSUPPORTED'));
  }
  c.one(`${f}/says differencing but names no parent`, 'disk.vhd', vhdFooters(base, (x) => x.writeUInt32BE(4, 60)), refused('E_PARENT_MISSING', /no usable path/));
  c.one(`${f}/says fixed (the file is smaller than the disk)`, 'disk.vhd', vhdFooters(base, (x) => x.writeUInt32BE(2, 60)), converted(/the file holds/));
  c.one(`${f}/size 2040 GiB with an 8-entry table`, 'disk.vhd', vhdFooters(base, (x) => x.writeBigUInt64BE(0xff000000n * 512n, 48)), corrupt(/entries/));
  c.one(`${f}/size one block more than the table covers`, 'disk.vhd', vhdFooters(base, (x) => x.writeBigUInt64BE(BigInt(DISK_SIZE + 512 * KiB), 48)), corrupt(/entries/));
  c.one(`${f}/size 2^63`, 'disk.vhd', vhdFooters(base, (x) => x.writeBigUInt64BE(U64_HALF, 48)), corrupt());
}

function vhdChainCases(c: CorpusBuilder, b: Bases): void {
  const f = 'vhd-chain';
  const parent = b.vhdParent.bytes;
  const child = b.vhdChild.bytes;
  const childHeader = (bytes: Buffer, fn: (h: Buffer) => void) => edit(bytes, (x) => {
    fn(x.subarray(512, 1536));
    resealVhdHeader(x, 512);
  });
  /** The child's locator payload is the sector after its BAT; rewrite it and its length. */
  const locatorAt = Number(child.readBigUInt64BE(512 + 576 + 16));
  /** The child renamed to look for `name`; with `selfParent`, its parent UUID is its own (so copies of it chain). */
  const renamed = (bytes: Buffer, name: string, selfParent = false) => childHeader(bytes, (h) => {
    h.fill(0, 64, 576);
    Buffer.from(name, 'utf16le').swap16().copy(h, 64);
    h.writeUInt32BE(0, 576); // drop the locator: the name alone says where the parent is
    if (selfParent) bytes.copy(h, 40, 68, 84);
  });

  c.add(`${f}/intact (control)`, { 'child.vhd': child, 'parent.vhd': parent }, 'child.vhd', converted());
  c.add(`${f}/parent missing`, { 'child.vhd': child }, 'child.vhd', refused('E_PARENT_MISSING', /parent\.vhd/));
  c.add(`${f}/parent UUID differs`, { 'child.vhd': childHeader(child, (h) => (h[40] = h[40]! ^ 0xff)), 'parent.vhd': parent }, 'child.vhd', refused('E_PARENT_MISMATCH', /UUID/));
  c.add(
    `${f}/a child that names itself`,
    { 'child.vhd': renamed(child, 'child.vhd') },
    'child.vhd',
    refused('E_PARENT_LOOP', /loops/),
  );
  c.add(
    `${f}/two children that name each other`,
    { 'a.vhd': renamed(child, 'b.vhd', true), 'b.vhd': renamed(child, 'a.vhd', true) },
    'a.vhd',
    refused('E_PARENT_LOOP', /loops/),
  );
  const smallParent = vhdFooters(parent, (x) => x.writeBigUInt64BE(BigInt(DISK_SIZE - 512 * KiB), 48));
  c.add(`${f}/parent of another size`, { 'child.vhd': child, 'parent.vhd': smallParent }, 'child.vhd', refused('E_PARENT_MISMATCH', /size|bytes/));
  c.add(`${f}/parent is a text file`, { 'child.vhd': child, 'parent.vhd': 'not a disk\n'.repeat(100) }, 'child.vhd', refused('E_PARENT_MISMATCH', /parent\.vhd .*is not a VHD/));
  c.add(`${f}/parent is a folder`, { 'child.vhd': child, 'parent.vhd': { folder: true } }, 'child.vhd', refused('E_PARENT_MISSING'));
  c.add(`${f}/parent is a VHDX`, { 'child.vhd': child, 'parent.vhd': b.vhdx.bytes }, 'child.vhd', refused('E_PARENT_MISMATCH', /parent\.vhd .*is not a VHD/));
  c.add(`${f}/parent truncated inside a block`, { 'child.vhd': child, 'parent.vhd': parent.subarray(0, parent.length - 300 * KiB) }, 'child.vhd', corrupt(/parent\.vhd/));
  const parentBat = Number(parent.readBigUInt64BE(512 + 16));
  c.add(
    `${f}/parent BAT entry past its end`,
    { 'child.vhd': child, 'parent.vhd': edit(parent, (x) => x.writeUInt32BE(0x00ffffff, parentBat)) },
    'child.vhd',
    corrupt(/BAT entry 0/),
  );
  c.add(
    `${f}/parent footer copy spoiled (its data whole)`,
    { 'child.vhd': child, 'parent.vhd': edit(parent, (x) => flip32(x, 64, 1)) },
    'child.vhd',
    converted(/Parent .*copy of the footer/),
  );
  c.add(
    `${f}/parent is itself a child whose parent is missing`,
    { 'child.vhd': child, 'parent.vhd': vhdFooters(parent, (x) => x.writeUInt32BE(4, 60)) },
    'child.vhd',
    refused('E_PARENT_MISSING'),
  );
  c.add(
    `${f}/locator past the end of the file, no parent name`,
    {
      'child.vhd': childHeader(child, (h) => {
        h.fill(0, 64, 576);
        h.writeBigUInt64BE(BigInt(child.length + 4096), 576 + 16);
      }),
      'parent.vhd': parent,
    },
    'child.vhd',
    refused('E_PARENT_MISSING'),
  );
  c.add(
    `${f}/locator length 2^32-1, no parent name`,
    {
      'child.vhd': childHeader(child, (h) => {
        h.fill(0, 64, 576);
        h.writeUInt32BE(0xffffffff, 576 + 8);
      }),
      'parent.vhd': parent,
    },
    'child.vhd',
    refused('E_PARENT_MISSING'),
  );
  c.add(
    `${f}/locator at offset 2^63`,
    {
      'child.vhd': childHeader(child, (h) => {
        h.fill(0, 64, 576);
        h.writeBigUInt64BE(U64_HALF, 576 + 16);
      }),
    },
    'child.vhd',
    refused('E_PARENT_MISSING'),
  );
  // A Mac locator naming a file that exists but is no disk: read (never written), then refused.
  const macText = Buffer.from(`file://${b.elsewhere}`);
  c.add(
    `${f}/locator names a file elsewhere that is no disk`,
    {
      'child.vhd': edit(childHeader(child, (h) => {
        h.fill(0, 64, 576);
        h.writeUInt32BE(0x4d616358, 576);
        h.writeUInt32BE(macText.length, 576 + 8);
      }), (x) => {
        x.fill(0, locatorAt, locatorAt + 512);
        macText.copy(x, locatorAt);
      }),
    },
    'child.vhd',
    refused('E_PARENT_MISMATCH', /elsewhere\.txt .*is not a VHD/),
  );
  // A locator naming a network share is never opened (on Windows that sends credentials); the parent is found by name.
  const uncText = Buffer.from('\\\\evil\\share\\parent.vhd', 'utf16le');
  c.add(
    `${f}/locator names a network share`,
    {
      'child.vhd': edit(childHeader(child, (h) => {
        h.writeUInt32BE(0x57326b75, 576);
        h.writeUInt32BE(uncText.length, 576 + 8);
      }), (x) => {
        x.fill(0, locatorAt, locatorAt + 512);
        uncText.copy(x, locatorAt);
      }),
      'parent.vhd': parent,
    },
    'child.vhd',
    converted(/Skipped the W2ku locator "\\\\evil\\share\\parent\.vhd": it is a network/),
  );
  const childBat = b.vhdChild.tableOffset;
  c.add(
    `${f}/child BAT entry past its end`,
    { 'child.vhd': edit(child, (x) => x.writeUInt32BE(0x00ffffff, childBat)), 'parent.vhd': parent },
    'child.vhd',
    corrupt(/BAT entry 0/),
  );
  // The disk is 3.75 MiB: the last block's bitmap claims sectors past the end, which are ignored.
  const short = BigInt(DISK_SIZE - 256 * KiB);
  const lastBlock = [...b.vhdChild.blocks.entries()].sort((x, y) => y[0] - x[0])[0]!;
  c.add(
    `${f}/sector bitmap claims data past the disk`,
    {
      'child.vhd': edit(vhdFooters(child, (x) => x.writeBigUInt64BE(short, 48)), (x) => x.fill(0xff, lastBlock[1], lastBlock[1] + b.vhdChild.bitmapSize)),
      'parent.vhd': vhdFooters(parent, (x) => x.writeBigUInt64BE(short, 48)),
    },
    'child.vhd',
    converted(),
  );
}

function vhdQemuCases(c: CorpusBuilder, base: Buffer): void {
  const f = 'vhd-qemu';
  const bat = Number(base.readBigUInt64BE(512 + 16));
  c.one(`${f}/truncated to half`, 'disk.vhd', base.subarray(0, Math.floor(base.length / 2)), corrupt(/BAT entry/));
  c.one(`${f}/truncated after the BAT`, 'disk.vhd', base.subarray(0, bat + 4 * 8), corrupt(/BAT entry/));
  c.one(`${f}/BAT entry 1 into the BAT`, 'disk.vhd', edit(base, (b) => {
    const e = b.readUInt32BE(bat);
    b.writeUInt32BE(bat / SECTOR, bat + 4);
    b.writeUInt32BE(e, bat);
  }), corrupt(/metadata/));
  c.one(`${f}/block size 0`, 'disk.vhd', edit(base, (b) => {
    b.writeUInt32BE(0, 512 + 32);
    resealVhdHeader(b, 512);
  }), corrupt(/block size/));
}

function vhdxCases(c: CorpusBuilder, b: Bases): void {
  const f = 'vhdx';
  const base = b.vhdx.bytes;
  const L = b.vhdx.img.layout;
  const blockAt = [...L.blockOffsets.entries()].sort((x, y) => x[1] - y[1]);
  const lastBlockAt = blockAt[blockAt.length - 1]![1];
  const cuts: Array<[string, number, Expectation]> = [
    ['to the signature alone', 8, corrupt(/1 MiB header section/)],
    ['inside the file identifier', 4 * KiB, corrupt(/1 MiB header section/)],
    ['inside header 1', 66 * KiB, corrupt(/1 MiB header section/)],
    ['after the header section', MiB, corrupt(/region/)],
    ['inside the log', MiB + 300 * KiB, corrupt(/region/)],
    ['inside the metadata region', L.metadataOffset + 100 * KiB, corrupt(/region/)],
    ['after the metadata region', L.batOffset, corrupt(/BAT region/)],
    ['inside the BAT', L.batOffset + 4096, corrupt(/BAT region/)],
    ['after the BAT', L.batOffset + MiB, corrupt(/BAT entry/)],
    ['inside the first block', blockAt[0]![1] + 12345, corrupt(/BAT entry/)],
    ['inside the last block', lastBlockAt + 500 * KiB, corrupt(/BAT entry/)],
    ['one byte short', base.length - 1, corrupt(/BAT entry/)],
  ];
  for (const [label, at, expect] of cuts) c.one(`${f}/truncated ${label}`, 'disk.vhdx', base.subarray(0, at), expect);

  c.one(`${f}/signature misspelt`, 'disk.vhdx', edit(base, (x) => x.write('vhdxfilE', 0, 'latin1')), refused('E_NOT_A_DISK'));
  const spoil = (at: number) => edit(base, (x) => (x[at + 100] = x[at + 100]! ^ 0xff));
  c.one(`${f}/header 1 checksum spoiled`, 'disk.vhdx', spoil(VHDX_HEADERS[0]), converted(/header 1 .* damaged/));
  c.one(`${f}/header 2 checksum spoiled`, 'disk.vhdx', spoil(VHDX_HEADERS[1]), converted(/header 2 .* damaged/));
  c.one(`${f}/both headers spoiled`, 'disk.vhdx', edit(spoil(VHDX_HEADERS[0]), (x) => (x[VHDX_HEADERS[1] + 100] = x[VHDX_HEADERS[1] + 100]! ^ 0xff)), corrupt(/neither VHDX header/));
  c.one(`${f}/both header signatures wrong`, 'disk.vhdx', vhdxHeaders(base, (h) => h.write('HEAD', 0, 'latin1')), corrupt(/signature/));
  c.one(`${f}/header version 2`, 'disk.vhdx', vhdxHeaders(base, (h) => h.writeUInt16LE(2, 66)), refused('E_UNSUPPORTED', /version 2/));
  c.one(`${f}/headers with equal sequence numbers that differ`, 'disk.vhdx', edit(base, (x) => {
    VHDX_HEADERS.forEach((at, i) => {
      x.writeBigUInt64LE(7n, at + 8);
      x[at + 200] = i + 1;
      resealCrc(x, at, 4 * KiB);
    });
  }), corrupt(/sequence number/));
  const logGuid = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
  c.one(`${f}/log named but empty`, 'disk.vhdx', vhdxHeaders(base, (h) => logGuid.copy(h, 48)), converted(/log/));
  for (const [label, fn, expect] of [
    ['log past the end of the file', (h: Buffer) => h.writeBigUInt64LE(BigInt(64 * MiB), 72), corrupt(/log/)],
    ['log of length 0', (h: Buffer) => h.writeUInt32LE(0, 68), corrupt(/log/)],
    ['log of 4 GiB', (h: Buffer) => h.writeUInt32LE(0xfff00000, 68), corrupt(/log/)],
    ['log at 2^63', (h: Buffer) => h.writeBigUInt64LE(U64_HALF, 72), corrupt(/log/)],
    ['log at an odd offset', (h: Buffer) => h.writeBigUInt64LE(BigInt(MiB + 512), 72), corrupt(/log/)],
    ['log version 1', (h: Buffer) => h.writeUInt16LE(1, 64), refused('E_UNSUPPORTED', /log/)],
  ] as const) {
    c.one(`${f}/${label}`, 'disk.vhdx', vhdxHeaders(base, (h) => {
      logGuid.copy(h, 48);
      fn(h);
    }), expect);
  }
  c.one(`${f}/region table 1 spoiled`, 'disk.vhdx', spoil(VHDX_REGIONS[0]), converted(/region table .* damaged/));
  c.one(`${f}/both region tables spoiled`, 'disk.vhdx', edit(spoil(VHDX_REGIONS[0]), (x) => (x[VHDX_REGIONS[1] + 100] = x[VHDX_REGIONS[1] + 100]! ^ 0xff)), corrupt(/region table/));
  c.one(`${f}/region count 2^32-1`, 'disk.vhdx', vhdxRegions(base, (t) => t.writeUInt32LE(0xffffffff, 8)), corrupt(/entries/));
  c.one(`${f}/region count 0`, 'disk.vhdx', vhdxRegions(base, (t) => t.writeUInt32LE(0, 8)), corrupt(/no BAT region|no metadata region/));
  // Entry 0 is the BAT, entry 1 the metadata (the writer's order).
  for (const [label, fn] of [
    ['past the end of the file', (t: Buffer) => t.writeBigUInt64LE(BigInt(64 * MiB), regionOffsetAt(0))],
    ['at 2^63', (t: Buffer) => t.writeBigUInt64LE(U64_HALF, regionOffsetAt(0))],
    ['at an odd offset', (t: Buffer) => t.writeBigUInt64LE(BigInt(L.batOffset + 4096), regionOffsetAt(0))],
    ['inside the header section', (t: Buffer) => t.writeBigUInt64LE(0n, regionOffsetAt(0))],
    ['of length 0', (t: Buffer) => t.writeUInt32LE(0, regionLengthAt(0))],
    ['of length 4 GiB - 1 MiB', (t: Buffer) => t.writeUInt32LE(0xfff00000, regionLengthAt(0))],
    ['over the metadata region', (t: Buffer) => t.writeBigUInt64LE(BigInt(L.metadataOffset), regionOffsetAt(0))],
  ] as const) {
    c.one(`${f}/BAT region ${label}`, 'disk.vhdx', vhdxRegions(base, fn), corrupt(/region/));
  }
  c.one(`${f}/metadata region past the end`, 'disk.vhdx', vhdxRegions(base, (t) => t.writeBigUInt64LE(BigInt(64 * MiB), regionOffsetAt(1))), corrupt(/metadata region/));
  c.one(`${f}/BAT region listed twice`, 'disk.vhdx', vhdxRegions(base, (t) => t.copy(t, 16 + 32, 16, 48)), corrupt(/twice/));
  c.one(`${f}/an unknown required region`, 'disk.vhdx', vhdxRegions(base, (t) => {
    t.writeUInt32LE(3, 8);
    Buffer.alloc(16, 0x5a).copy(t, 16 + 64);
    t.writeBigUInt64LE(BigInt(32 * MiB), 16 + 64 + 16);
    t.writeUInt32LE(MiB, 16 + 64 + 24);
    t.writeUInt32LE(1, 16 + 64 + 28);
  }), refused('E_UNSUPPORTED', /region/));

  const meta = L.metadataOffset;
  const metaEdit = (fn: (m: Buffer) => void) => edit(base, (x) => fn(x.subarray(meta, meta + MiB)));
  c.one(`${f}/metadata signature wrong`, 'disk.vhdx', metaEdit((m) => m.write('METADATA', 0, 'latin1')), corrupt(/metadata/));
  c.one(`${f}/metadata count 65535`, 'disk.vhdx', metaEdit((m) => m.writeUInt16LE(0xffff, 10)), corrupt(/entries/));
  c.one(`${f}/metadata count 0`, 'disk.vhdx', metaEdit((m) => m.writeUInt16LE(0, 10)), corrupt(/missing/));
  c.one(`${f}/metadata item past the region`, 'disk.vhdx', metaEdit((m) => m.writeUInt32LE(MiB - 4, 32 + 16)), corrupt(/outside the metadata region/));
  c.one(`${f}/metadata item of 2 MiB`, 'disk.vhdx', metaEdit((m) => m.writeUInt32LE(2 * MiB, 32 + 20)), corrupt(/long/));
  c.one(`${f}/an unknown required metadata item`, 'disk.vhdx', metaEdit((m) => {
    m[32] = m[32]! ^ 0xff; // the first item (File Parameters) becomes unknown, and it is required
  }), refused('E_UNSUPPORTED', /requires metadata/));

  const item = (name: string) => b.vhdx.img.items.get(name)!;
  const at = (name: string, fn: (x: Buffer, o: number) => void) => edit(base, (x) => fn(x, item(name)));
  for (const size of [0, 1, 512 * KiB, 3 * MiB, 512 * MiB, 0xffffffff]) {
    c.one(`${f}/block size ${size}`, 'disk.vhdx', at('fileParameters', (x, o) => x.writeUInt32LE(size, o)), corrupt(/block size/));
  }
  c.one(`${f}/logical sectors of 4096 bytes`, 'disk.vhdx', at('logicalSectorSize', (x, o) => x.writeUInt32LE(4096, o)), refused('E_UNSUPPORTED', /4Kn|4096/));
  c.one(`${f}/logical sectors of 1000 bytes`, 'disk.vhdx', at('logicalSectorSize', (x, o) => x.writeUInt32LE(1000, o)), corrupt(/sector size/));
  c.one(`${f}/physical sectors of 0 bytes`, 'disk.vhdx', at('physicalSectorSize', (x, o) => x.writeUInt32LE(0, o)), corrupt(/sector size/));
  for (const [label, v, expect] of [
    ['0', 0n, refused('E_UNSUPPORTED', /empty/)],
    ['2^63', U64_HALF, corrupt(/large/)],
    ['2^64-1', U64_MAX, corrupt(/large/)],
    ['65 TiB', 65n << 40n, corrupt(/64 TiB/)],
    ['64 TiB (the BAT region is far too small)', 64n << 40n, corrupt(/BAT region/)],
    ['not whole sectors', BigInt(DISK_SIZE - 100), corrupt(/sectors/)],
  ] as const) {
    c.one(`${f}/virtual size ${label}`, 'disk.vhdx', at('virtualDiskSize', (x, o) => x.writeBigUInt64LE(v, o)), expect);
  }
  c.one(`${f}/has-parent flag without a parent locator`, 'disk.vhdx', at('fileParameters', (x, o) => x.writeUInt32LE(2, o + 4)), corrupt(/Parent Locator/));

  const firstBlock = blockAt[0]![0];
  const entry = (block: number, state: number, offset: number) => edit(base, (x) => {
    const e = L.batEntryOffset(L.payloadIndex(block));
    x.writeBigUInt64LE(BigInt(offset) | BigInt(state), e);
  });
  for (const [label, state, offset] of [
    ['past the end of the file', 6, 64 * MiB],
    ['at FileOffsetMB 2^44-1', 6, 0],
    ['inside the header section', 6, 0],
    ['on the log', 6, L.logOffset],
    ['on the metadata region', 6, L.metadataOffset],
    ['on the BAT', 6, L.batOffset],
    ['at the very end of the file', 6, base.length],
    ['partially present in a disk without a parent', 7, blockAt[0]![1]],
  ] as const) {
    const bytes = label.startsWith('at FileOffsetMB')
      ? edit(base, (x) => x.writeBigUInt64LE((0xfffffffffffn << 20n) | 6n, L.batEntryOffset(L.payloadIndex(firstBlock))))
      : entry(firstBlock, state, offset);
    c.one(`${f}/BAT entry ${label}`, 'disk.vhdx', bytes, corrupt(/BAT entry/));
  }

  // qemu-img's own VHDX (its layout, not the test writer's).
  const q = b.vhdxQemu;
  c.one(`${f}-qemu/truncated to half`, 'disk.vhdx', q.subarray(0, Math.floor(q.length / 2)), corrupt());
  c.one(`${f}-qemu/header 2 spoiled`, 'disk.vhdx', edit(q, (x) => (x[VHDX_HEADERS[1] + 200] = x[VHDX_HEADERS[1] + 200]! ^ 1)), converted(/header 2/));
}

function vhdxChainCases(c: CorpusBuilder, b: Bases): void {
  const f = 'vhdx-chain';
  const parent = b.vhdxParent.bytes;
  const child = b.vhdxChild.bytes;
  const CL = b.vhdxChild.img.layout;
  const locatorAt = b.vhdxChild.img.items.get('parentLocator')!;
  /** Rewrites the child's parent locator value for `key` (same length, UTF-16LE). */
  const locatorValue = (bytes: Buffer, key: string, value: string) => edit(bytes, (x) => {
    const count = x.readUInt16LE(locatorAt + 18);
    for (let i = 0; i < count; i++) {
      const e = locatorAt + 20 + i * 12;
      const k = x.toString('utf16le', locatorAt + x.readUInt32LE(e), locatorAt + x.readUInt32LE(e) + x.readUInt16LE(e + 8));
      if (k !== key) continue;
      const v = Buffer.from(value, 'utf16le');
      const len = x.readUInt16LE(e + 10);
      if (v.length > len) throw new Error(`locator value "${value}" is longer than the slot (${len} bytes)`);
      // Pad with NULs: shorter values keep the slot length, as the reader takes the stated length.
      x.fill(0, locatorAt + x.readUInt32LE(e + 4), locatorAt + x.readUInt32LE(e + 4) + len);
      v.copy(x, locatorAt + x.readUInt32LE(e + 4));
      x.writeUInt16LE(v.length, e + 10);
    }
  });
  const otherParent = writeVhdxBytes({ ...b.vhdxParent.spec });
  const spec = b.vhdxChild.spec;
  /** The child, rebuilt to look for its parent at `relativePath` (and to carry `dataWriteGuid`, for loops). */
  const childAt = (relativePath: string, linkage: Buffer, dataWriteGuid?: Buffer) =>
    writeVhdxBytes({ ...spec, ...(dataWriteGuid ? { dataWriteGuid } : {}), parent: { linkage, relativePath } });
  const guidA = newUuid();
  const guidB = newUuid();

  c.add(`${f}/intact (control)`, { 'child.vhdx': child, 'parent.vhdx': parent }, 'child.vhdx', converted());
  c.add(`${f}/parent missing`, { 'child.vhdx': child }, 'child.vhdx', refused('E_PARENT_MISSING', /parent\.vhdx/));
  c.add(`${f}/parent replaced (DataWriteGuid differs)`, { 'child.vhdx': child, 'parent.vhdx': otherParent }, 'child.vhdx', refused('E_PARENT_MISMATCH', /DataWriteGuid/));
  c.add(`${f}/a child that names itself`, { 'child.vhdx': childAt('.\\child.vhdx', guidA, guidA) }, 'child.vhdx', refused('E_PARENT_LOOP', /loops/));
  c.add(
    `${f}/two children that name each other`,
    { 'a.vhdx': childAt('.\\b.vhdx', guidB, guidA), 'b.vhdx': childAt('.\\a.vhdx', guidA, guidB) },
    'a.vhdx',
    refused('E_PARENT_LOOP', /loops/),
  );
  c.add(`${f}/parent is a VHD`, { 'child.vhdx': child, 'parent.vhdx': b.vhdDynamic.bytes }, 'child.vhdx', refused('E_PARENT_MISMATCH', /not a VHDX/));
  c.add(`${f}/parent is a text file`, { 'child.vhdx': child, 'parent.vhdx': 'text\n'.repeat(1000) }, 'child.vhdx', refused('E_PARENT_MISMATCH', /not a VHDX/));
  c.add(
    `${f}/parent of another size (the child reads zeros past it)`,
    { 'child.vhdx': child, 'parent.vhdx': edit(parent, (x) => x.writeBigUInt64LE(BigInt(DISK_SIZE - MiB), b.vhdxParent.img.items.get('virtualDiskSize')!)) },
    'child.vhdx',
    converted(/parent/),
  );
  c.add(
    `${f}/parent truncated`,
    { 'child.vhdx': child, 'parent.vhdx': parent.subarray(0, parent.length - MiB / 2) },
    'child.vhdx',
    corrupt(/parent\.vhdx/),
  );
  c.add(
    `${f}/partial block without a sector bitmap`,
    { 'child.vhdx': edit(child, (x) => x.writeBigUInt64LE(0n, CL.batEntryOffset(CL.bitmapIndex(0)))), 'parent.vhdx': parent },
    'child.vhdx',
    corrupt(/sector bitmap/),
  );
  c.add(
    `${f}/sector bitmap past the end of the file`,
    { 'child.vhdx': edit(child, (x) => x.writeBigUInt64LE(BigInt(64 * MiB) | 6n, CL.batEntryOffset(CL.bitmapIndex(0)))), 'parent.vhdx': parent },
    'child.vhdx',
    corrupt(/BAT entry/),
  );
  c.add(
    `${f}/sector bitmap on the BAT`,
    { 'child.vhdx': edit(child, (x) => x.writeBigUInt64LE(BigInt(CL.batOffset) | 6n, CL.batEntryOffset(CL.bitmapIndex(0)))), 'parent.vhdx': parent },
    'child.vhdx',
    corrupt(/metadata/),
  );
  c.add(`${f}/parent locator without a linkage`, { 'child.vhdx': locatorValue(child, 'parent_linkage', '{nonsense}'), 'parent.vhdx': parent }, 'child.vhdx', corrupt(/parent_linkage/));
  c.add(
    `${f}/parent locator of an unknown type`,
    { 'child.vhdx': edit(child, (x) => (x[locatorAt] = x[locatorAt]! ^ 0xff)), 'parent.vhdx': parent },
    'child.vhdx',
    refused('E_UNSUPPORTED', /parent locator type/),
  );
  c.add(
    `${f}/parent locator claims 65535 entries`,
    { 'child.vhdx': edit(child, (x) => x.writeUInt16LE(0xffff, locatorAt + 18)), 'parent.vhdx': parent },
    'child.vhdx',
    corrupt(/entries/),
  );
  c.add(
    `${f}/parent locator key past the locator`,
    { 'child.vhdx': edit(child, (x) => x.writeUInt32LE(0xfffff, locatorAt + 20)), 'parent.vhdx': parent },
    'child.vhdx',
    corrupt(/outside the locator/),
  );
  c.add(
    `${f}/relative path climbs to a file elsewhere`,
    { 'child.vhdx': childAt(`${'..\\'.repeat(12)}${b.elsewhere.replace(/^\//, '').replace(/\//g, '\\')}`, guidA) },
    'child.vhdx',
    refused('E_PARENT_MISMATCH', /not a VHDX/),
  );
}

function writeVhdxBytes(spec: VhdxSpec): Buffer {
  // Built in memory through a scratch file (the writer saves sparsely).
  const tmp = join(tmpdir(), `ferry-corpus-${process.pid}-${Math.random().toString(36).slice(2)}.vhdx`);
  try {
    writeVhdx(tmp, spec);
    return readFileSync(tmp);
  } finally {
    rmSync(tmp, { force: true });
  }
}

function vhdxLogCases(c: CorpusBuilder, b: Bases): void {
  const f = 'vhdx-log';
  const base = b.vhdxLog.bytes;
  const L = b.vhdxLog.img.layout;
  c.one(`${f}/dirty log (control: replayed in memory)`, 'disk.vhdx', base, converted(/log/));
  c.one(`${f}/log entry checksum spoiled`, 'disk.vhdx', edit(base, (x) => (x[L.logOffset + 64 + 8] = x[L.logOffset + 64 + 8]! ^ 0xff)), corrupt(/log/));
  c.one(`${f}/first log entry's signature wiped`, 'disk.vhdx', edit(base, (x) => x.write('LOGE', L.logOffset, 'latin1')), corrupt(/log/));
  // The log says the file was larger than it is: truncated after the crash.
  c.one(`${f}/file truncated below the log's flushed size`, 'disk.vhdx', base.subarray(0, L.batOffset + MiB), corrupt());
  c.one(`${f}/log in a file whose header has no LogGuid match`, 'disk.vhdx', vhdxHeaders(base, (h) => (h[48] = h[48]! ^ 1)), converted(/log/));
}

function vmdkSparseCases(c: CorpusBuilder, b: Bases): void {
  const f = 'vmdk-sparse';
  const base = b.vmdkSparse.bytes;
  const L = b.vmdkSparse.layout;
  const hdr = (fn: (h: Buffer) => void) => edit(base, (x) => fn(x.subarray(0, 512)));
  const cuts: Array<[string, number, Expectation]> = [
    ['to the magic alone', 4, corrupt(/header/)],
    ['inside the header', 60, corrupt(/header/)],
    ['after the header', 512, corrupt(/descriptor/)],
    ['inside the embedded descriptor', L.descriptorSector * SECTOR + 700, corrupt(/descriptor/)],
    ['after the embedded descriptor', (L.descriptorSector + L.descriptorSectors) * SECTOR, corrupt(/grain directory/)],
    ['inside the grain directory', L.gdSector * SECTOR + 2, corrupt(/grain directory/)],
    ['inside the first grain table', L.gtSector * SECTOR + 100, corrupt(/grain table/)],
    ['before the first grain', L.firstGrainSector * SECTOR, corrupt(/grain/)],
    ['inside the first grain', L.firstGrainSector * SECTOR + 20 * KiB, corrupt(/grain/)],
    ['inside the last grain', base.length - 10 * KiB, corrupt(/grain/)],
  ];
  for (const [label, at, expect] of cuts) c.one(`${f}/truncated ${label}`, 'disk.vmdk', base.subarray(0, at), expect);

  c.one(`${f}/magic wrong`, 'disk.vmdk', hdr((h) => h.write('KDMW', 0, 'latin1')), refused('E_NOT_A_DISK'));
  for (const v of [0, 4, 0xffffffff]) c.one(`${f}/version ${v}`, 'disk.vmdk', hdr((h) => h.writeUInt32LE(v, 4)), refused('E_UNSUPPORTED', /version/));
  c.one(`${f}/compressed with algorithm 2`, 'disk.vmdk', hdr((h) => {
    h.writeUInt32LE(h.readUInt32LE(8) | 0x10000, 8);
    h.writeUInt16LE(2, 77);
  }), refused('E_UNSUPPORTED', /algorithm/));
  for (const [label, v, expect] of [
    ['0', 0n, corrupt(/capacity/)],
    ['2^63', U64_HALF, corrupt(/capacity/)],
    ['2^64-1', U64_MAX, corrupt(/capacity/)],
    ['half the descriptor\'s', BigInt(DISK_SIZE / SECTOR / 2), corrupt(/extent holds/)],
  ] as const) {
    c.one(`${f}/capacity ${label}`, 'disk.vmdk', hdr((h) => h.writeBigUInt64LE(v, 12)), expect);
  }
  for (const [label, v] of [['0', 0n], ['3', 3n], ['2^20', 1n << 20n], ['2^63', U64_HALF]] as const) {
    c.one(`${f}/grain size ${label}`, 'disk.vmdk', hdr((h) => h.writeBigUInt64LE(v, 20)), corrupt(/grain size/));
  }
  for (const v of [0, 0xffffffff, 0x7fffffff]) c.one(`${f}/grain table entries ${v}`, 'disk.vmdk', hdr((h) => h.writeUInt32LE(v, 44)), corrupt(/grain table/));
  c.one(
    `${f}/tiny grains over 2 TiB: a grain directory of gigabytes`,
    'disk.vmdk',
    hdr((h) => {
      h.writeBigUInt64LE(1n, 20);
      h.writeUInt32LE(1, 44);
      h.writeBigUInt64LE(0xffffffffn, 12);
    }),
    corrupt(/grain directory/),
  );
  for (const [label, v] of [['0', 0n], ['past the end', BigInt(base.length / SECTOR + 10)], ['2^63', U64_HALF], ['2^55 (offset past 2^64 bytes)', 1n << 55n]] as const) {
    c.one(`${f}/grain directory at sector ${label}`, 'disk.vmdk', hdr((h) => h.writeBigUInt64LE(v, 56)), corrupt(/grain directory/));
  }
  c.one(`${f}/grain directory "at the end" but no stream footer`, 'disk.vmdk', hdr((h) => h.writeBigUInt64LE(U64_MAX, 56)), corrupt(/footer/));
  const gd = (sector: number) => edit(base, (x) => x.writeUInt32LE(sector >>> 0, L.gdSector * SECTOR));
  c.one(`${f}/grain directory entry past the end`, 'disk.vmdk', gd(0x7fffffff), corrupt(/grain table 0/));
  c.one(`${f}/grain directory entry 2^32-1`, 'disk.vmdk', gd(0xffffffff), corrupt(/grain table 0/));
  c.one(`${f}/grain table on the descriptor`, 'disk.vmdk', gd(L.descriptorSector), corrupt(/grain table 0/));
  c.one(`${f}/grain table on the grain directory`, 'disk.vmdk', gd(L.gdSector), corrupt(/grain table 0/));
  c.one(`${f}/grain table on the header`, 'disk.vmdk', gd(0), converted());
  const gt = (index: number, sector: number) => edit(base, (x) => x.writeUInt32LE(sector >>> 0, L.gtSector * SECTOR + index * 4));
  const firstUsed = (() => {
    for (let i = 0; i < 512; i++) if (base.readUInt32LE(L.gtSector * SECTOR + i * 4) > 1) return i;
    return 0;
  })();
  for (const [label, sector] of [
    ['past the end', 0x7fffffff],
    ['2^32-1', 0xffffffff],
    ['on the header', 0],
    ['on the embedded descriptor', L.descriptorSector + 1],
    ['on the grain directory', L.gdSector],
    ['on a grain table', L.gtSector],
    ['overlapping the end of the file', base.length / SECTOR - 8],
  ] as const) {
    // Sector 0 means "unallocated": harmless. Every other lie must be caught.
    const expect = sector === 0 ? converted() : corrupt(/grain/);
    c.one(`${f}/grain table entry ${label}`, 'disk.vmdk', gt(firstUsed, sector), expect);
  }
  const desc = (text: string) => edit(base, (x) => {
    const at = L.descriptorSector * SECTOR;
    x.fill(0, at, at + L.descriptorSectors * SECTOR);
    x.write(text, at, 'utf8');
  });
  const original = base.toString('utf8', L.descriptorSector * SECTOR, (L.descriptorSector + L.descriptorSectors) * SECTOR).replace(/\0.*$/s, '');
  c.one(`${f}/descriptor size 2^31 sectors`, 'disk.vmdk', hdr((h) => h.writeBigUInt64LE(0x80000000n, 36)), corrupt(/descriptor/));
  c.one(`${f}/descriptor at sector 2^63`, 'disk.vmdk', hdr((h) => h.writeBigUInt64LE(U64_HALF, 28)), corrupt(/descriptor/));
  c.one(`${f}/descriptor past the end`, 'disk.vmdk', hdr((h) => h.writeBigUInt64LE(BigInt(base.length / SECTOR + 1), 28)), corrupt(/descriptor/));
  c.one(`${f}/descriptor is random bytes`, 'disk.vmdk', edit(base, (x) => pseudoRandom(L.descriptorSectors * SECTOR, 41).copy(x, L.descriptorSector * SECTOR)), corrupt(/descriptor/));
  c.one(`${f}/descriptor names a snapshot's parent`, 'disk.vmdk', desc(original.replace(/parentCID=\w+/, 'parentCID=12345678')), refused('E_PARENT_MISSING', /snapshot \(delta\) disk names no parent/));
  c.one(`${f}/descriptor extent of 2^53-1 sectors`, 'disk.vmdk', desc(original.replace(/RW \d+ SPARSE/, 'RW 9007199254740991 SPARSE')), corrupt());
  // The embedded descriptor still names the file the disk was written as (it was renamed since):
  // a file with its own descriptor is its own sparse extent, as qemu reads it.
  c.one(`${f}/descriptor names the extent as another file (a renamed disk)`, 'disk.vmdk', desc(original.replace(/SPARSE "[^"]*"/, 'SPARSE "elsewhere.vmdk"')), converted());
  c.one(
    `${f}/descriptor adds a zero extent of 2^53 bytes`,
    'disk.vmdk',
    desc(original.replace(/(RW \d+ SPARSE "[^"]*")/, '$1\nRW 17592186044415 ZERO')),
    corrupt(/64 TiB/),
  );
  c.one(`${f}/descriptor with no extents`, 'disk.vmdk', desc(original.replace(/RW \d+ SPARSE "[^"]*"/, '')), corrupt(/no extents/));
  c.one(`${f}/descriptor with an ESXi snapshot extent`, 'disk.vmdk', desc(original.replace(/SPARSE/, 'SESPARSE')), refused('E_UNSUPPORTED', /SESPARSE.*only ESXi reads/));
}

function vmdkFlatCases(c: CorpusBuilder, b: Bases): void {
  const f = 'vmdk-flat';
  const { descriptor, flat } = b.vmdkFlat;
  const d = descriptor.replace(/"flat-flat\.vmdk"/, '"disk-flat.vmdk"');
  const files = (desc: string, extra: Files = { 'disk-flat.vmdk': flat }): Files => ({ 'disk.vmdk': desc, ...extra });
  c.add(`${f}/intact (control)`, files(d), 'disk.vmdk', converted());
  c.add(`${f}/flat extent missing`, files(d, {}), 'disk.vmdk', refused('E_NOT_FOUND', /disk-flat\.vmdk/));
  c.add(`${f}/flat extent truncated`, files(d, { 'disk-flat.vmdk': flat.subarray(0, flat.length / 2) }), 'disk.vmdk', corrupt(/flat extent/));
  c.add(`${f}/flat extent is a folder`, files(d, { 'disk-flat.vmdk': { folder: true } }), 'disk.vmdk', refused('E_NOT_A_DISK', /folder/));
  c.add(`${f}/flat extent is a FIFO`, files(d, { 'disk-flat.vmdk': { fifo: true } }), 'disk.vmdk', refused('E_NOT_A_DISK', /regular file/));
  c.add(`${f}/flat extent offset 2^40 sectors`, files(d.replace(/("disk-flat\.vmdk") 0/, '$1 1099511627776')), 'disk.vmdk', corrupt(/flat extent/));
  c.add(`${f}/extent of 0 sectors`, files(d.replace(/RW \d+ FLAT/, 'RW 0 FLAT')), 'disk.vmdk', refused('E_UNSUPPORTED', /empty|0 bytes/));
  c.add(`${f}/extent of 2^53-1 sectors`, files(d.replace(/RW \d+ FLAT/, 'RW 9007199254740991 FLAT')), 'disk.vmdk', corrupt());
  c.add(`${f}/a zero extent of 2^60 bytes`, files(d.replace(/RW \d+ FLAT/, 'RW 2251799813685248 ZERO')), 'disk.vmdk', corrupt(/64 TiB/));
  c.add(
    `${f}/50000 zero extents of 1 TiB each`,
    files(d.replace(/RW \d+ FLAT "disk-flat\.vmdk" 0/, 'RW 2147483648 ZERO\n'.repeat(50000))),
    'disk.vmdk',
    corrupt(/64 TiB/),
  );
  // Names inside a descriptor stay in its folder: an absolute path is refused before it is opened.
  c.add(`${f}/extent names a file elsewhere`, files(d.replace(/"disk-flat\.vmdk"/, `"${b.elsewhere}"`)), 'disk.vmdk', refused('E_UNSUPPORTED', /line \d+ \(.*elsewhere\.txt.*absolute path/));
  c.add(`${f}/extent names /dev/zero`, files(d.replace(/"disk-flat\.vmdk"/, '"/dev/zero"')), 'disk.vmdk', refused('E_UNSUPPORTED', /line \d+ \(.*\/dev\/zero.*absolute path/));
  c.add(`${f}/extent climbs out with ..`, files(d.replace(/"disk-flat\.vmdk"/, '"../elsewhere.txt"')), 'disk.vmdk', refused('E_UNSUPPORTED', /line \d+ \(.*climbs out/));
  c.add(`${f}/extent is a link to a file elsewhere`, files(d, { 'disk-flat.vmdk': { symlink: b.elsewhere } }), 'disk.vmdk', refused('E_UNSUPPORTED', /line \d+ \(.*symbolic links/));
  c.add(`${f}/extent names a network share`, files(d.replace(/"disk-flat\.vmdk"/, '"\\\\evil\\share\\disk-flat.vmdk"')), 'disk.vmdk', refused('E_UNSUPPORTED', /line \d+ \(.*network \(UNC\) path/));
  c.add(`${f}/extent names a device`, files(d.replace(/"disk-flat\.vmdk"/, '"\\\\.\\PhysicalDrive0"')), 'disk.vmdk', refused('E_UNSUPPORTED', /line \d+ \(.*device/));
  c.add(`${f}/descriptor line garbled`, files(d.replace(/createType/, 'create Type')), 'disk.vmdk', corrupt(/line/));
  c.add(`${f}/descriptor of 2 MiB`, files(d + `# ${'x'.repeat(2 * MiB)}\n`), 'disk.vmdk', refused('E_NOT_A_DISK', /too large/));
  c.add(`${f}/descriptor without createType`, files(d.replace(/createType="[^"]*"/, '')), 'disk.vmdk', corrupt(/createType/));
  c.add(`${f}/extent size is not a number`, files(d.replace(/RW \d+ FLAT/, 'RW 99999999999999999999999 FLAT')), 'disk.vmdk', corrupt());
}

function vmdkStreamCases(c: CorpusBuilder, b: Bases): void {
  const f = 'vmdk-stream';
  const s = b.vmdkStream;
  const base = s.bytes;
  c.one(`${f}/intact (control)`, 'disk.vmdk', base, converted());
  c.one(`${f}/truncated half-way`, 'disk.vmdk', base.subarray(0, Math.floor(base.length / 2 / SECTOR) * SECTOR), corrupt(/footer/));
  c.one(`${f}/end-of-stream marker cut off`, 'disk.vmdk', base.subarray(0, base.length - SECTOR), corrupt(/footer/));
  c.one(`${f}/header only`, 'disk.vmdk', base.subarray(0, SECTOR), corrupt());
  c.one(`${f}/footer marker wiped`, 'disk.vmdk', edit(base, (x) => x.fill(0, s.footerAt, s.footerAt + SECTOR)), corrupt(/footer/));
  c.one(`${f}/footer grain directory past the end`, 'disk.vmdk', edit(base, (x) => x.writeBigUInt64LE(BigInt(base.length), s.footerAt + 512 + 56)), corrupt(/grain directory/));
  c.one(`${f}/footer grain directory at 2^63`, 'disk.vmdk', edit(base, (x) => x.writeBigUInt64LE(U64_HALF, s.footerAt + 512 + 56)), corrupt(/grain directory/));
  const grain = s.firstGrainSector * SECTOR;
  c.one(`${f}/grain claims 2^32-1 compressed bytes`, 'disk.vmdk', edit(base, (x) => x.writeUInt32LE(0xffffffff, grain + 8)), corrupt(/compressed grain/));
  c.one(`${f}/grain claims 0 compressed bytes`, 'disk.vmdk', edit(base, (x) => x.writeUInt32LE(0, grain + 8)), corrupt(/compressed grain/));
  c.one(`${f}/grain names another sector`, 'disk.vmdk', edit(base, (x) => x.writeBigUInt64LE(x.readBigUInt64LE(grain) + 128n, grain)), corrupt(/says it holds/));
  c.one(`${f}/grain's deflate data garbled`, 'disk.vmdk', edit(base, (x) => pseudoRandom(200, 51).copy(x, grain + 14)), corrupt(/inflate/));
  const gdAt = s.gdSector * SECTOR;
  c.one(`${f}/grain directory entry past the end`, 'disk.vmdk', edit(base, (x) => x.writeUInt32LE(0x7fffffff, gdAt)), corrupt(/grain table 0/));
  const gtSector = base.readUInt32LE(gdAt);
  c.one(`${f}/grain table entry past the end`, 'disk.vmdk', edit(base, (x) => x.writeUInt32LE(0x7fffffff, gtSector * SECTOR)), corrupt(/grain/));
  c.one(`${f}/grain table entry on the header`, 'disk.vmdk', edit(base, (x) => x.writeUInt32LE(2, gtSector * SECTOR)), corrupt(/grain/));
}

function nonDiskCases(c: CorpusBuilder): void {
  const f = 'not-a-disk';
  c.one(`${f}/empty file`, 'disk.vhd', Buffer.alloc(0), refused('E_NOT_A_DISK', /empty/));
  c.one(
    `${f}/one byte`,
    'disk.vhdx',
    Buffer.from([0x76]),
    refused('E_NOT_A_DISK'),
  );
  c.one(`${f}/three bytes`, 'disk.vmdk', Buffer.from('KDM'), refused('E_NOT_A_DISK'));
  c.one(`${f}/a text file`, 'notes.vhd', 'These are my notes, not a disk.\n'.repeat(40), refused('E_NOT_A_DISK'));
  c.one(`${f}/random bytes (64 KiB)`, 'disk.vhdx', pseudoRandom(64 * KiB, 61), refused('E_NOT_A_DISK'));
  c.one(`${f}/random bytes (1 MiB, no extension)`, 'download', pseudoRandom(MiB, 62), refused('E_NOT_A_DISK'));
  c.one(`${f}/a PNG picture`, 'disk.vmdk', Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), pseudoRandom(4096, 63)]), refused('E_NOT_A_DISK'));
  c.one(`${f}/the VHD cookie alone`, 'disk.vhd', 'conectix', refused('E_NOT_A_DISK', /too small/));
  c.one(`${f}/the VHDX signature alone`, 'disk.vhdx', 'vhdxfile', corrupt(/header section/));
  c.one(`${f}/the sparse VMDK magic alone`, 'disk.vmdk', 'KDMV', corrupt(/header/));
  c.one(`${f}/a descriptor heading alone`, 'disk.vmdk', '# Disk DescriptorFile\n', corrupt(/createType|extents/));
  c.one(`${f}/a file ending in a VHD cookie`, 'disk.vhd', Buffer.concat([pseudoRandom(4096 - 512, 64), Buffer.from('conectix'), Buffer.alloc(504)]), refused('E_CORRUPT'));
  c.add(`${f}/a folder`, { 'disk.vhd': { folder: true } }, 'disk.vhd', refused('E_NOT_A_DISK', /folder/));
  c.add(`${f}/a path that does not exist`, {}, 'missing.vhd', refused('E_NOT_FOUND', /missing\.vhd/));
  c.add(`${f}/a dangling symbolic link`, { 'disk.vhd': { symlink: 'nowhere.vhd' } }, 'disk.vhd', refused('E_NOT_FOUND'));
  c.add(`${f}/a loop of symbolic links`, { 'a.vhd': { symlink: 'b.vhd' }, 'b.vhd': { symlink: 'a.vhd' } }, 'a.vhd', refused('E_NOT_FOUND', /symbolic link/));
  c.add(`${f}/a path through a file`, { 'file.txt': 'x' }, 'file.txt/disk.vhd', refused('E_NOT_FOUND'));
  c.add(`${f}/a FIFO`, { 'disk.vhd': { fifo: true } }, 'disk.vhd', refused('E_NOT_A_DISK', /regular file/));
  c.add(`${f}/a character device`, { 'disk.vhd': { symlink: '/dev/null' } }, 'disk.vhd', refused('E_NOT_A_DISK', /regular file/));
  c.add(`${f}/a name of 300 characters`, {}, `${'n'.repeat(300)}.vhd`, refused('E_NOT_FOUND'));
  c.one(`${f}/gzip magic then garbage`, 'disk.vhd.gz', Buffer.concat([Buffer.from('1f8b0800000000000003', 'hex'), pseudoRandom(8192, 65)]), refused('E_CORRUPT'));
  c.one(`${f}/zip magic then garbage`, 'disk.zip', Buffer.concat([Buffer.from('504b0304', 'hex'), pseudoRandom(8192, 66)]), refused('E_CORRUPT'));
  c.one(`${f}/xz magic then garbage`, 'disk.vhd.xz', Buffer.concat([Buffer.from('fd377a585a00', 'hex'), pseudoRandom(8192, 67)]), refused('E_CORRUPT'));
}

/** Builds every case under `root` (a fresh folder) and returns them in a stable order. */
export async function buildCorpus(root: string): Promise<CorpusCase[]> {
  const bases = await buildBases(join(root, 'bases'));
  const c = new CorpusBuilder(join(root, 'cases'));
  vhdFixedCases(c, bases.vhdFixed);
  vhdDynamicCases(c, bases.vhdDynamic);
  vhdChainCases(c, bases);
  vhdQemuCases(c, bases.vhdQemu);
  vhdxCases(c, bases);
  vhdxChainCases(c, bases);
  vhdxLogCases(c, bases);
  vmdkSparseCases(c, bases);
  vmdkFlatCases(c, bases);
  vmdkStreamCases(c, bases);
  nonDiskCases(c);
  return c.cases;
}

/** The valid bases as fuzz seeds, each with its header and table ranges. */
export function fuzzBases(b: Bases): FuzzBase[] {
  const vhdDyn = b.vhdDynamic;
  const lastFooter = (n: number) => n - SECTOR;
  // A truncated mutant may be shorter than the structure: reseal only what is whole.
  const vhdReseal = (x: Buffer) => {
    if (x.length < SECTOR) return;
    if (x.toString('latin1', 0, 8) === 'conectix') resealVhdFooter(x, 0);
    if (x.length >= 1536 && x.toString('latin1', 512, 520) === 'cxsparse') resealVhdHeader(x, 512);
    if (x.toString('latin1', x.length - SECTOR, x.length - SECTOR + 8) === 'conectix') resealVhdFooter(x, x.length - SECTOR);
  };
  const vhdxHot = (img: VhdxImage): Hotspot[] => [
    { offset: 0, length: 16, what: 'file identifier' },
    { offset: VHDX_HEADERS[0], length: 80, what: 'header 1' },
    { offset: VHDX_HEADERS[1], length: 80, what: 'header 2' },
    { offset: VHDX_REGIONS[0], length: 16 + 3 * 32, what: 'region table 1' },
    { offset: img.layout.metadataOffset, length: 32 + 7 * 32, what: 'metadata table' },
    ...[...img.items.entries()].map(([name, at]) => ({ offset: at, length: name === 'parentLocator' ? 64 : 8, what: `metadata item ${name}` })),
    { offset: img.layout.batOffset, length: 64, what: 'BAT' },
  ];
  const sp = b.vmdkSparse.layout;
  const st = b.vmdkStream;
  return [
    {
      name: 'vhd-fixed',
      files: new Map([['disk.vhd', b.vhdFixed]]),
      main: 'disk.vhd',
      hotspots: [{ offset: lastFooter(b.vhdFixed.length), length: 88, what: 'footer' }],
      reseal: vhdReseal,
    },
    {
      name: 'vhd-dynamic',
      files: new Map([['disk.vhd', vhdDyn.bytes]]),
      main: 'disk.vhd',
      hotspots: [
        { offset: 0, length: 88, what: 'footer copy' },
        { offset: 512, length: 40, what: 'dynamic header' },
        { offset: vhdDyn.tableOffset, length: 32, what: 'BAT' },
        { offset: lastFooter(vhdDyn.bytes.length), length: 88, what: 'footer' },
      ],
      reseal: vhdReseal,
    },
    {
      name: 'vhd-differencing',
      files: new Map([
        ['child.vhd', b.vhdChild.bytes],
        ['parent.vhd', b.vhdParent.bytes],
      ]),
      main: 'child.vhd',
      hotspots: [
        { offset: 512, length: 40 + 16 + 4, what: 'dynamic header and parent UUID' },
        { offset: 512 + 576, length: 48, what: 'parent locators' },
        { offset: b.vhdChild.tableOffset, length: 32, what: 'BAT' },
        ...[...b.vhdChild.blocks.values()].map((at) => ({ offset: at, length: 64, what: 'sector bitmap' })),
        { offset: lastFooter(b.vhdChild.bytes.length), length: 88, what: 'footer' },
      ],
      reseal: vhdReseal,
    },
    {
      name: 'vhdx-dynamic',
      files: new Map([['disk.vhdx', b.vhdx.bytes]]),
      main: 'disk.vhdx',
      hotspots: vhdxHot(b.vhdx.img),
      reseal: resealVhdx,
    },
    {
      name: 'vhdx-differencing',
      files: new Map([
        ['child.vhdx', b.vhdxChild.bytes],
        ['parent.vhdx', b.vhdxParent.bytes],
      ]),
      main: 'child.vhdx',
      hotspots: [
        ...vhdxHot(b.vhdxChild.img),
        { offset: b.vhdxChild.img.layout.batEntryOffset(b.vhdxChild.img.layout.bitmapIndex(0)), length: 8, what: 'sector bitmap BAT entry' },
      ],
      reseal: resealVhdx,
    },
    {
      name: 'vhdx-log',
      files: new Map([['disk.vhdx', b.vhdxLog.bytes]]),
      main: 'disk.vhdx',
      hotspots: [...vhdxHot(b.vhdxLog.img), { offset: b.vhdxLog.img.layout.logOffset, length: 4096 * 2, what: 'log' }],
      reseal: resealVhdx,
    },
    {
      name: 'vmdk-sparse',
      files: new Map([['disk.vmdk', b.vmdkSparse.bytes]]),
      main: 'disk.vmdk',
      hotspots: [
        { offset: 0, length: 80, what: 'sparse header' },
        { offset: sp.descriptorSector * SECTOR, length: 400, what: 'embedded descriptor' },
        { offset: sp.gdSector * SECTOR, length: 16, what: 'grain directory' },
        { offset: sp.gtSector * SECTOR, length: 256, what: 'grain table' },
      ],
    },
    {
      name: 'vmdk-flat',
      files: new Map([
        ['disk.vmdk', Buffer.from(b.vmdkFlat.descriptor.replace(/"flat-flat\.vmdk"/, '"disk-flat.vmdk"'))],
        ['disk-flat.vmdk', b.vmdkFlat.flat],
      ]),
      main: 'disk.vmdk',
      hotspots: [{ offset: 0, length: b.vmdkFlat.descriptor.length, what: 'descriptor' }],
    },
    {
      name: 'vmdk-stream',
      files: new Map([['disk.vmdk', st.bytes]]),
      main: 'disk.vmdk',
      hotspots: [
        { offset: 0, length: 80, what: 'sparse header' },
        { offset: st.firstGrainSector * SECTOR, length: 32, what: 'first grain marker' },
        { offset: st.gdSector * SECTOR, length: 16, what: 'grain directory' },
        { offset: st.footerAt, length: 512 + 80, what: 'footer' },
      ],
    },
  ];
}
