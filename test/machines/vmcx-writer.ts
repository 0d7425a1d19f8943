// Writes a .vmcx-shaped file from a key tree, to the layout docs/machines.md#vmcx describes
// (checksums left zero: the reader does not verify them). Test data only.

export type VmcxValue = string | number | boolean | { [key: string]: VmcxValue };

const ENTRY_HEADER = 21;

export function writeVmcx(tree: Record<string, VmcxValue>, opts: { version?: number; dirtyLog?: boolean } = {}): Buffer {
  const tableAt = 0x3000;
  const entries: Buffer[] = [];
  let offset = 10;
  const place = (key: string, value: VmcxValue, parentOffset: number): void => {
    const name = Buffer.from(`${key}\0`, 'utf8');
    let type: number;
    let data: Buffer;
    if (typeof value === 'object') {
      type = 9;
      data = Buffer.alloc(12);
    } else if (typeof value === 'string') {
      type = 6;
      const s = Buffer.from(value, 'utf16le');
      data = Buffer.alloc(4 + s.length);
      data.writeUInt32LE(s.length, 0);
      s.copy(data, 4);
    } else if (typeof value === 'boolean') {
      type = 8;
      data = Buffer.alloc(4);
      data.writeUInt32LE(value ? 1 : 0, 0);
    } else {
      type = 4;
      data = Buffer.alloc(8);
      data.writeBigUInt64LE(BigInt(value), 0);
    }
    const size = ENTRY_HEADER + name.length + data.length;
    const e = Buffer.alloc(size);
    e.writeUInt16LE(type, 0);
    e.writeUInt32LE(size, 2);
    e.writeUInt16LE(parentOffset === 0 ? 0 : 1, 6);
    e.writeUInt32LE(parentOffset, 8);
    e.writeUInt8(name.length, 20);
    name.copy(e, ENTRY_HEADER);
    data.copy(e, ENTRY_HEADER + name.length);
    const mine = offset;
    entries.push(e);
    offset += size;
    if (typeof value === 'object') for (const [k, v] of Object.entries(value)) place(k, v, mine);
  };
  for (const [k, v] of Object.entries(tree)) place(k, v, 0);
  const table = Buffer.concat([Buffer.alloc(10), ...entries, Buffer.alloc(ENTRY_HEADER)]);
  table.writeUInt16LE(2, 0);
  table.writeUInt16LE(1, 2);
  table.writeUInt16LE(1, 4);
  const file = Buffer.alloc(tableAt + table.length);
  const logAt = 0x2800;
  for (const [at, seq] of [[0, 2], [0x1000, 1]] as const) {
    file.writeUInt32LE(0x01282014, at);
    file.writeUInt16LE(seq, at + 8);
    file.writeUInt32LE(opts.version ?? 0x400, at + 10);
    file.writeUInt32LE(0x1000, at + 22);
    file.writeBigUInt64LE(BigInt(logAt), at + 26);
    file.writeUInt32LE(46, at + 42);
  }
  file.writeUInt32LE(0x01110003, logAt);
  file.writeUInt32LE(opts.dirtyLog ? 1 : 0, logAt + 8);
  file.writeUInt32LE(0x01110001, 0x2000);
  file.writeUInt32LE(1, 0x2004);
  file.writeUInt8(2, 0x2008);
  file.writeBigUInt64LE(BigInt(tableAt), 0x2008 + 5);
  file.writeUInt32LE(table.length, 0x2008 + 13);
  file.writeUInt8(1, 0x2008 + 17);
  table.copy(file, tableAt);
  return file;
}
