// A read-only Windows registry hive (regf) reader, per the public "Windows registry file format
// specification" (Maxim Suhanov, github.com/msuhanov/regf): the base block with its sequence
// numbers and checksum, hive bins, and nk/vk/sk cells with lf/lh/li/ri subkey lists and "db"
// big data. Cells are read on demand through a small page cache, so a 100 MiB SOFTWARE hive
// never sits in memory whole; every offset is checked against the hive bins.
import { fsError } from '../fs/volume';

/** Random access to a hive file (a GuestFs file, or a Buffer in tests and the fuzzer). */
export interface HiveBytes {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

export function bufferBytes(b: Buffer): HiveBytes {
  return {
    size: b.length,
    read: async (offset, length) => {
      if (offset < 0 || offset + length > b.length) throw fsError(`hive: bytes ${offset}+${length} past its ${b.length}-byte end`);
      return b.subarray(offset, offset + length);
    },
  };
}

export const BASE_BLOCK = 4096;
const PAGE = 4096;
const CACHE_PAGES = 512;
const MAX_CELL = 4 * 1024 * 1024;
const MAX_LIST = 65536;
const BIG_DATA_SEGMENT = 16344;
const MAX_VALUE = 16 * 1024 * 1024;

export interface BaseBlock {
  primarySequence: number;
  secondarySequence: number;
  major: number;
  minor: number;
  rootCell: number;
  hbinsSize: number;
  checksumOk: boolean;
  /** Sequence numbers differ: the last write did not finish and the transaction logs hold changes. */
  dirty: boolean;
}

export function parseBaseBlock(b: Buffer): BaseBlock {
  if (b.length < 512 || b.toString('latin1', 0, 4) !== 'regf') throw fsError('not a registry hive (no "regf" signature)');
  let sum = 0;
  for (let i = 0; i < 508; i += 4) sum ^= b.readUInt32LE(i);
  sum >>>= 0;
  if (sum === 0xffffffff) sum = 0xfffffffe;
  if (sum === 0) sum = 1;
  const primarySequence = b.readUInt32LE(4);
  const secondarySequence = b.readUInt32LE(8);
  const major = b.readUInt32LE(20);
  const minor = b.readUInt32LE(24);
  if (major !== 1 || minor < 2 || minor > 6) throw fsError(`registry hive version ${major}.${minor} is not one Windows writes`);
  return {
    primarySequence,
    secondarySequence,
    major,
    minor,
    rootCell: b.readUInt32LE(36),
    hbinsSize: b.readUInt32LE(40),
    checksumOk: sum === b.readUInt32LE(508),
    dirty: primarySequence !== secondarySequence,
  };
}

export const REG = { sz: 1, expandSz: 2, binary: 3, dword: 4, dwordBE: 5, link: 6, multiSz: 7, qword: 11 } as const;

export interface RegValue {
  name: string;
  type: number;
  /** Where the vk cell's data field sits in the hive file, and where the data itself does (undefined when inline or big data). */
  vkFileOffset: number;
  dataFileOffset: number | undefined;
  dataSize: number;
  data(): Promise<Buffer>;
}

export interface RegKey {
  name: string;
  cell: number;
}

export class Hive {
  readonly base: BaseBlock;
  private readonly cache = new Map<number, Buffer>();
  private readonly end: number;

  private constructor(
    private readonly bytes: HiveBytes,
    base: BaseBlock,
  ) {
    this.base = base;
    this.end = Math.min(base.hbinsSize, bytes.size - BASE_BLOCK);
  }

  static async open(bytes: HiveBytes): Promise<Hive> {
    if (bytes.size < BASE_BLOCK + PAGE) throw fsError(`registry hive of ${bytes.size} bytes is too short`);
    const base = parseBaseBlock(await bytes.read(0, 512));
    if (base.hbinsSize < PAGE || base.hbinsSize % PAGE !== 0) throw fsError(`registry hive: hive bins size ${base.hbinsSize}`);
    const hive = new Hive(bytes, base);
    const first = await hive.raw(0, 32);
    if (first.toString('latin1', 0, 4) !== 'hbin' || first.readUInt32LE(4) !== 0) throw fsError('registry hive: the first hive bin has no "hbin" signature');
    return hive;
  }

  /** Bytes [at, at + length) of the hive bins area (offsets relative to its start, as cells use). */
  private async raw(at: number, length: number): Promise<Buffer> {
    if (!Number.isSafeInteger(at) || at < 0 || length < 0 || at + length > this.end) throw fsError(`registry hive: cell data at ${at}+${length} outside the ${this.end}-byte hive bins`);
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const pos = at + done;
      const page = Math.floor(pos / PAGE);
      let buf = this.cache.get(page);
      if (!buf) {
        if (this.cache.size >= CACHE_PAGES) this.cache.delete(this.cache.keys().next().value!);
        const start = BASE_BLOCK + page * PAGE;
        buf = Buffer.from(await this.bytes.read(start, Math.min(PAGE, this.bytes.size - start)));
        this.cache.set(page, buf);
      }
      const from = pos - page * PAGE;
      const n = Math.min(length - done, buf.length - from);
      if (n <= 0) throw fsError(`registry hive: cell data at ${pos} past the end of the file`);
      buf.copy(out, done, from, from + n);
      done += n;
    }
    return out;
  }

  /** An allocated cell's data (without its size field). */
  async cell(offset: number, what: string): Promise<Buffer> {
    if (offset % 8 !== 0) throw fsError(`registry hive: ${what} cell offset ${offset} is not aligned`);
    const size = (await this.raw(offset, 4)).readInt32LE(0);
    if (size >= 0) throw fsError(`registry hive: ${what} cell at ${offset} is free`);
    const length = -size;
    if (length < 8 || length > MAX_CELL) throw fsError(`registry hive: ${what} cell at ${offset} of ${length} bytes`);
    return this.raw(offset + 4, length - 4);
  }

  async root(): Promise<RegKey> {
    return this.key(this.base.rootCell, 'root key');
  }

  private async key(cell: number, what: string): Promise<RegKey & { nk: Buffer }> {
    const nk = await this.cell(cell, what);
    if (nk.length < 76 || nk.toString('latin1', 0, 2) !== 'nk') throw fsError(`registry hive: ${what} at ${cell} is not a key (nk) cell`);
    const nameLength = nk.readUInt16LE(72);
    if (76 + nameLength > nk.length) throw fsError(`registry hive: ${what} name runs past its cell`);
    const compressed = (nk.readUInt16LE(2) & 0x20) !== 0;
    const name = nk.toString(compressed ? 'latin1' : 'utf16le', 76, 76 + nameLength);
    return { name, cell, nk };
  }

  /** The subkeys' cell offsets, through lf/lh/li lists and ri lists of them. */
  private async subkeyCells(key: RegKey): Promise<number[]> {
    const { nk } = await this.key(key.cell, key.name);
    const count = nk.readUInt32LE(20);
    if (count === 0) return [];
    if (count > MAX_LIST) throw fsError(`registry hive: key ${key.name} claims ${count} subkeys`);
    const out: number[] = [];
    const walk = async (list: number, depth: number): Promise<void> => {
      const b = await this.cell(list, `subkey list of ${key.name}`);
      const sig = b.toString('latin1', 0, 2);
      const n = b.readUInt16LE(2);
      const stride = sig === 'lf' || sig === 'lh' ? 8 : sig === 'li' || sig === 'ri' ? 4 : 0;
      if (stride === 0 || 4 + n * stride > b.length) throw fsError(`registry hive: bad subkey list "${sig}" of key ${key.name}`);
      for (let i = 0; i < n; i++) {
        const off = b.readUInt32LE(4 + i * stride);
        if (sig === 'ri') {
          if (depth > 0) throw fsError(`registry hive: nested index roots under key ${key.name}`);
          await walk(off, depth + 1);
        } else out.push(off);
        if (out.length > MAX_LIST) throw fsError(`registry hive: too many subkeys under ${key.name}`);
      }
    };
    await walk(nk.readUInt32LE(28), 0);
    return out;
  }

  async subkeys(key: RegKey): Promise<RegKey[]> {
    const out: RegKey[] = [];
    for (const c of await this.subkeyCells(key)) {
      const k = await this.key(c, `subkey of ${key.name}`);
      out.push({ name: k.name, cell: k.cell });
    }
    return out;
  }

  /** A subkey by name, case-insensitively as Windows compares them. */
  async subkey(key: RegKey, name: string): Promise<RegKey | undefined> {
    const want = name.toUpperCase();
    for (const c of await this.subkeyCells(key)) {
      const k = await this.key(c, `subkey of ${key.name}`);
      if (k.name.toUpperCase() === want) return { name: k.name, cell: k.cell };
    }
    return undefined;
  }

  /** A key by a backslash-separated path from the root, or undefined. */
  async path(path: string): Promise<RegKey | undefined> {
    let key: RegKey | undefined = await this.root();
    for (const part of path.split('\\').filter((p) => p !== '')) {
      key = await this.subkey(key, part);
      if (!key) return undefined;
    }
    return key;
  }

  async values(key: RegKey): Promise<RegValue[]> {
    const { nk } = await this.key(key.cell, key.name);
    const count = nk.readUInt32LE(36);
    if (count === 0) return [];
    if (count > MAX_LIST) throw fsError(`registry hive: key ${key.name} claims ${count} values`);
    const list = await this.cell(nk.readUInt32LE(40), `value list of ${key.name}`);
    if (count * 4 > list.length) throw fsError(`registry hive: value list of ${key.name} is shorter than its ${count} values`);
    const out: RegValue[] = [];
    for (let i = 0; i < count; i++) out.push(await this.value(list.readUInt32LE(i * 4), key.name));
    return out;
  }

  async value(vkCell: number, keyName: string): Promise<RegValue> {
    const vk = await this.cell(vkCell, `value of ${keyName}`);
    if (vk.length < 20 || vk.toString('latin1', 0, 2) !== 'vk') throw fsError(`registry hive: a value of ${keyName} is not a vk cell`);
    const nameLength = vk.readUInt16LE(2);
    if (20 + nameLength > vk.length) throw fsError(`registry hive: a value name of ${keyName} runs past its cell`);
    const name = vk.toString((vk.readUInt16LE(16) & 1) !== 0 ? 'latin1' : 'utf16le', 20, 20 + nameLength);
    const rawSize = vk.readUInt32LE(4);
    const inline = (rawSize & 0x80000000) !== 0;
    const dataSize = rawSize & 0x7fffffff;
    const dataOffset = vk.readUInt32LE(8);
    const type = vk.readUInt32LE(12);
    const what = `value ${keyName}\\${name || '(default)'}`;
    if (dataSize > MAX_VALUE) throw fsError(`registry hive: ${what} claims ${dataSize} bytes`);
    const vkFileOffset = BASE_BLOCK + vkCell + 4;
    if (inline) {
      if (dataSize > 4) throw fsError(`registry hive: ${what} is inline but ${dataSize} bytes long`);
      const data = Buffer.from(vk.subarray(8, 8 + dataSize));
      return { name, type, vkFileOffset, dataFileOffset: undefined, dataSize, data: async () => data };
    }
    const big = dataSize > BIG_DATA_SEGMENT && this.base.minor >= 4;
    return {
      name,
      type,
      vkFileOffset,
      dataFileOffset: big ? undefined : BASE_BLOCK + dataOffset + 4,
      dataSize,
      data: async () => {
        if (dataSize === 0) return Buffer.alloc(0);
        const cell = await this.cell(dataOffset, what);
        if (!big || cell.length < 8 || cell.toString('latin1', 0, 2) !== 'db') {
          if (dataSize > cell.length) throw fsError(`registry hive: ${what} is longer than its cell`);
          return Buffer.from(cell.subarray(0, dataSize));
        }
        const segments = cell.readUInt16LE(2);
        const list = await this.cell(cell.readUInt32LE(4), `${what} segment list`);
        if (segments * 4 > list.length || segments * BIG_DATA_SEGMENT < dataSize) throw fsError(`registry hive: ${what} big data has ${segments} segments`);
        const parts: Buffer[] = [];
        let left = dataSize;
        for (let i = 0; i < segments && left > 0; i++) {
          const seg = await this.cell(list.readUInt32LE(i * 4), `${what} segment ${i}`);
          const n = Math.min(left, BIG_DATA_SEGMENT, seg.length);
          parts.push(seg.subarray(0, n));
          left -= n;
        }
        if (left > 0) throw fsError(`registry hive: ${what} big data is short by ${left} bytes`);
        return Buffer.concat(parts);
      },
    };
  }

  /** A value by name (case-insensitive; '' is the default value), or undefined. */
  async valueOf(key: RegKey, name: string): Promise<RegValue | undefined> {
    const want = name.toUpperCase();
    return (await this.values(key)).find((v) => v.name.toUpperCase() === want);
  }
}

/** A REG_SZ / REG_EXPAND_SZ as text (UTF-16LE up to the first NUL). */
export function regString(data: Buffer): string {
  const s = data.toString('utf16le', 0, data.length - (data.length % 2));
  const nul = s.indexOf('\0');
  return nul === -1 ? s : s.slice(0, nul);
}

export function regDword(v: RegValue, data: Buffer): number | undefined {
  if ((v.type === REG.dword || v.type === REG.binary) && data.length >= 4) return data.readUInt32LE(0);
  if (v.type === REG.dwordBE && data.length >= 4) return data.readUInt32BE(0);
  return undefined;
}
