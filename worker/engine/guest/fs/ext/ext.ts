// A read-only ext2/3/4 driver, per the kernel's "ext4 Data Structures and Algorithms"
// (Documentation/filesystems/ext4): superblock, group descriptors (32- and 64-bit), inodes,
// extent trees and the classic block map, and directories. Hashed (htree) directories are read
// linearly: their index blocks look like empty entries to a linear reader, by design.
import type { FsDriver, GuestStat, NodeKind } from '../types';
import { fsError, type Volume } from '../volume';

export interface ExtNode {
  ino: number;
  mode: number;
  size: number;
  flags: number;
  block: Buffer;
}

interface Super {
  blockSize: number;
  inodesPerGroup: number;
  inodeSize: number;
  descSize: number;
  firstDataBlock: number;
  groups: number;
  inodes: number;
  blocks: number;
}

const INCOMPAT = { compression: 0x1, journalDev: 0x8, metaBg: 0x10, extents: 0x40, is64: 0x80, inlineData: 0x8000, encrypt: 0x10000 } as const;
const FLAG = { extents: 0x80000, inlineData: 0x10000000, encrypted: 0x800 } as const;
const EXTENT_MAGIC = 0xf30a;
const MAX_EXTENT_DEPTH = 5;
const MAX_DIR_BYTES = 16 * 1024 * 1024;
const ROOT_INO = 2;

export function parseSuper(b: Buffer, volumeSize: number): Super {
  const s = 1024;
  if (b.length < s + 1024 || b.readUInt16LE(s + 0x38) !== 0xef53) throw fsError('not an ext2/3/4 superblock');
  const logBlock = b.readUInt32LE(s + 0x18);
  if (logBlock > 6) throw fsError(`ext superblock: block size 2^${10 + logBlock}`);
  const blockSize = 1024 << logBlock;
  const incompat = b.readUInt32LE(s + 0x60);
  const inodes = b.readUInt32LE(s + 0);
  const blocks = b.readUInt32LE(s + 4) + (incompat & INCOMPAT.is64 ? b.readUInt32LE(s + 0x150) * 2 ** 32 : 0);
  const firstDataBlock = b.readUInt32LE(s + 0x14);
  const blocksPerGroup = b.readUInt32LE(s + 0x20);
  const inodesPerGroup = b.readUInt32LE(s + 0x28);
  const rev = b.readUInt32LE(s + 0x4c);
  const inodeSize = rev === 0 ? 128 : b.readUInt16LE(s + 0x58);
  const descSize = incompat & INCOMPAT.is64 ? b.readUInt16LE(s + 0xfe) : 32;
  if (blocksPerGroup === 0 || inodesPerGroup === 0 || inodes === 0 || blocks === 0) throw fsError('ext superblock: empty groups');
  if (inodeSize < 128 || inodeSize > blockSize || (inodeSize & (inodeSize - 1)) !== 0) throw fsError(`ext superblock: ${inodeSize}-byte inodes`);
  if (descSize < 32 || descSize > 1024 || (descSize & (descSize - 1)) !== 0) throw fsError(`ext superblock: ${descSize}-byte group descriptors`);
  for (const [name, bit] of [['compression', INCOMPAT.compression], ['an external journal device', INCOMPAT.journalDev], ['meta_bg', INCOMPAT.metaBg], ['encryption', INCOMPAT.encrypt]] as const) {
    if (incompat & bit) throw fsError(`ext file system uses ${name}, which is not read`);
  }
  if (blocks * blockSize > volumeSize + blockSize) throw fsError(`ext superblock: ${blocks} blocks do not fit the partition`);
  const groups = Math.ceil((blocks - firstDataBlock) / blocksPerGroup);
  if (groups < 1 || groups * inodesPerGroup < inodes) throw fsError('ext superblock: group counts disagree');
  return { blockSize, inodesPerGroup, inodeSize, descSize, firstDataBlock, groups, inodes, blocks };
}

export class ExtDriver implements FsDriver<ExtNode> {
  readonly type = 'ext';

  private constructor(
    private readonly volume: Volume,
    private readonly sb: Super,
  ) {}

  static async open(volume: Volume): Promise<ExtDriver> {
    return new ExtDriver(volume, parseSuper(await volume.read(0, 2048, 'ext superblock'), volume.size));
  }

  private async block(n: number, what: string): Promise<Buffer> {
    if (!Number.isSafeInteger(n) || n <= 0 || n >= this.sb.blocks) throw fsError(`${what}: block ${n} is outside the file system`);
    return this.volume.read(n * this.sb.blockSize, this.sb.blockSize, what);
  }

  async inode(ino: number): Promise<ExtNode> {
    const sb = this.sb;
    if (ino < 1 || ino > sb.inodes) throw fsError(`ext: inode ${ino} does not exist`);
    const group = Math.floor((ino - 1) / sb.inodesPerGroup);
    const index = (ino - 1) % sb.inodesPerGroup;
    const gdtStart = (sb.firstDataBlock + 1) * sb.blockSize;
    const desc = await this.volume.read(gdtStart + group * sb.descSize, sb.descSize, `ext group descriptor ${group}`);
    const table = desc.readUInt32LE(8) + (sb.descSize >= 64 ? desc.readUInt32LE(0x28) * 2 ** 32 : 0);
    if (table === 0 || table >= sb.blocks) throw fsError(`ext group ${group}: inode table at block ${table}`);
    const raw = await this.volume.read(table * sb.blockSize + index * sb.inodeSize, Math.min(sb.inodeSize, 256), `ext inode ${ino}`);
    const size = raw.readUInt32LE(4) + raw.readUInt32LE(0x6c) * 2 ** 32;
    if (!Number.isSafeInteger(size)) throw fsError(`ext inode ${ino}: size out of range`);
    return { ino, mode: raw.readUInt16LE(0), size, flags: raw.readUInt32LE(0x20), block: Buffer.from(raw.subarray(0x28, 0x28 + 60)) };
  }

  async root(): Promise<ExtNode> {
    return this.inode(ROOT_INO);
  }

  stat(node: ExtNode): GuestStat {
    const type = node.mode & 0xf000;
    const kind: NodeKind = type === 0x8000 ? 'file' : type === 0x4000 ? 'dir' : type === 0xa000 ? 'symlink' : 'other';
    return { kind, size: node.size };
  }

  async read(node: ExtNode, maxBytes: number): Promise<Buffer> {
    if (node.size > maxBytes) throw fsError(`ext inode ${node.ino}: ${node.size} bytes, more than ${maxBytes}`);
    if (node.flags & FLAG.encrypted) throw fsError(`ext inode ${node.ino} is encrypted`);
    if (node.flags & FLAG.inlineData) {
      if (node.size > 60) throw fsError(`ext inode ${node.ino}: inline data past the inode is not read`);
      return Buffer.from(node.block.subarray(0, node.size));
    }
    return this.readRange(node, 0, node.size);
  }

  async readRange(node: ExtNode, offset: number, length: number): Promise<Buffer> {
    if (offset < 0 || length < 0 || offset + length > node.size) throw fsError(`ext inode ${node.ino}: bytes ${offset}+${length} past its end`);
    if (node.flags & FLAG.inlineData) return Buffer.from((await this.read(node, 60)).subarray(offset, offset + length));
    const bs = this.sb.blockSize;
    const first = Math.floor(offset / bs);
    const count = Math.ceil((offset + length) / bs);
    const out = Buffer.alloc((count - first) * bs);
    for (const m of await this.mapBlocks(node, count)) {
      const from = Math.max(m.logical, first);
      const to = Math.min(m.logical + m.length, count);
      if (from >= to) continue;
      const phys = m.physical + (from - m.logical);
      if (phys <= 0 || phys + (to - from) > this.sb.blocks) throw fsError(`ext inode ${node.ino}: data blocks ${phys}+${to - from} outside the file system`);
      (await this.volume.read(phys * bs, (to - from) * bs, `ext inode ${node.ino} data`)).copy(out, (from - first) * bs);
    }
    return out.subarray(offset - first * bs, offset - first * bs + length);
  }

  /** Maps the first `count` logical blocks to physical ones; holes are left out (they read as zeros). */
  private async mapBlocks(node: ExtNode, count: number): Promise<Array<{ logical: number; physical: number; length: number }>> {
    const out: Array<{ logical: number; physical: number; length: number }> = [];
    if (node.flags & FLAG.extents) {
      await this.walkExtents(node.block, count, out, MAX_EXTENT_DEPTH, node.ino);
      return out;
    }
    const bs = this.sb.blockSize;
    const per = bs / 4;
    const pointers = (b: Buffer) => Array.from({ length: b.length / 4 }, (_, i) => b.readUInt32LE(i * 4));
    const direct = pointers(node.block);
    for (let i = 0; i < 12 && i < count; i++) if (direct[i]) out.push({ logical: i, physical: direct[i]!, length: 1 });
    let logical = 12;
    const walk = async (ptr: number, level: number): Promise<void> => {
      const span = per ** level;
      if (logical >= count) return;
      if (ptr === 0) {
        logical += span;
        return;
      }
      const entries = pointers(await this.block(ptr, `ext inode ${node.ino} indirect block`));
      for (const p of entries) {
        if (logical >= count) return;
        if (level === 1) {
          if (p) out.push({ logical, physical: p, length: 1 });
          logical++;
        } else await walk(p, level - 1);
      }
    };
    for (let level = 1; level <= 3; level++) await walk(direct[11 + level]!, level);
    return out;
  }

  private async walkExtents(node: Buffer, count: number, out: Array<{ logical: number; physical: number; length: number }>, depthLeft: number, ino: number): Promise<void> {
    const what = `ext inode ${ino} extent tree`;
    if (node.length < 12 || node.readUInt16LE(0) !== EXTENT_MAGIC) throw fsError(`${what}: bad extent header`);
    const entries = node.readUInt16LE(2);
    const depth = node.readUInt16LE(6);
    if (12 + entries * 12 > node.length || depth >= depthLeft) throw fsError(`${what}: ${entries} entries at depth ${depth}`);
    for (let i = 0; i < entries; i++) {
      const e = 12 + i * 12;
      const first = node.readUInt32LE(e);
      if (first >= count) break;
      if (depth === 0) {
        let len = node.readUInt16LE(e + 4);
        const uninit = len > 32768;
        if (uninit) len -= 32768;
        const physical = node.readUInt16LE(e + 6) * 2 ** 32 + node.readUInt32LE(e + 8);
        if (!uninit) out.push({ logical: first, physical, length: Math.min(len, count - first) });
      } else {
        const child = node.readUInt32LE(e + 4) + node.readUInt16LE(e + 8) * 2 ** 32;
        await this.walkExtents(await this.block(child, what), count, out, depth, ino);
      }
      if (out.length > 1_000_000) throw fsError(`${what}: too many extents`);
    }
  }

  async readlink(node: ExtNode): Promise<string> {
    const fast = node.size < 60 && (node.flags & FLAG.extents) === 0;
    const bytes = fast || node.flags & FLAG.inlineData ? node.block.subarray(0, Math.min(node.size, 60)) : await this.read(node, 4096);
    return bytes.toString('utf8');
  }

  private async entries(dir: ExtNode): Promise<Array<{ name: string; ino: number }>> {
    const data = await this.read(dir, MAX_DIR_BYTES);
    const bs = dir.flags & FLAG.inlineData ? data.length : this.sb.blockSize;
    const out: Array<{ name: string; ino: number }> = [];
    // Inline directories start with the parent's inode number, then entries.
    for (let blockAt = dir.flags & FLAG.inlineData ? 4 : 0; blockAt < data.length; blockAt += bs) {
      const end = Math.min(blockAt + bs, data.length);
      let at = blockAt;
      while (at + 8 <= end) {
        const ino = data.readUInt32LE(at);
        const recLen = data.readUInt16LE(at + 4);
        const nameLen = data[at + 6]!;
        if (recLen < 8 || at + recLen > end || 8 + nameLen > recLen) throw fsError(`ext directory inode ${dir.ino}: entry of length ${recLen} at ${at}`);
        if (ino !== 0 && nameLen > 0) {
          const name = data.toString('utf8', at + 8, at + 8 + nameLen);
          if (name !== '.' && name !== '..') out.push({ name, ino });
        }
        at += recLen;
      }
    }
    return out;
  }

  async child(dir: ExtNode, name: string): Promise<ExtNode | undefined> {
    const hit = (await this.entries(dir)).find((e) => e.name === name);
    return hit ? this.inode(hit.ino) : undefined;
  }

  async list(dir: ExtNode): Promise<string[]> {
    return (await this.entries(dir)).map((e) => e.name);
  }
}
