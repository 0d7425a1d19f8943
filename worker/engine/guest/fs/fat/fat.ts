// A read-only FAT12/16/32 driver (the EFI system partition), per Microsoft's "FAT: General
// Overview of On-Disk Format" (fatgen103): the BPB, the allocation table read on demand, cluster
// chains with loop checks, and directories with long (VFAT) names. Names compare case-insensitively.
import type { FsDriver, GuestStat } from '../types';
import { fsError, type Volume } from '../volume';

export interface FatNode {
  dir: boolean;
  /** First cluster; 0 for the FAT12/16 fixed root directory. */
  cluster: number;
  size: number;
  root?: boolean;
}

interface Bpb {
  bits: 12 | 16 | 32;
  bytesPerSector: number;
  clusterSize: number;
  fatOffset: number;
  rootDirOffset: number;
  rootDirBytes: number;
  dataOffset: number;
  clusterCount: number;
  rootCluster: number;
}

const MAX_DIR_ENTRIES = 65536;
const FAT_CACHE_SECTORS = 64;

export function parseBpb(b: Buffer, volumeSize: number): Bpb {
  if (b.length < 512 || b[510] !== 0x55 || b[511] !== 0xaa) throw fsError('FAT boot sector: no 55AA signature');
  const bytesPerSector = b.readUInt16LE(11);
  const spc = b[13]!;
  const reserved = b.readUInt16LE(14);
  const fats = b[16]!;
  const rootEntries = b.readUInt16LE(17);
  const total = b.readUInt16LE(19) || b.readUInt32LE(32);
  const fatSectors = b.readUInt16LE(22) || b.readUInt32LE(36);
  if (![512, 1024, 2048, 4096].includes(bytesPerSector) || spc === 0 || (spc & (spc - 1)) !== 0 || reserved === 0 || fats === 0 || fatSectors === 0) {
    throw fsError('FAT boot sector: impossible BPB fields');
  }
  const rootDirSectors = Math.ceil((rootEntries * 32) / bytesPerSector);
  const dataSector = reserved + fats * fatSectors + rootDirSectors;
  if (total <= dataSector || total * bytesPerSector > volumeSize + bytesPerSector * spc) throw fsError(`FAT boot sector: ${total} sectors do not fit the partition`);
  const clusterCount = Math.floor((total - dataSector) / spc);
  const bits = clusterCount < 4085 ? 12 : clusterCount < 65525 ? 16 : 32;
  if (bits === 32 && rootEntries !== 0) throw fsError('FAT32 boot sector with a fixed root directory');
  return {
    bits,
    bytesPerSector,
    clusterSize: bytesPerSector * spc,
    fatOffset: reserved * bytesPerSector,
    rootDirOffset: (reserved + fats * fatSectors) * bytesPerSector,
    rootDirBytes: rootDirSectors * bytesPerSector,
    dataOffset: dataSector * bytesPerSector,
    clusterCount,
    rootCluster: bits === 32 ? b.readUInt32LE(44) : 0,
  };
}

export class FatDriver implements FsDriver<FatNode> {
  readonly type: string;
  private readonly fatCache = new Map<number, Buffer>();

  private constructor(
    private readonly volume: Volume,
    private readonly bpb: Bpb,
  ) {
    this.type = `FAT${bpb.bits}`;
  }

  static async open(volume: Volume): Promise<FatDriver> {
    return new FatDriver(volume, parseBpb(await volume.read(0, 512, 'FAT boot sector'), volume.size));
  }

  async root(): Promise<FatNode> {
    return this.bpb.bits === 32 ? { dir: true, cluster: this.bpb.rootCluster, size: 0, root: true } : { dir: true, cluster: 0, size: 0, root: true };
  }

  stat(node: FatNode): GuestStat {
    return node.dir ? { kind: 'dir', size: 0 } : { kind: 'file', size: node.size };
  }

  async readlink(): Promise<string> {
    throw fsError('FAT has no symbolic links');
  }

  private async fatEntry(cluster: number): Promise<number> {
    const { bits, bytesPerSector } = this.bpb;
    const byte = bits === 12 ? cluster + (cluster >> 1) : cluster * (bits / 8);
    const sector = Math.floor(byte / bytesPerSector);
    const two = await Promise.all([this.fatSector(sector), this.fatSector(sector + 1)]);
    const buf = Buffer.concat(two);
    const at = byte % bytesPerSector;
    if (bits === 12) {
      const v = buf.readUInt16LE(at);
      return cluster & 1 ? v >> 4 : v & 0xfff;
    }
    return bits === 16 ? buf.readUInt16LE(at) : buf.readUInt32LE(at) & 0x0fffffff;
  }

  private async fatSector(sector: number): Promise<Buffer> {
    let b = this.fatCache.get(sector);
    if (!b) {
      if (this.fatCache.size >= FAT_CACHE_SECTORS) this.fatCache.delete(this.fatCache.keys().next().value!);
      b = await this.volume.read(this.bpb.fatOffset + sector * this.bpb.bytesPerSector, this.bpb.bytesPerSector, 'FAT');
      this.fatCache.set(sector, b);
    }
    return b;
  }

  /** The clusters of a chain, at most `maxClusters` of them; fails on a loop or a bad link. */
  private async chain(first: number, maxClusters: number): Promise<number[]> {
    const out: number[] = [];
    const eoc = this.bpb.bits === 12 ? 0xff8 : this.bpb.bits === 16 ? 0xfff8 : 0x0ffffff8;
    let c = first;
    while (true) {
      if (c < 2 || c >= this.bpb.clusterCount + 2) throw fsError(`FAT: cluster chain points to cluster ${c}`);
      out.push(c);
      if (out.length > maxClusters) throw fsError(`FAT: cluster chain from ${first} is longer than its file (a loop?)`);
      const next = await this.fatEntry(c);
      if (next >= eoc) return out;
      c = next;
    }
  }

  private async readChain(first: number, bytes: number): Promise<Buffer> {
    const cs = this.bpb.clusterSize;
    const clusters = await this.chain(first, Math.max(1, Math.ceil(bytes / cs)));
    const out = Buffer.alloc(clusters.length * cs);
    for (let i = 0; i < clusters.length; i++) {
      (await this.volume.read(this.bpb.dataOffset + (clusters[i]! - 2) * cs, cs, 'FAT cluster')).copy(out, i * cs);
    }
    return out.subarray(0, bytes);
  }

  async read(node: FatNode, maxBytes: number): Promise<Buffer> {
    if (node.size > maxBytes) throw fsError(`FAT file of ${node.size} bytes, more than ${maxBytes}`);
    if (node.size === 0) return Buffer.alloc(0);
    return this.readChain(node.cluster, node.size);
  }

  private async entries(dir: FatNode): Promise<Array<{ name: string; short: string; node: FatNode }>> {
    let raw: Buffer;
    if (dir.root && this.bpb.bits !== 32) raw = await this.volume.read(this.bpb.rootDirOffset, this.bpb.rootDirBytes, 'FAT root directory');
    else raw = await this.readChain(dir.cluster, MAX_DIR_ENTRIES * 32);
    const out: Array<{ name: string; short: string; node: FatNode }> = [];
    // A long name counts only when its entries run N..1 and carry the checksum of the short entry
    // that follows (Microsoft FAT specification, "Long Directory Entries"); else it is a leftover.
    let lfn: string[] = [];
    let lfnSum = -1;
    let lfnNext = -1;
    for (let at = 0; at + 32 <= raw.length; at += 32) {
      const first = raw[at]!;
      if (first === 0) break;
      const attr = raw[at + 11]!;
      if (first === 0xe5) {
        lfn = [];
        continue;
      }
      if (attr === 0x0f) {
        const part = Buffer.concat([raw.subarray(at + 1, at + 11), raw.subarray(at + 14, at + 26), raw.subarray(at + 28, at + 32)]).toString('utf16le');
        const ordinal = first & 0x1f;
        if (first & 0x40) {
          lfn = [];
          lfnSum = raw[at + 13]!;
          lfnNext = ordinal;
        }
        if (ordinal === 0 || ordinal !== lfnNext || raw[at + 13] !== lfnSum) {
          lfn = [];
          lfnNext = -1;
          continue;
        }
        lfn.unshift(part.replace(/\0[\s\S]*$/, ''));
        lfnNext = ordinal - 1;
        continue;
      }
      if (attr & 0x08) {
        lfn = [];
        continue; // the volume label
      }
      const base = raw.toString('latin1', at, at + 8).trimEnd();
      const ext = raw.toString('latin1', at + 8, at + 11).trimEnd();
      const short = (first === 0x05 ? '\xe5' + base.slice(1) : base) + (ext ? `.${ext}` : '');
      const name = lfn.length > 0 && lfnNext === 0 && lfnSum === shortNameChecksum(raw, at) ? lfn.join('') : short;
      lfn = [];
      lfnNext = -1;
      if (short === '.' || short === '..') continue;
      const cluster = (raw.readUInt16LE(at + 20) << 16) | raw.readUInt16LE(at + 26);
      const isDir = (attr & 0x10) !== 0;
      out.push({ name, short, node: { dir: isDir, cluster: this.bpb.bits === 32 ? cluster : cluster & 0xffff, size: isDir ? 0 : raw.readUInt32LE(at + 28) } });
    }
    return out;
  }

  async child(dir: FatNode, name: string): Promise<FatNode | undefined> {
    const want = name.toUpperCase();
    for (const e of await this.entries(dir)) if (e.name.toUpperCase() === want || e.short.toUpperCase() === want) return e.node;
    return undefined;
  }

  async list(dir: FatNode): Promise<string[]> {
    return (await this.entries(dir)).map((e) => e.name);
  }
}

/** The checksum a long name's entries carry of the 11-byte short name they belong to. */
function shortNameChecksum(raw: Buffer, at: number): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >> 1) + raw[at + i]!) & 0xff;
  return sum;
}
