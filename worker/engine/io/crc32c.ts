// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF.
// Node 20's zlib only offers the IEEE CRC-32, so this is table-driven here (slicing by 4).

const POLY = 0x82f63b78;

const TABLES: Uint32Array[] = (() => {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[n] = c >>> 0;
  }
  const tables = [t0];
  for (let s = 1; s < 4; s++) {
    const prev = tables[s - 1]!;
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) t[n] = ((prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!) >>> 0;
    tables.push(t);
  }
  return tables;
})();

/**
 * Continues a CRC-32C over `data`. Start with `crc32c(data)`; to checksum several pieces in order,
 * pass the previous result as `previous`.
 */
export function crc32c(data: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let crc = ~previous >>> 0;
  let i = 0;
  const n = data.length;
  for (; i + 4 <= n; i += 4) {
    crc ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    crc = t3[crc & 0xff]! ^ t2[(crc >>> 8) & 0xff]! ^ t1[(crc >>> 16) & 0xff]! ^ t0[crc >>> 24]!;
  }
  for (; i < n; i++) crc = t0[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/**
 * The CRC-32C of a structure whose own 4-byte checksum field (at `fieldOffset`) counts as zero,
 * as VHDX headers, region tables and log entries are checksummed. `data` is left unchanged.
 */
export function crc32cWithZeroedField(data: Uint8Array, fieldOffset: number): number {
  const zero = new Uint8Array(4);
  let crc = crc32c(data.subarray(0, fieldOffset));
  crc = crc32c(zero, crc);
  return crc32c(data.subarray(fieldOffset + 4), crc);
}
