// A VMDK as a DiskSource: the descriptor (text or embedded) and its extents, read in order.
import { dirname, resolve } from 'node:path';
import { FerryError, corrupt } from '../../errors';
import { ReadOnlyFile } from '../../io/read-only-file';
import { SECTOR } from '../../formats/vmdk/constants';
import { decodeVmwareText } from '../../formats/vmware-text';
import { esxiOnlyExtent, parseDescriptor, type Descriptor } from '../../formats/vmdk/descriptor';
import { isSparseMagic, parseSparseHeader, type SparseExtentHeader } from '../../formats/vmdk/sparse-header';
import type { DiskSource, Run } from '../source';
import { extentFilePath, type ExtentScope } from './extent-paths';
import { FlatExtent, ZeroExtent, pushRange, type ExtentReader, type Range } from './extent-reader';
import { SharedExtentState } from './grain-table-cache';
import { SparseExtent, openSparseFile } from './sparse-extent';

const MAX_DESCRIPTOR_BYTES = 1024 * 1024;
const EXTENT_WINDOW = 256 * 1024 * 1024;
/** The largest disk a descriptor may describe: VMFS stops at 62 TiB, VHDX at 64 TiB. */
export const MAX_VMDK_BYTES = 64 * 1024 * 1024 * 1024 * 1024;

export interface VmdkOpenResult {
  source: DiskSource;
  descriptor: Descriptor;
}

/** A delta disk opened as one layer of its chain: its unwritten grains show as `below`. */
export interface VmdkLayerSource extends DiskSource {
  allocation(offset: number, length: number): Promise<Range[]>;
}

class VmdkSource implements DiskSource {
  readonly size: number;
  constructor(
    readonly path: string,
    private readonly parts: Array<{ start: number; reader: ExtentReader }>,
    private readonly files: ReadOnlyFile[],
    readonly info: DiskSource['info'],
  ) {
    this.size = info.virtualSize;
  }

  get extentFiles(): string[] {
    return this.files.slice(1).map((f) => f.path);
  }

  private *overlapping(offset: number, length: number): Generator<{ reader: ExtentReader; rel: number; len: number; at: number }> {
    const end = offset + length;
    // Parts are in order and back to back: find the first that ends after `offset` (a descriptor
    // may list thousands of extents, and this runs for every window and every read).
    let lo = 0;
    let hi = this.parts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.parts[mid]!;
      if (p.start + p.reader.bytes <= offset) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < this.parts.length; k++) {
      const p = this.parts[k]!;
      const pEnd = p.start + p.reader.bytes;
      if (p.start >= end) break;
      if (pEnd <= offset) continue;
      const from = Math.max(offset, p.start);
      const to = Math.min(end, pEnd);
      yield { reader: p.reader, rel: from - p.start, len: to - from, at: from };
    }
  }

  async allocation(offset: number, length: number): Promise<Range[]> {
    const out: Range[] = [];
    for (const part of this.overlapping(offset, length)) for (const r of await part.reader.ranges(part.rel, part.len)) pushRange(out, { ...r });
    return out;
  }

  async *runs(): AsyncIterable<Run> {
    let pending: Run | undefined;
    for (let w = 0; w < this.size; w += EXTENT_WINDOW) {
      for (const part of this.overlapping(w, Math.min(EXTENT_WINDOW, this.size - w))) {
        let at = part.at;
        for (const r of await part.reader.ranges(part.rel, part.len)) {
          const kind = r.kind === 'data' ? 'data' : 'zero';
          if (pending && pending.kind === kind) pending.length += r.length;
          else {
            if (pending) yield pending;
            pending = { offset: at, length: r.length, kind };
          }
          at += r.length;
        }
      }
    }
    if (pending) yield pending;
  }

  async read(offset: number, length: number, into: Buffer): Promise<void> {
    await Promise.all([...this.overlapping(offset, length)].map((p) => p.reader.read(p.rel, p.len, into.subarray(p.at - offset, p.at - offset + p.len))));
  }

  async close(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.reader.release?.()));
    await Promise.all(this.files.map((f) => f.close()));
  }
}

/** Reads descriptor text from a standalone descriptor file or the slot inside a sparse file. */
async function readDescriptor(file: ReadOnlyFile, head: Buffer): Promise<{ text: string; embedded?: SparseExtentHeader }> {
  if (isSparseMagic(head)) {
    if (head.length < SECTOR) throw corrupt(file.path, `the sparse extent header is cut short: the file is ${file.size} bytes, the header alone is ${SECTOR}.`);
    const header = parseSparseHeader(head);
    const size = Number(header.descriptorSize) * SECTOR;
    if (header.descriptorOffset === 0n || size === 0) return { text: '', embedded: header };
    if (size > MAX_DESCRIPTOR_BYTES) throw corrupt(file.path, `the embedded descriptor claims ${size} bytes.`);
    const raw = await file.readExact(Number(header.descriptorOffset) * SECTOR, size, 'embedded descriptor');
    const nul = raw.indexOf(0);
    return { text: decodeVmwareText(raw.subarray(0, nul === -1 ? raw.length : nul)), embedded: header };
  }
  if (file.size > MAX_DESCRIPTOR_BYTES) throw new FerryError('E_NOT_A_DISK', `${file.path}: not a VMDK descriptor (too large to be text).`);
  // qemu-img pads a standalone descriptor with NULs to a sector boundary; the text ends at the first.
  const raw = await file.readExact(0, file.size, 'descriptor');
  const nul = raw.indexOf(0);
  return { text: decodeVmwareText(raw.subarray(0, nul === -1 ? raw.length : nul)) };
}

/**
 * Opens one extent a descriptor names. Its errors say which descriptor named it: an extent may be
 * anywhere (an absolute path, a device), and "/dev/zero: not a regular file" alone would not tell
 * the user which disk is at fault.
 */
async function openExtent(descriptorPath: string, fileName: string, extentPath: string, open: () => Promise<ExtentReader>): Promise<ExtentReader> {
  try {
    return await open();
  } catch (err) {
    if (!(err instanceof FerryError)) throw err;
    if (extentPath === resolve(descriptorPath)) throw err;
    const inner = err.message.startsWith(`${extentPath}: `) ? err.message.slice(extentPath.length + 2) : err.message;
    throw new FerryError(err.code, `${descriptorPath}: its extent "${fileName}" (${extentPath}): ${inner}`, err.hint);
  }
}

export interface VmdkOpenOptions {
  /** Where the descriptor's extents may be (default: its own folder). */
  extents?: ExtentScope;
  /** Open a delta (snapshot) disk as one layer of its chain (sources/vmdk/delta-chain.ts): its source is a `VmdkLayerSource`. */
  delta?: boolean;
}

/** Opens any hosted VMDK (all five subformats) as a disk source; a delta disk only with `delta`. */
export async function openVmdk(path: string, opts: VmdkOpenOptions = {}): Promise<VmdkOpenResult> {
  const scope = opts.extents ?? { kind: 'folder' };
  const file = await ReadOnlyFile.open(path);
  const files: ReadOnlyFile[] = [file];
  try {
    const head = await file.readExact(0, Math.min(file.size, SECTOR), 'VMDK header');
    const { text, embedded } = await readDescriptor(file, head);
    if (embedded && text === '') {
      // A bare sparse extent (e.g. one piece of a split disk): it is the whole disk.
      const reader = await openSparseFile(file);
      const descriptor: Descriptor = { createType: 'monolithicSparse', cid: 0, parentCid: 0xffffffff, extents: [], ddb: new Map() };
      return { source: new VmdkSource(path, [{ start: 0, reader }], files, vmdkInfo(path, file.size, 'sparse', reader.bytes, Math.min(reader.bytes, file.size))), descriptor };
    }
    const parsed = parseDescriptor(text);
    if (typeof parsed === 'string') {
      const esxi = esxiOnlyExtent(text);
      if (esxi) {
        throw new FerryError(
          'E_UNSUPPORTED',
          `${path}: its extent is ${esxi.what} (${esxi.type}), a kind of VMDK only ESXi reads.`,
          'On the ESXi host, consolidate or delete the VM’s snapshots, or clone the disk with vmkfstools -i into a thin or flat disk; then convert that.',
        );
      }
      throw corrupt(path, `the VMDK descriptor cannot be read: ${parsed}.`);
    }
    if (!opts.delta && parsed.parentCid !== 0xffffffff && parsed.parentCid !== 0xfffffffe) {
      throw new FerryError('E_UNSUPPORTED', `${path}: this VMDK is a snapshot (delta) disk; convert its base disk instead, or consolidate the snapshot in VMware first.`);
    }
    let total = 0;
    for (const e of parsed.extents) {
      total += e.sectors * SECTOR;
      if (total > MAX_VMDK_BYTES) {
        throw corrupt(path, `the descriptor's extents add up to more than ${MAX_VMDK_BYTES} bytes (64 TiB), more than any VMDK holds.`);
      }
    }
    if (total === 0) throw new FerryError('E_UNSUPPORTED', `${path}: the disk is empty (its extents add up to 0 bytes).`);
    const parts: Array<{ start: number; reader: ExtentReader }> = [];
    let start = 0;
    const dir = dirname(path);
    const shared = new SharedExtentState(opts.delta ? 'below' : 'zero');
    // A file with an embedded descriptor is itself the sparse extent, whatever name the descriptor
    // still gives it (as qemu reads it): a monolithicSparse or streamOptimized disk renamed by hand,
    // or taken out of an OVA under another name, still opens.
    const dataExtents = parsed.extents.filter((e) => e.type !== 'ZERO');
    const renamedSelf = embedded !== undefined && dataExtents.length === 1 && dataExtents[0]!.type === 'SPARSE' ? dataExtents[0] : undefined;
    for (const e of parsed.extents) {
      const bytes = e.sectors * SECTOR;
      let reader: ExtentReader;
      if (e.type === 'ZERO') reader = new ZeroExtent(bytes);
      else {
        // The file itself (its embedded descriptor naming it) is read whatever the name says.
        const own = embedded !== undefined && (resolve(dir, e.fileName!) === resolve(path) || e === renamedSelf);
        const extentPath = own ? resolve(path) : await extentFilePath(path, e, scope);
        reader = await openExtent(path, e.fileName!, extentPath, async () => {
          let f = file;
          if (!own) {
            f = await ReadOnlyFile.open(extentPath, { parkable: true });
            files.push(f);
          }
          if (e.type === 'FLAT' || e.type === 'VMFS') return new FlatExtent(f, (e.offsetSectors ?? 0) * SECTOR, bytes);
          const sparse = own ? await SparseExtent.open(f, embedded!, shared) : await openSparseFile(f, shared);
          if (sparse.bytes < bytes) throw corrupt(extentPath, `the extent holds ${sparse.bytes} bytes but the descriptor says ${bytes}.`);
          return sparse;
        });
      }
      parts.push({ start, reader });
      start += bytes;
    }
    const variant = parsed.createType === 'streamOptimized' ? 'streamOptimized' : /flat/i.test(parsed.createType) ? 'flat' : 'sparse';
    // What the files hold bounds the data (for the free-space check of a conversion): a sparse
    // 2 TiB disk with little in it must not ask for 2 TiB.
    const stored = files.reduce((n, f) => n + f.size, 0);
    return { source: new VmdkSource(path, parts, files, vmdkInfo(path, file.size, variant, start, Math.min(start, stored))), descriptor: parsed };
  } catch (err) {
    await Promise.all(files.map((f) => f.close()));
    throw err;
  }
}

function vmdkInfo(path: string, fileSize: number, variant: DiskSource['info']['variant'], size: number, allocatedBytes: number): DiskSource['info'] {
  return { path, fileSize, format: 'vmdk', variant, virtualSize: size, allocatedBytes, parents: [], warnings: [] };
}
