// A test-only writer of the smallest registry hive hivex accepts: a base block and one hive bin
// holding the root key and its security cell. Keys and values are then added with hivex's own
// `hivexregedit --merge`, so the hives the tests read are written by a tool no one here wrote.
import { writeFileSync } from 'node:fs';
import { run } from './helpers';

function cell(data: Buffer): Buffer {
  const size = Math.ceil((data.length + 4) / 8) * 8;
  const b = Buffer.alloc(size);
  b.writeInt32LE(-size, 0);
  data.copy(b, 4);
  return b;
}

export function minimalHive(rootName = 'ROOT'): Buffer {
  const bin = Buffer.alloc(4096);
  bin.write('hbin', 0, 'latin1');
  bin.writeUInt32LE(0, 4);
  bin.writeUInt32LE(4096, 8);
  const nkOffset = 32;
  const name = Buffer.from(rootName, 'latin1');
  const nk = Buffer.alloc(76 + name.length);
  nk.write('nk', 0, 'latin1');
  nk.writeUInt16LE(0x2c, 2); // hive entry, no delete, ASCII name
  nk.writeUInt32LE(0xffffffff, 16);
  nk.writeUInt32LE(0xffffffff, 28);
  nk.writeUInt32LE(0xffffffff, 32);
  nk.writeUInt32LE(0xffffffff, 40);
  nk.writeUInt32LE(0xffffffff, 48);
  nk.writeUInt16LE(name.length, 72);
  name.copy(nk, 76);
  const nkCell = cell(nk);
  const skOffset = nkOffset + nkCell.length;
  nk.writeUInt32LE(skOffset, 44);
  const nkFinal = cell(nk);
  const descriptor = Buffer.from([1, 0, 0x04, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const sk = Buffer.alloc(20 + descriptor.length);
  sk.write('sk', 0, 'latin1');
  sk.writeUInt32LE(skOffset, 4);
  sk.writeUInt32LE(skOffset, 8);
  sk.writeUInt32LE(1, 12);
  sk.writeUInt32LE(descriptor.length, 16);
  descriptor.copy(sk, 20);
  const skCell = cell(sk);
  nkFinal.copy(bin, nkOffset);
  skCell.copy(bin, skOffset);
  const free = skOffset + skCell.length;
  bin.writeInt32LE(4096 - free, free);
  const base = Buffer.alloc(4096);
  base.write('regf', 0, 'latin1');
  base.writeUInt32LE(1, 4);
  base.writeUInt32LE(1, 8);
  base.writeUInt32LE(1, 20);
  base.writeUInt32LE(5, 24);
  base.writeUInt32LE(0, 28);
  base.writeUInt32LE(1, 32);
  base.writeUInt32LE(nkOffset, 36);
  base.writeUInt32LE(4096, 40);
  base.writeUInt32LE(1, 44);
  let sum = 0;
  for (let i = 0; i < 508; i += 4) sum ^= base.readUInt32LE(i);
  base.writeUInt32LE(sum >>> 0, 508);
  return Buffer.concat([base, bin]);
}

/** Writes a hive at `path` holding what the .reg text says (keys relative to `prefix`). */
export function makeHive(path: string, prefix: string, reg: string): void {
  writeFileSync(path, minimalHive());
  const regPath = `${path}.reg`;
  // hivexregedit creates a key only under an existing parent: name every ancestor first.
  const seen = new Set<string>();
  const text = reg.replace(/^\[([^\]]+)\]$/gm, (_, key: string) => {
    const parts = key.split('\\');
    const lines: string[] = [];
    for (let i = prefix.split('\\').length + 1; i <= parts.length; i++) {
      const k = parts.slice(0, i).join('\\');
      if (seen.has(k.toUpperCase())) continue;
      seen.add(k.toUpperCase());
      lines.push(`[${k}]`);
    }
    return lines.join('\n\n');
  });
  writeFileSync(regPath, `Windows Registry Editor Version 5.00\n\n${text}\n`);
  run('hivexregedit', ['--merge', '--prefix', prefix, path, regPath]);
}

/**
 * A hive whose root key holds one REG_BINARY value `name` stored as big data ("db": a segment
 * list of 16344-byte cells), the layout Windows uses for values over 16 KiB; hivex reads it back.
 */
export function bigDataHive(name: string, value: Buffer): Buffer {
  const cells: Buffer[] = [];
  let at = 32;
  const add = (data: Buffer): number => {
    const c = cell(data);
    const offset = at;
    cells.push(c);
    at += c.length;
    return offset;
  };
  const SEG = 16344;
  const segOffsets: number[] = [];
  for (let i = 0; i < value.length; i += SEG) segOffsets.push(add(value.subarray(i, i + SEG)));
  const list = Buffer.alloc(segOffsets.length * 4);
  segOffsets.forEach((o, i) => list.writeUInt32LE(o, i * 4));
  const listOffset = add(list);
  const db = Buffer.alloc(8);
  db.write('db', 0, 'latin1');
  db.writeUInt16LE(segOffsets.length, 2);
  db.writeUInt32LE(listOffset, 4);
  const dbOffset = add(db);
  const vName = Buffer.from(name, 'latin1');
  const vk = Buffer.alloc(20 + vName.length);
  vk.write('vk', 0, 'latin1');
  vk.writeUInt16LE(vName.length, 2);
  vk.writeUInt32LE(value.length, 4);
  vk.writeUInt32LE(dbOffset, 8);
  vk.writeUInt32LE(3, 12);
  vk.writeUInt16LE(1, 16);
  vName.copy(vk, 20);
  const vkOffset = add(vk);
  const vlist = Buffer.alloc(4);
  vlist.writeUInt32LE(vkOffset, 0);
  const vlistOffset = add(vlist);
  const small = minimalHive();
  // Reuse the minimal hive's root and security cells, re-pointed at the new value list.
  const rootCell = Buffer.from(small.subarray(4096 + 32, 4096 + 32 + (-small.readInt32LE(4096 + 32))));
  const skAt = 4096 + 32 + rootCell.length;
  const skCell = Buffer.from(small.subarray(skAt, skAt - small.readInt32LE(skAt)));
  const rootOffset = at;
  const skOffset = rootOffset + rootCell.length;
  rootCell.writeUInt32LE(1, 4 + 36);
  rootCell.writeUInt32LE(vlistOffset, 4 + 40);
  rootCell.writeUInt32LE(skOffset, 4 + 44);
  skCell.writeUInt32LE(skOffset, 4 + 4);
  skCell.writeUInt32LE(skOffset, 4 + 8);
  cells.push(rootCell, skCell);
  at += rootCell.length + skCell.length;
  const binSize = Math.ceil((at + 8) / 4096) * 4096;
  const bin = Buffer.alloc(binSize);
  bin.write('hbin', 0, 'latin1');
  bin.writeUInt32LE(binSize, 8);
  Buffer.concat(cells).copy(bin, 32);
  bin.writeInt32LE(binSize - at, at);
  const base = Buffer.from(small.subarray(0, 4096));
  base.writeUInt32LE(rootOffset, 36);
  base.writeUInt32LE(binSize, 40);
  let sum = 0;
  for (let i = 0; i < 508; i += 4) sum ^= base.readUInt32LE(i);
  base.writeUInt32LE(sum >>> 0, 508);
  return Buffer.concat([base, bin]);
}
