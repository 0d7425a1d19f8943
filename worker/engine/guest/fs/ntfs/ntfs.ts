// A read-only NTFS driver over a partition: MFT records (with attribute lists spanning extension
// records), resident and non-resident data, and $I30 directory indexes searched as the B-tree
// they are, compared through the volume's own $UpCase table (NTFS names are case-insensitive).
import type { DiskRange, FsDriver, GuestStat } from '../types';
import { fsError, type Volume } from '../volume';
import { ATTR, ATTR_FLAG, applyFixups, parseAttributeList, parseBoot, parseIndexNode, parseRecord, type Attribute, type IndexNode, type NtfsBoot, type Run } from './structures';

const ROOT_RECORD = 5;
const VOLUME_RECORD = 3;
const UPCASE_RECORD = 10;
/** Records 0–15 are the metafiles ($MFT … $Extend and reserved ones); a "$RECYCLE.BIN" is an ordinary folder. */
const FIRST_USER_RECORD = 16;
const MAX_EXTENSION_RECORDS = 256;
const MAX_ATTRIBUTE_LIST = 1024 * 1024;
const MAX_INDEX_DEPTH = 32;
const MAX_LISTED = 100_000;
const MAX_INDEX_BLOCKS_LISTED = 20_000;
const READ_CHUNK = 8 * 1024 * 1024;

/** A file's attributes, gathered from its base record and any extension records. */
export interface NtfsNode {
  record: number;
  directory: boolean;
  attributes: Attribute[];
}

/** One attribute's data: resident bytes, or the runs of all its extents in VCN order. */
interface AttrData {
  resident?: Buffer;
  runs: Run[];
  dataSize: number;
  initializedSize: number;
  flags: number;
  compressionUnit: number;
}

export class NtfsDriver implements FsDriver<NtfsNode> {
  readonly type = 'NTFS';
  private mft!: AttrData;
  private upcase: Uint16Array | undefined;

  private constructor(
    readonly volume: Volume,
    readonly boot: NtfsBoot,
  ) {}

  static async open(volume: Volume): Promise<NtfsDriver> {
    const boot = parseBoot(await volume.read(0, 512, 'NTFS boot sector'));
    const d = new NtfsDriver(volume, boot);
    // Record 0 describes the MFT itself: read it straight from the cluster the boot sector names.
    const rec0 = parseRecord(await volume.read(boot.mftLcn * boot.clusterSize, boot.recordSize, '$MFT record 0'), 0);
    const base = rec0.attributes.filter((a) => a.type === ATTR.data && a.name === '' && a.nonResident);
    if (base.length === 0) throw fsError('$MFT has no non-resident data attribute');
    d.mft = attrData(base, '$MFT');
    if (rec0.attributes.some((a) => a.type === ATTR.attributeList)) {
      const node = await d.loadNode(0, rec0);
      d.mft = attrData(node.attributes.filter((a) => a.type === ATTR.data && a.name === ''), '$MFT');
    }
    d.upcase = await d.readUpcase();
    return d;
  }

  /** Volume flags from $Volume's $VOLUME_INFORMATION (bit 0: dirty, chkdsk pending). */
  async volumeFlags(): Promise<number> {
    const node = await this.node(VOLUME_RECORD);
    const info = node.attributes.find((a) => a.type === ATTR.volumeInformation)?.value;
    if (!info || info.length < 12) throw fsError('$Volume has no volume information');
    return info.readUInt16LE(10);
  }

  private async readUpcase(): Promise<Uint16Array | undefined> {
    try {
      const data = await this.dataOf(await this.node(UPCASE_RECORD), '', 'upcase');
      if (data.dataSize !== 131072) return undefined;
      const buf = await this.readAttr(data, 0, 131072, '$UpCase');
      return new Uint16Array(buf.buffer, buf.byteOffset, 65536);
    } catch {
      return undefined; // fall back to Unicode upper-casing, which agrees for every ASCII name
    }
  }

  async readRecord(n: number): Promise<ReturnType<typeof parseRecord>> {
    const size = this.boot.recordSize;
    if (!Number.isSafeInteger(n) || n < 0 || (n + 1) * size > this.mft.dataSize) throw fsError(`MFT record ${n} is past the end of the MFT`);
    return parseRecord(await this.readAttr(this.mft, n * size, size, `MFT record ${n}`), n);
  }

  async node(n: number): Promise<NtfsNode> {
    return this.loadNode(n, await this.readRecord(n));
  }

  private async loadNode(n: number, rec: ReturnType<typeof parseRecord>): Promise<NtfsNode> {
    if (!rec.inUse) throw fsError(`MFT record ${n} is not in use`);
    if (rec.baseRecord !== 0) throw fsError(`MFT record ${n} is an extension record, not a file`);
    const list = rec.attributes.find((a) => a.type === ATTR.attributeList);
    if (!list) return { record: n, directory: rec.directory, attributes: rec.attributes };
    const listData = attrData([list], `record ${n} attribute list`);
    if (listData.dataSize > MAX_ATTRIBUTE_LIST) throw fsError(`record ${n}: attribute list of ${listData.dataSize} bytes`);
    const entries = parseAttributeList(await this.readAttr(listData, 0, listData.dataSize, `record ${n} attribute list`), `record ${n} attribute list`);
    const others = [...new Set(entries.map((e) => e.record).filter((r) => r !== n))];
    if (others.length > MAX_EXTENSION_RECORDS) throw fsError(`record ${n}: ${others.length} extension records`);
    const attributes = rec.attributes.filter((a) => a.type !== ATTR.attributeList);
    for (const r of others) {
      const ext = await this.readRecord(r);
      if (!ext.inUse || ext.baseRecord !== n) throw fsError(`record ${n}: extension record ${r} belongs to record ${ext.baseRecord}`);
      attributes.push(...ext.attributes);
    }
    return { record: n, directory: rec.directory, attributes };
  }

  /** The data of attribute `type` named `name` (the unnamed $DATA by default). */
  dataOf(node: NtfsNode, name = '', what = `record ${node.record}`, type: number = ATTR.data): AttrData {
    const parts = node.attributes.filter((a) => a.type === type && a.name === name);
    if (parts.length === 0) throw fsError(`${what}: no ${name || 'unnamed'} attribute 0x${type.toString(16)}`);
    return attrData(parts, what);
  }

  /** Reads [offset, offset + length) of an attribute's data; sparse and uninitialised bytes read as zeros. */
  async readAttr(data: AttrData, offset: number, length: number, what: string): Promise<Buffer> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > data.dataSize) throw fsError(`${what}: bytes ${offset}+${length} past the ${data.dataSize}-byte data`);
    if (data.resident) return Buffer.from(data.resident.subarray(offset, offset + length));
    if ((data.flags & ATTR_FLAG.encrypted) !== 0) throw fsError(`${what} is encrypted (EFS)`);
    if ((data.flags & ATTR_FLAG.compressed) !== 0 || data.compressionUnit !== 0) throw fsError(`${what} is NTFS-compressed`);
    const out = Buffer.alloc(length);
    const cs = this.boot.clusterSize;
    const end = Math.min(offset + length, data.initializedSize);
    for (const run of data.runs) {
      const runStart = run.vcn * cs;
      const from = Math.max(offset, runStart);
      const to = Math.min(end, runStart + run.length * cs);
      if (from >= to || run.lcn === undefined) continue;
      for (let at = from; at < to; at += READ_CHUNK) {
        const n = Math.min(READ_CHUNK, to - at);
        (await this.volume.read(run.lcn * cs + (at - runStart), n, what)).copy(out, at - offset);
      }
    }
    return out;
  }

  async root(): Promise<NtfsNode> {
    return this.node(ROOT_RECORD);
  }

  stat(node: NtfsNode): GuestStat {
    if (node.directory) return { kind: 'dir', size: 0 };
    if (node.attributes.some((a) => a.type === ATTR.reparsePoint)) return { kind: 'other', size: 0 };
    const data = node.attributes.find((a) => a.type === ATTR.data && a.name === '' && (a.value !== undefined || a.nonResident?.startVcn === 0));
    return { kind: 'file', size: data?.value?.length ?? data?.nonResident?.dataSize ?? 0 };
  }

  async read(node: NtfsNode, maxBytes: number): Promise<Buffer> {
    const data = this.dataOf(node);
    if (data.dataSize > maxBytes) throw fsError(`record ${node.record}: ${data.dataSize} bytes, more than ${maxBytes}`);
    return this.readAttr(data, 0, data.dataSize, `record ${node.record} data`);
  }

  async readRange(node: NtfsNode, offset: number, length: number): Promise<Buffer> {
    return this.readAttr(this.dataOf(node), offset, length, `record ${node.record} data`);
  }

  async readlink(node: NtfsNode): Promise<string> {
    throw fsError(`record ${node.record} is a reparse point, which is not followed`);
  }

  /** The disk byte ranges holding a file's unnamed $DATA (initialised part only). */
  async diskRanges(node: NtfsNode): Promise<DiskRange[]> {
    const data = this.dataOf(node);
    if (data.resident) throw fsError(`record ${node.record}: the data is resident in the MFT record`);
    if ((data.flags & (ATTR_FLAG.encrypted | ATTR_FLAG.compressed)) !== 0 || data.compressionUnit !== 0) throw fsError(`record ${node.record}: the data is compressed or encrypted`);
    const cs = this.boot.clusterSize;
    const out: DiskRange[] = [];
    for (const run of data.runs) {
      const fileOffset = run.vcn * cs;
      const length = Math.min(run.length * cs, data.initializedSize - fileOffset);
      if (length <= 0) break;
      if (run.lcn === undefined) continue;
      out.push({ fileOffset, diskOffset: this.volume.start + run.lcn * cs, length });
    }
    return out;
  }

  async child(dir: NtfsNode, name: string): Promise<NtfsNode | undefined> {
    const index = this.indexOf(dir);
    const key = this.upper(name);
    let node = index.root;
    for (let depth = 0; depth < MAX_INDEX_DEPTH; depth++) {
      let next: number | undefined;
      let found = false;
      for (const e of node.entries) {
        const c = e.last ? -1 : compare(key, this.upper(e.name));
        if (c === 0) {
          const hit = await this.node(e.record);
          return hit;
        }
        if (c < 0) {
          next = e.child;
          found = true;
          break;
        }
      }
      if (!found || next === undefined) return undefined;
      node = await this.indexBlock(index, next);
    }
    throw fsError(`record ${dir.record}: directory index deeper than ${MAX_INDEX_DEPTH}`);
  }

  async list(dir: NtfsNode): Promise<string[]> {
    const index = this.indexOf(dir);
    const names = new Set<string>();
    const pending: IndexNode[] = [index.root];
    let blocks = 0;
    while (pending.length > 0) {
      const node = pending.pop()!;
      for (const e of node.entries) {
        if (!e.last && e.namespace !== 2 && !(dir.record === ROOT_RECORD && e.record < FIRST_USER_RECORD)) names.add(e.name);
        if (e.child !== undefined) {
          if (++blocks > MAX_INDEX_BLOCKS_LISTED) throw fsError(`record ${dir.record}: directory index too large to list`);
          pending.push(await this.indexBlock(index, e.child));
        }
      }
      if (names.size > MAX_LISTED) throw fsError(`record ${dir.record}: more than ${MAX_LISTED} directory entries`);
    }
    return [...names].filter((n) => n !== '.');
  }

  private indexOf(dir: NtfsNode): { root: IndexNode; blockSize: number; allocation: AttrData | undefined; record: number } {
    const what = `directory record ${dir.record}`;
    const rootAttr = dir.attributes.find((a) => a.type === ATTR.indexRoot && a.name === '$I30');
    if (!rootAttr?.value || rootAttr.value.length < 32) throw fsError(`${what}: no $I30 index root`);
    const blockSize = rootAttr.value.readUInt32LE(8);
    if (blockSize < 256 || blockSize > 65536 || (blockSize & (blockSize - 1)) !== 0) throw fsError(`${what}: ${blockSize}-byte index blocks`);
    const root = parseIndexNode(rootAttr.value, 16, `${what} index root`);
    const hasAlloc = dir.attributes.some((a) => a.type === ATTR.indexAllocation && a.name === '$I30');
    return { root, blockSize, allocation: hasAlloc ? this.dataOf(dir, '$I30', what, ATTR.indexAllocation) : undefined, record: dir.record };
  }

  private async indexBlock(index: { blockSize: number; allocation: AttrData | undefined; record: number }, vcn: number): Promise<IndexNode> {
    const what = `directory record ${index.record} index block ${vcn}`;
    if (!index.allocation) throw fsError(`${what}: the directory has no index allocation`);
    const unit = index.blockSize >= this.boot.clusterSize ? this.boot.clusterSize : 512;
    const block = await this.readAttr(index.allocation, vcn * unit, index.blockSize, what);
    applyFixups(block, 'INDX', what);
    return parseIndexNode(block, 24, what);
  }

  private upper(name: string): string {
    const table = this.upcase;
    if (!table) return name.toUpperCase();
    let out = '';
    for (let i = 0; i < name.length; i++) out += String.fromCharCode(table[name.charCodeAt(i)]!);
    return out;
  }
}

/** NTFS file-name collation: upper-cased UTF-16 code units, compared in order. */
function compare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function attrData(parts: Attribute[], what: string): AttrData {
  const resident = parts.find((a) => a.value !== undefined);
  if (resident) return { resident: resident.value!, runs: [], dataSize: resident.value!.length, initializedSize: resident.value!.length, flags: resident.flags, compressionUnit: 0 };
  const extents = parts.map((a) => a.nonResident!).sort((x, y) => x.startVcn - y.startVcn);
  const first = extents[0]!;
  if (first.startVcn !== 0) throw fsError(`${what}: the first extent starts at VCN ${first.startVcn}`);
  const runs: Run[] = [];
  let vcn = 0;
  for (const e of extents) {
    if (e.startVcn !== vcn) throw fsError(`${what}: extents leave a gap at VCN ${vcn}`);
    for (const r of e.runs) runs.push(r);
    vcn = e.runs.length ? e.runs[e.runs.length - 1]!.vcn + e.runs[e.runs.length - 1]!.length : e.startVcn;
  }
  if (first.dataSize > first.allocatedSize || first.initializedSize > first.dataSize) throw fsError(`${what}: sizes disagree (data ${first.dataSize}, allocated ${first.allocatedSize})`);
  return { runs, dataSize: first.dataSize, initializedSize: first.initializedSize, flags: parts[0]!.flags, compressionUnit: first.compressionUnit };
}
