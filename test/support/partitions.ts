// Test-only partition table writers (MBR with an extended chain, GPT with both copies), as
// pieces to place at the start of a test disk.
import { SECTOR, type Piece } from './vhd-writer';

export interface MbrPartition {
  type: number;
  startLba: number;
  sectors: number;
  bootable?: boolean;
}

function mbrEntry(b: Buffer, slot: number, p: MbrPartition): void {
  const at = 446 + slot * 16;
  b[at] = p.bootable ? 0x80 : 0;
  b.writeUInt8(0xfe, at + 1); // CHS fields: "use LBA" values
  b.writeUInt16LE(0xffff, at + 2);
  b[at + 4] = p.type;
  b.writeUInt8(0xfe, at + 5);
  b.writeUInt16LE(0xffff, at + 6);
  b.writeUInt32LE(p.startLba, at + 8);
  b.writeUInt32LE(p.sectors, at + 12);
}

function bootSector(entries: MbrPartition[], signature?: number): Buffer {
  const b = Buffer.alloc(SECTOR);
  if (signature !== undefined) b.writeUInt32LE(signature, 440);
  entries.forEach((p, i) => mbrEntry(b, i, p));
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

/**
 * An MBR with up to four primaries; `logical` partitions go in an extended partition (type
 * 0x05) placed at `extendedStart`, each behind its own EBR, starts relative to their EBR.
 */
export function mbrPieces(o: { signature: number; primaries: MbrPartition[]; extended?: { startLba: number; sectors: number; logical: Array<{ type: number; offset: number; sectors: number }> } }): Piece[] {
  const primaries = [...o.primaries];
  const pieces: Piece[] = [];
  if (o.extended) {
    const ext = o.extended;
    primaries.push({ type: 0x05, startLba: ext.startLba, sectors: ext.sectors });
    let ebrLba = ext.startLba;
    ext.logical.forEach((l, i) => {
      const next = ext.logical[i + 1];
      const entries: MbrPartition[] = [{ type: l.type, startLba: l.offset, sectors: l.sectors }];
      const thisEnd = ebrLba + l.offset + l.sectors;
      if (next) entries.push({ type: 0x05, startLba: thisEnd - ext.startLba, sectors: next.offset + next.sectors });
      pieces.push({ offset: ebrLba * SECTOR, data: bootSector(entries) });
      ebrLba = thisEnd;
    });
  }
  if (primaries.length > 4) throw new Error('at most four primary entries');
  pieces.unshift({ offset: 0, data: bootSector(primaries, o.signature) });
  return pieces;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const byte of b) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** "c12a7328-f81f-11d2-ba4b-00a0c93ec93b" → its 16 mixed-endian bytes. */
export function guidBytes(text: string): Buffer {
  const h = text.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

export interface GptPartition {
  typeGuid: string;
  uniqueGuid: string;
  firstLba: number;
  lastLba: number;
  name: string;
}

/** A protective MBR, primary GPT header and entries, and the backup copies at the end. */
export function gptPieces(diskBytes: number, o: { diskGuid: string; partitions: GptPartition[] }): Piece[] {
  const lastLba = diskBytes / SECTOR - 1;
  const entryCount = 128;
  const entries = Buffer.alloc(entryCount * 128);
  o.partitions.forEach((p, i) => {
    const e = entries.subarray(i * 128, (i + 1) * 128);
    guidBytes(p.typeGuid).copy(e, 0);
    guidBytes(p.uniqueGuid).copy(e, 16);
    e.writeBigUInt64LE(BigInt(p.firstLba), 32);
    e.writeBigUInt64LE(BigInt(p.lastLba), 40);
    Buffer.from(p.name, 'utf16le').copy(e, 56, 0, 72);
  });
  const entriesCrc = crc32(entries);
  const header = (current: number, backup: number, entriesLba: number): Buffer => {
    const h = Buffer.alloc(SECTOR);
    h.write('EFI PART', 0, 'latin1');
    h.writeUInt32LE(0x00010000, 8);
    h.writeUInt32LE(92, 12);
    h.writeBigUInt64LE(BigInt(current), 24);
    h.writeBigUInt64LE(BigInt(backup), 32);
    h.writeBigUInt64LE(34n, 40);
    h.writeBigUInt64LE(BigInt(lastLba - 33), 48);
    guidBytes(o.diskGuid).copy(h, 56);
    h.writeBigUInt64LE(BigInt(entriesLba), 72);
    h.writeUInt32LE(entryCount, 80);
    h.writeUInt32LE(128, 84);
    h.writeUInt32LE(entriesCrc, 88);
    h.writeUInt32LE(crc32(h.subarray(0, 92)), 16);
    return h;
  };
  const protective = bootSector([{ type: 0xee, startLba: 1, sectors: Math.min(lastLba, 0xffffffff) }]);
  return [
    { offset: 0, data: protective },
    { offset: SECTOR, data: header(1, lastLba, 2) },
    { offset: 2 * SECTOR, data: entries },
    { offset: (lastLba - 32) * SECTOR, data: entries },
    { offset: lastLba * SECTOR, data: header(lastLba, 1, lastLba - 32) },
  ];
}
