// The binary Hyper-V configuration of 2016 and later (.vmcx; the runtime state .vmrs uses the same
// container). Microsoft does not document it; the layout here is the one the open-source forensic
// library dissect.hypervisor describes (docs/machines.md#vmcx): two headers, an object table at
// 0x2000 listing key tables, and key tables whose entries form a tree of typed values. Checksums
// are not verified (their algorithm is not public); every offset and length is bounds-checked.
import type { ConfigNode } from './hyperv-tree';
import { notice, type Notice } from '../notices';

export const VMCX_SIGNATURE = 0x01282014;
const HEADER_AT = [0, 0x1000];
const HEADER_BYTES = 46;
const OBJECT_TABLE_AT = 0x2000;
const OBJECT_TABLE_SIGNATURE = 0x01110001;
const REPLAY_LOG_SIGNATURE = 0x01110003;
const KEY_TABLE_SIGNATURE = 0x0002;
const OBJECT_ENTRY_BYTES = 18;
const KEY_TABLE_HEADER_BYTES = 10;
const KEY_ENTRY_HEADER_BYTES = 21;
const SUPPORTED_VERSION = 0x400;
const MAX_OBJECTS = 65536;

const enum ObjectType {
  KeyTable = 2,
}
const enum KeyType {
  Free = 1,
  Int = 3,
  UInt = 4,
  Double = 5,
  String = 6,
  Array = 7,
  Bool = 8,
  Node = 9,
}
const FILE_OBJECT_POINTER = 0x01;

export class VmcxError extends Error {}

function need(buf: Buffer, at: number, length: number, what: string): void {
  if (!Number.isSafeInteger(at) || at < 0 || at + length > buf.length) {
    throw new VmcxError(`the ${what} (${length} bytes at offset ${at}) lies outside the file (${buf.length} bytes)`);
  }
}

export function hasVmcxSignature(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === VMCX_SIGNATURE;
}

interface Entry {
  table: number;
  offset: number;
  type: number;
  flags: number;
  parentTable: number;
  parentOffset: number;
  key: string;
  data: Buffer;
  node: ConfigNode;
}

function decodeValue(file: Buffer, e: Omit<Entry, 'node'>): string | undefined {
  let data = e.data;
  const pointer = (e.flags & FILE_OBJECT_POINTER) !== 0;
  if (pointer) {
    need(data, 0, 12, `file object pointer of key "${e.key}"`);
    const size = data.readUInt32LE(0);
    const offset = Number(data.readBigUInt64LE(4));
    need(file, offset, size, `value of key "${e.key}"`);
    data = file.subarray(offset, offset + size);
  }
  switch (e.type) {
    case KeyType.Int:
      need(data, 0, 8, `value of key "${e.key}"`);
      return data.readBigInt64LE(0).toString();
    case KeyType.UInt:
      need(data, 0, 8, `value of key "${e.key}"`);
      return data.readBigUInt64LE(0).toString();
    case KeyType.Double:
      need(data, 0, 8, `value of key "${e.key}"`);
      return String(data.readDoubleLE(0));
    case KeyType.Bool:
      need(data, 0, 4, `value of key "${e.key}"`);
      return data.readUInt32LE(0) !== 0 ? 'true' : 'false';
    case KeyType.String: {
      let bytes = data;
      if (!pointer) {
        need(data, 0, 4, `length of key "${e.key}"`);
        const len = data.readUInt32LE(0);
        need(data, 4, len, `string of key "${e.key}"`);
        bytes = data.subarray(4, 4 + len);
      }
      return bytes.toString('utf16le', 0, bytes.length & ~1).replace(/\0+$/, '');
    }
    default:
      return undefined;
  }
}

function activeHeader(file: Buffer): { version: number; replayLogOffset: number } {
  let best: { seq: number; version: number; replayLogOffset: number } | undefined;
  for (const at of HEADER_AT) {
    if (at + HEADER_BYTES > file.length || file.readUInt32LE(at) !== VMCX_SIGNATURE) continue;
    const seq = file.readUInt16LE(at + 8);
    if (!best || seq > best.seq) best = { seq, version: file.readUInt32LE(at + 10), replayLogOffset: Number(file.readBigUInt64LE(at + 26)) };
  }
  if (!best) throw new VmcxError('neither header (at 0 and 0x1000) has the signature 0x01282014');
  return best;
}

/** Key tables by index, the newest of each (highest sequence number). */
function keyTables(file: Buffer): Map<number, { at: number; size: number; seq: number }> {
  need(file, OBJECT_TABLE_AT, 8, 'object table');
  if (file.readUInt32LE(OBJECT_TABLE_AT) !== OBJECT_TABLE_SIGNATURE) throw new VmcxError(`no object table signature at offset ${OBJECT_TABLE_AT}`);
  const count = file.readUInt32LE(OBJECT_TABLE_AT + 4);
  if (count > MAX_OBJECTS) throw new VmcxError(`the object table claims ${count} entries`);
  need(file, OBJECT_TABLE_AT + 8, count * OBJECT_ENTRY_BYTES, 'object table entries');
  const tables = new Map<number, { at: number; size: number; seq: number }>();
  for (let i = 0; i < count; i++) {
    const e = OBJECT_TABLE_AT + 8 + i * OBJECT_ENTRY_BYTES;
    if (file[e] !== ObjectType.KeyTable || file[e + 17] === 0) continue;
    const at = Number(file.readBigUInt64LE(e + 5));
    const size = file.readUInt32LE(e + 13);
    need(file, at, Math.max(size, KEY_TABLE_HEADER_BYTES), `key table of object entry ${i}`);
    if (file.readUInt16LE(at) !== KEY_TABLE_SIGNATURE) throw new VmcxError(`the key table at offset ${at} has no signature`);
    const index = file.readUInt16LE(at + 2);
    const seq = file.readUInt16LE(at + 4);
    const prev = tables.get(index);
    if (!prev || seq > prev.seq) tables.set(index, { at, size, seq });
  }
  return tables;
}

/** Reads a .vmcx into the neutral tree; its root is the file's top key (`configuration`). */
export function readVmcx(file: Buffer): { root: ConfigNode; warnings: Notice[] } {
  const header = activeHeader(file);
  if (header.version !== SUPPORTED_VERSION) {
    throw new VmcxError(`its format version is 0x${header.version.toString(16)}; only 0x400 (Windows Server 2016 and later) is known`);
  }
  const warnings: Notice[] = [];
  const log = header.replayLogOffset;
  if (log > 0 && log + 12 <= file.length && file.readUInt32LE(log) === REPLAY_LOG_SIGNATURE && file.readUInt32LE(log + 8) > 0) {
    warnings.push(notice('vmcx-log-unapplied'));
  }
  const entries = new Map<string, Entry>();
  const ordered: Entry[] = [];
  for (const [index, t] of keyTables(file)) {
    let off = KEY_TABLE_HEADER_BYTES;
    while (off + KEY_ENTRY_HEADER_BYTES <= t.size) {
      const h = t.at + off;
      const typeField = file.readUInt16LE(h);
      const size = file.readUInt32LE(h + 2);
      if (size === 0) break;
      if (size < KEY_ENTRY_HEADER_BYTES || off + size > t.size) throw new VmcxError(`key table ${index}: the entry at ${off} claims ${size} bytes`);
      const type = typeField & 0xff;
      const dataOffset = file[h + 20]!;
      const raw = file.subarray(h + KEY_ENTRY_HEADER_BYTES, h + size);
      if (type !== KeyType.Free) {
        if (dataOffset < 1 || dataOffset > raw.length) throw new VmcxError(`key table ${index}: the entry at ${off} puts its value outside itself`);
        const base = { table: index, offset: off, type, flags: typeField >> 8, parentTable: file.readUInt16LE(h + 6), parentOffset: file.readUInt32LE(h + 8), key: raw.toString('utf8', 0, dataOffset - 1).toLowerCase(), data: raw.subarray(dataOffset) };
        const value = type === KeyType.Node || type === KeyType.Array ? undefined : decodeValue(file, base);
        const entry: Entry = { ...base, node: { key: base.key, children: [], ...(value !== undefined ? { value } : {}) } };
        entries.set(`${index}:${off}`, entry);
        ordered.push(entry);
      }
      off += size;
    }
  }
  const top: ConfigNode[] = [];
  for (const e of ordered) {
    if (e.parentTable === 0) {
      top.push(e.node);
      continue;
    }
    const parent = entries.get(`${e.parentTable}:${e.parentOffset}`);
    if (!parent || parent.type !== KeyType.Node) throw new VmcxError(`key "${e.key}" names a parent (table ${e.parentTable}, offset ${e.parentOffset}) that is not a node`);
    parent.node.children.push(e.node);
  }
  // A parent link that loops never reaches a top key; only what hangs below one is used.
  const root = top.find((n) => n.key === 'configuration') ?? top[0];
  if (!root) throw new VmcxError('it holds no keys');
  return { root, warnings };
}
