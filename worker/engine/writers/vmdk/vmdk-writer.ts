import { writeFile } from 'node:fs/promises';
import { join, parse } from 'node:path';
import type { Adapter, Subformat } from '../../../../shared/options';
import type { Chunk } from '../../io/chunk';
import { GRAIN_SIZE, SECTOR, SPLIT_EXTENT_SECTORS } from '../../formats/vmdk/constants';
import { newDiskIdentity, renderDescriptor, type DescriptorExtent } from '../../formats/vmdk/descriptor';
import { FlatExtentWriter, SparseExtentWriter, StreamExtentWriter, type ExtentWriter } from './extent-writers';

export interface PlannedExtent {
  fileName: string;
  /** Byte range of the virtual disk this file holds. */
  start: number;
  length: number;
  kind: 'sparse' | 'flat' | 'stream';
}

export interface VmdkPlan {
  subformat: Subformat;
  /** The file a user opens (the descriptor, embedded or not). */
  descriptorFile: string;
  /** True when the descriptor lives inside the (single) extent file. */
  embedded: boolean;
  extents: PlannedExtent[];
}

/** The files a subformat consists of, with VMware's names (`-flat`, `-s001`, `-f001`). */
export function planVmdk(fileName: string, subformat: Subformat, size: number): VmdkPlan {
  const stem = parse(fileName).ext.toLowerCase() === '.vmdk' ? parse(fileName).name : fileName;
  const single = (kind: PlannedExtent['kind']): PlannedExtent[] => [{ fileName, start: 0, length: size, kind }];
  switch (subformat) {
    case 'monolithicSparse':
      return { subformat, descriptorFile: fileName, embedded: true, extents: single('sparse') };
    case 'streamOptimized':
      return { subformat, descriptorFile: fileName, embedded: true, extents: single('stream') };
    case 'monolithicFlat':
      return { subformat, descriptorFile: fileName, embedded: false, extents: [{ fileName: `${stem}-flat.vmdk`, start: 0, length: size, kind: 'flat' }] };
    case 'twoGbMaxExtentSparse':
    case 'twoGbMaxExtentFlat': {
      const sparse = subformat === 'twoGbMaxExtentSparse';
      const piece = SPLIT_EXTENT_SECTORS * SECTOR;
      const extents: PlannedExtent[] = [];
      for (let start = 0, n = 1; start < size; start += piece, n++) {
        extents.push({
          fileName: `${stem}-${sparse ? 's' : 'f'}${String(n).padStart(3, '0')}.vmdk`,
          start,
          length: Math.min(piece, size - start),
          kind: sparse ? 'sparse' : 'flat',
        });
      }
      return { subformat, descriptorFile: fileName, embedded: false, extents };
    }
  }
}

/** Every file name a plan makes, descriptor first. */
export function planFiles(plan: VmdkPlan): string[] {
  const names = plan.extents.map((e) => e.fileName);
  return plan.embedded ? names : [plan.descriptorFile, ...names];
}

export interface VmdkWriterOptions {
  adapter: Adapter;
  hwVersion: number;
  compressionLevel?: number;
}

/** Finishes `w`; if that fails, still closes its file before passing the error on. */
async function finishOrClose(w: ExtentWriter): Promise<void> {
  try {
    await w.finish();
  } catch (err) {
    await w.close();
    throw err;
  }
}

function descriptorOf(plan: VmdkPlan, size: number, opts: VmdkWriterOptions): string {
  const extents: DescriptorExtent[] = plan.extents.map((e) => ({
    access: 'RW',
    sectors: e.length / SECTOR,
    type: e.kind === 'flat' ? 'FLAT' : 'SPARSE',
    fileName: e.fileName,
    ...(e.kind === 'flat' ? { offsetSectors: 0 } : {}),
  }));
  return renderDescriptor({
    createType: plan.subformat,
    identity: newDiskIdentity(),
    extents,
    adapter: opts.adapter,
    totalSectors: size / SECTOR,
    hwVersion: opts.hwVersion,
  });
}

/**
 * Writes only the separate descriptor of a plan whose extents another hand writes (the OS's copy
 * of a flat extent); the files of the plan, descriptor first.
 */
export async function writeDescriptorOnly(dir: string, plan: VmdkPlan, size: number, opts: VmdkWriterOptions): Promise<string[]> {
  if (plan.embedded) throw new Error('writeDescriptorOnly: the descriptor of this plan lives in its extent');
  await writeFile(join(dir, plan.descriptorFile), descriptorOf(plan, size, opts), { flag: 'wx' });
  return planFiles(plan).map((n) => join(dir, n));
}

/**
 * Writes a whole VMDK (descriptor and extents) into `dir`, routing chunks to their extent. Extent
 * files are made one at a time, in order, each finished before the next begins: a 2 TiB split disk
 * has over a thousand of them, more than a process may hold open on some systems.
 */
export class VmdkWriter {
  /** The first extent not yet begun; the one before it is `open`, unless finished. */
  private next = 0;
  private open: ExtentWriter | undefined;

  private constructor(
    private readonly dir: string,
    private readonly plan: VmdkPlan,
    private readonly descriptor: string,
    private readonly compressionLevel: number | undefined,
  ) {}

  static async create(dir: string, plan: VmdkPlan, size: number, opts: VmdkWriterOptions): Promise<VmdkWriter> {
    const descriptor = descriptorOf(plan, size, opts);
    const writer = new VmdkWriter(dir, plan, descriptor, opts.compressionLevel);
    // The first extent now, so that a destination that cannot be written fails before any reading.
    if (plan.extents.length > 0) await writer.begin(0);
    return writer;
  }

  private startExtent(index: number): Promise<ExtentWriter> {
    const e = this.plan.extents[index]!;
    const path = join(this.dir, e.fileName);
    const sectors = e.length / SECTOR;
    if (e.kind === 'flat') return FlatExtentWriter.create(path, e.length);
    if (e.kind === 'stream') return StreamExtentWriter.create(path, sectors, this.descriptor, this.compressionLevel);
    return SparseExtentWriter.create(path, sectors, this.plan.embedded ? this.descriptor : undefined);
  }

  /** The writer of extent `index`, finishing (or making and finishing, if empty) the ones before it. */
  private async begin(index: number): Promise<ExtentWriter> {
    while (this.next <= index) {
      const done = this.open;
      this.open = undefined;
      if (done) await finishOrClose(done);
      this.open = await this.startExtent(this.next++);
    }
    return this.open!;
  }

  /** Chunks arrive in ascending order; a chunk may straddle extents (their bounds are grain-aligned). */
  async write(chunk: Chunk): Promise<void> {
    let offset = chunk.offset;
    const end = chunk.offset + chunk.data.length;
    let current = this.next - 1;
    while (offset < end) {
      while (this.plan.extents[current]!.start + this.plan.extents[current]!.length <= offset) current++;
      const ext = this.plan.extents[current]!;
      const stop = Math.min(end, ext.start + ext.length);
      const rel = offset - chunk.offset;
      const grain0 = rel / GRAIN_SIZE;
      const writer = await this.begin(current);
      await writer.write({
        offset: offset - ext.start,
        data: chunk.data.subarray(rel, stop - chunk.offset),
        zero: chunk.zero.subarray(grain0),
      });
      offset = stop;
    }
  }

  /** Finishes every extent and writes a separate descriptor where the subformat has one. */
  async finish(): Promise<string[]> {
    await this.begin(this.plan.extents.length - 1);
    const last = this.open;
    this.open = undefined;
    if (last) await finishOrClose(last);
    if (!this.plan.embedded) {
      await writeFile(join(this.dir, this.plan.descriptorFile), this.descriptor, { flag: 'wx' });
    }
    return planFiles(this.plan).map((n) => join(this.dir, n));
  }

  /** Resolves once no write of the extent being written is running. */
  async quiesce(): Promise<void> {
    await this.open?.quiesce();
  }

  /** Closes the extent being written; the caller removes the files. */
  async abort(): Promise<void> {
    const open = this.open;
    this.open = undefined;
    await open?.close();
  }
}
