// VMware snapshot chains: a delta (redo) VMDK names its parent by `parentFileNameHint` (relative
// to the delta's folder) and must match the parent's content id (`parentCID` = the parent's
// `CID`). The chain is merged like a VHD chain: each grain from the nearest disk that wrote it.
import { dirname, join } from 'node:path';
import type { ParentLink } from '../../../../shared/disk-info';
import { FerryError } from '../../errors';
import { chainKey, usableParent } from '../chain';
import { LayeredSource, type Layer, type Segment, type SegmentFile } from '../layers';
import type { DiskSource } from '../source';
import { resolveWritten, statedPath, writtenFileName, isWrittenAbsolute } from '../written-path';
import type { ExtentScope } from './extent-paths';
import { openVmdk, type VmdkLayerSource } from './vmdk';
import type { Descriptor } from '../../formats/vmdk/descriptor';
import { notice } from '../../notices';

const MAX_CHAIN_DEPTH = 256;
const NO_PARENT = [0xffffffff, 0xfffffffe];

function isDelta(d: Descriptor): boolean {
  return !NO_PARENT.includes(d.parentCid);
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** One disk of the chain as a layer: its own grains are read through it, the rest come from below. */
class VmdkLayer implements Layer {
  private readonly reads: SegmentFile;
  constructor(private readonly source: VmdkLayerSource) {
    this.reads = { path: source.path, readExact: async (position, length, _what, into) => {
      const target = into ?? Buffer.allocUnsafe(length);
      await source.read(position, length, target);
      return target;
    } };
  }
  get size(): number {
    return this.source.size;
  }
  async map(offset: number, length: number): Promise<Segment[]> {
    const out: Segment[] = [];
    let at = offset;
    for (const r of await this.source.allocation(offset, length)) {
      out.push(r.kind === 'data' ? { kind: 'here', file: this.reads, position: at, length: r.length } : { kind: r.kind, length: r.length });
      at += r.length;
    }
    return out;
  }
  close(): Promise<void> {
    return this.source.close();
  }
}

async function openLayer(path: string, extents?: ExtentScope): Promise<{ source: VmdkLayerSource; descriptor: Descriptor }> {
  const { source, descriptor } = await openVmdk(path, { delta: true, ...(extents ? { extents } : {}) });
  return { source: source as VmdkLayerSource, descriptor };
}

/** Where a delta's parent may be: its hint relative to the delta, then by file name beside it, then the hint as an absolute path. */
function parentCandidates(childPath: string, hint: string): Array<{ path: string; source: string }> {
  const dir = dirname(childPath);
  const out: Array<{ path: string; source: string }> = [];
  const add = (path: string | undefined, source: string) => {
    if (path && !out.some((c) => c.path === path)) out.push({ path, source });
  };
  if (!isWrittenAbsolute(hint)) add(resolveWritten(dir, hint), 'parentFileNameHint');
  add(join(dir, writtenFileName(hint)), 'parentFileNameHint, by file name beside it');
  add(statedPath(hint), 'parentFileNameHint, as an absolute path');
  return out;
}

async function findParent(childPath: string, child: Descriptor, visited: Set<string>): Promise<{ source: VmdkLayerSource; descriptor: Descriptor }> {
  const hint = child.parentFileNameHint;
  if (!hint) {
    throw new FerryError('E_PARENT_MISSING', `${childPath}: this snapshot (delta) disk names no parent (no parentFileNameHint in its descriptor).`, 'Convert the disk from the VM folder it belongs to, or consolidate the snapshots in VMware first.');
  }
  const looked: string[] = [];
  for (const cand of parentCandidates(childPath, hint)) {
    looked.push(cand.path);
    if (!(await usableParent(childPath, cand, visited))) continue;
    const parent = await openLayer(cand.path);
    if (parent.descriptor.cid !== child.parentCid) {
      await parent.source.close();
      throw new FerryError(
        'E_PARENT_MISMATCH',
        `${childPath}: its parent ${cand.path} has content id (CID) ${hex8(parent.descriptor.cid)}, but the snapshot was taken from CID ${hex8(child.parentCid)}; the parent changed after the snapshot.`,
        'That parent was written to (or replaced) since; the chain cannot be read safely. Use the VM folder as VMware left it.',
      );
    }
    return parent;
  }
  throw new FerryError(
    'E_PARENT_MISSING',
    `${childPath}: its parent "${hint}" was not found (looked for ${looked.join(', ')}).`,
    'Put the parent disk beside this one under its original name, or convert from the VM folder it belongs to.',
  );
}

/** Opens a VMDK; a delta disk opens with its whole chain merged under it. */
/** `extents`: where the top disk's extent files may be (its folder, or the archive it was unpacked from). */
export async function openVmdkChain(path: string, extents?: ExtentScope): Promise<DiskSource> {
  const top = await openLayer(path, extents);
  if (!isDelta(top.descriptor)) return top.source;
  const layers = [top];
  try {
    const visited = new Set([await chainKey(path)]);
    while (isDelta(layers[layers.length - 1]!.descriptor)) {
      if (layers.length > MAX_CHAIN_DEPTH) throw new FerryError('E_UNSUPPORTED', `${path}: the snapshot chain is more than ${MAX_CHAIN_DEPTH} disks deep.`);
      const child = layers[layers.length - 1]!;
      const parent = await findParent(child.source.path, child.descriptor, visited);
      layers.push(parent);
      visited.add(await chainKey(parent.source.path));
      if (parent.source.size !== child.source.size) {
        throw new FerryError(
          'E_PARENT_MISMATCH',
          `${child.source.path}: is ${child.source.size} bytes but its parent ${parent.source.path} is ${parent.source.size} bytes; a snapshot disk must match its parent's size.`,
        );
      }
    }
  } catch (err) {
    await Promise.all(layers.map((l) => l.source.close()));
    throw err;
  }
  const info = top.source.info;
  const parents: ParentLink[] = layers.slice(1).map((l) => ({ path: l.source.path, variant: isDelta(l.descriptor) ? 'differencing' : l.source.info.variant }));
  const allocatedBytes = Math.min(info.virtualSize, layers.reduce((n, l) => n + l.source.info.allocatedBytes, 0));
  const warnings = layers.flatMap((l, n) => l.source.info.warnings.map((w) => (n === 0 ? w : notice('parent-says', { path: l.source.path, notice: w }))));
  const merged = new LayeredSource(path, layers.map((l) => new VmdkLayer(l.source)), { ...info, variant: 'differencing', parents, allocatedBytes, warnings });
  const extentFiles = layers.flatMap((l) => l.source.extentFiles ?? []);
  return Object.assign(merged, { extentFiles });
}
