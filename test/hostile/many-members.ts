// Archives of very many empty members, written straight to disk without a packer: a tar (ustar
// headers, with pax `path` records for names too long for ustar) and a zip of stored members.
import { closeSync, openSync, writeSync } from 'node:fs';

const BLOCK = 512;

function octal(buf: Buffer, at: number, width: number, value: number): void {
  buf.write(`${value.toString(8).padStart(width - 1, '0')}\0`, at, width, 'latin1');
}

function ustarHeader(name: string, size: number, typeflag: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  h.write(base.slice(0, 100), 0, 100, 'utf8');
  octal(h, 100, 8, 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, 0);
  h.write(typeflag, 156, 1, 'latin1');
  h.write('ustar\0' + '00', 257, 8, 'latin1');
  h.write(prefix.slice(0, 155), 345, 155, 'utf8');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i]!;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return h;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

/** The header blocks of one empty member called `name` (a pax header first when ustar cannot hold it). */
function tarMember(name: string): Buffer {
  const fitsUstar = Buffer.byteLength(name) <= 100 || (name.lastIndexOf('/', 155) > 0 && Buffer.byteLength(name) - name.lastIndexOf('/', 155) - 1 <= 100);
  if (fitsUstar) return ustarHeader(name, 0, '0');
  const pax = Buffer.from(paxRecord('path', name), 'utf8');
  const padded = Buffer.alloc(Math.ceil(pax.length / BLOCK) * BLOCK);
  pax.copy(padded);
  return Buffer.concat([ustarHeader('PaxHeader', pax.length, 'x'), padded, ustarHeader('long-name', 0, '0')]);
}

/** A tar of `count` empty members named by `nameOf`. */
export function writeManyMemberTar(path: string, count: number, nameOf: (i: number) => string): void {
  const fd = openSync(path, 'w');
  try {
    let batch: Buffer[] = [];
    let batchBytes = 0;
    for (let i = 0; i < count; i++) {
      const m = tarMember(nameOf(i));
      batch.push(m);
      batchBytes += m.length;
      if (batchBytes >= 4 << 20) {
        writeSync(fd, Buffer.concat(batch));
        batch = [];
        batchBytes = 0;
      }
    }
    batch.push(Buffer.alloc(2 * BLOCK));
    writeSync(fd, Buffer.concat(batch));
  } finally {
    closeSync(fd);
  }
}

/** A zip of `count` empty stored members named by `nameOf` (at most 65,535: no zip64). */
export function writeManyMemberZip(path: string, count: number, nameOf: (i: number) => string): void {
  if (count > 0xffff) throw new Error('writeManyMemberZip writes no zip64 records');
  const fd = openSync(path, 'w');
  const central: Buffer[] = [];
  let offset = 0;
  try {
    for (let i = 0; i < count; i++) {
      const name = Buffer.from(nameOf(i), 'utf8');
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(0x0800, 6); // names in UTF-8
      local.writeUInt16LE(name.length, 26);
      writeSync(fd, Buffer.concat([local, name]));
      const entry = Buffer.alloc(46);
      entry.writeUInt32LE(0x02014b50, 0);
      entry.writeUInt16LE(20, 4);
      entry.writeUInt16LE(20, 6);
      entry.writeUInt16LE(0x0800, 8);
      entry.writeUInt16LE(name.length, 28);
      entry.writeUInt32LE(offset, 42);
      central.push(entry, name);
      offset += 30 + name.length;
    }
    const directory = Buffer.concat(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(count, 8);
    end.writeUInt16LE(count, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(offset, 16);
    writeSync(fd, Buffer.concat([directory, end]));
  } finally {
    closeSync(fd);
  }
}
