/**
 * The VHD checksum of a footer or dynamic header: the one's complement of the byte sum with the
 * checksum field itself counted as zero.
 */
export function vhdChecksum(buf: Buffer, checksumOffset: number): number {
  let sum = 0;
  for (let i = 0; i < buf.length; i++) {
    if (i >= checksumOffset && i < checksumOffset + 4) continue;
    sum += buf[i]!;
  }
  return ~sum >>> 0;
}
