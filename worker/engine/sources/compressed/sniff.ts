// Recognises compressed files and archives by their first bytes, never by their name.
import type { CompressionFormat } from '../../../../shared/disk-info';

/** How many leading bytes `sniffContainer` wants to see (a tar header is 512). */
export const SNIFF_BYTES = 512;

/** Formats we recognise but do not unpack, with the tool that does. */
export interface Unsupported {
  name: string;
  tool: string;
}

export type Sniffed = { kind: 'container'; format: CompressionFormat } | { kind: 'unsupported'; what: Unsupported } | undefined;

const BZ_BLOCK = Buffer.from([0x31, 0x41, 0x59, 0x26, 0x53, 0x59]);
const BZ_END = Buffer.from([0x17, 0x72, 0x45, 0x38, 0x50, 0x90]);
const XZ = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

function startsWith(head: Buffer, magic: Buffer | number[], at = 0): boolean {
  if (head.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[at + i] !== magic[i]) return false;
  return true;
}

/** A POSIX/GNU tar header: "ustar" at 257 and a header checksum that adds up. */
export function isTarHeader(head: Buffer): boolean {
  if (head.length < 512 || head.toString('latin1', 257, 262) !== 'ustar') return false;
  const stored = parseInt(head.toString('latin1', 148, 156).replace(/[\0 ]+$/g, '').trim(), 8);
  if (!Number.isFinite(stored)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : head[i]!;
  return sum === stored;
}

/** What the bytes at the start of a file (or of a decompressed stream) are, if a container. */
export function sniffContainer(head: Buffer): Sniffed {
  if (startsWith(head, [0x1f, 0x8b, 0x08])) return { kind: 'container', format: 'gzip' };
  if (head.toString('latin1', 0, 3) === 'BZh' && head[3]! >= 0x31 && head[3]! <= 0x39 && (startsWith(head, BZ_BLOCK, 4) || startsWith(head, BZ_END, 4))) {
    return { kind: 'container', format: 'bzip2' };
  }
  if (startsWith(head, XZ)) return { kind: 'container', format: 'xz' };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return { kind: 'container', format: 'zip' };
  if (isTarHeader(head)) return { kind: 'container', format: 'tar' };
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return { kind: 'unsupported', what: { name: 'zstd-compressed', tool: 'zstd -d' } };
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return { kind: 'unsupported', what: { name: 'a 7-Zip archive', tool: '7-Zip' } };
  if (head.toString('latin1', 0, 4) === 'Rar!') return { kind: 'unsupported', what: { name: 'a RAR archive', tool: 'unrar or 7-Zip' } };
  return undefined;
}
