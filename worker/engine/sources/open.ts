import { extname } from 'node:path';
import type { CompressionFormat } from '../../../shared/disk-info';
import type { VhdSizeRule } from '../../../shared/options';
import { FerryError } from '../errors';
import { ReadOnlyFile } from '../io/read-only-file';
import { sniffContainer } from './compressed/sniff';
import type { UnpackOptions } from './compressed/unpack';
import { foreignFormat } from './foreign-formats';
import { openRaw, rawEvidence } from './raw/raw';
import type { DiskSource } from './source';
import { hasVhdCookie } from '../formats/vhd/footer';
import { openVhd } from './vhd/vhd';
import { openVhdx } from './vhdx/vhdx';
import { openVmdkChain } from './vmdk/delta-chain';
import { notice } from '../notices';

export interface OpenOptions {
  vhdSizeRule?: VhdSizeRule;
  /** Where a compressed source is unpacked, with progress and cancel (default: the system's temporary folder). */
  unpack?: UnpackOptions;
  /** The name a signature-less file is judged by when `path` is an unpacked copy (set by the unpacker). */
  nameHint?: string;
  /** Set when `path` was unpacked from an archive: the only files its descriptor may use as extents. */
  unpackedFiles?: string[];
}

/** Names of formats that carry a signature: such a file without one has lost it. */
const SIGNED_EXTENSIONS = ['.vhd', '.avhd', '.vhdx', '.avhdx', '.vmdk'];

export type DetectedFormat = 'vhd' | 'vhdx' | 'vmdk' | 'unknown';

/** Recognises a disk by its content, never by its name. */
export async function detectFormat(path: string): Promise<DetectedFormat> {
  const file = await ReadOnlyFile.open(path);
  try {
    if (file.size === 0) throw new FerryError('E_NOT_A_DISK', `${path}: the file is empty.`);
    const head = await file.readExact(0, Math.min(file.size, 512), 'first sector');
    const magic = head.toString('latin1', 0, 8);
    if (magic === 'vhdxfile') return 'vhdx';
    if (magic === 'conectix') return 'vhd';
    if (head.length >= 4 && head.readUInt32LE(0) === 0x564d444b) return 'vmdk';
    if (/^\s*#\s*Disk\s*Descriptor\s*File/i.test(head.toString('latin1', 0, 64))) return 'vmdk';
    if (file.size >= 511) {
      const tail = await file.readExact(file.size - Math.min(512, file.size), Math.min(512, file.size), 'last sector');
      if (hasVhdCookie(tail) || hasVhdCookie(tail, tail.length - 511)) return 'vhd';
    }
    return 'unknown';
  } finally {
    await file.close();
  }
}

export async function openSource(path: string, opts: OpenOptions = {}): Promise<DiskSource> {
  const format = await detectFormat(path);
  switch (format) {
    case 'vhd':
      return openVhd(path, opts.vhdSizeRule ? { sizeRule: opts.vhdSizeRule } : {});
    case 'vmdk':
      return openVmdkChain(path, opts.unpackedFiles ? { kind: 'archive', files: opts.unpackedFiles } : { kind: 'folder' });
    case 'vhdx':
      return openVhdx(path);
    case 'unknown':
      return openSignatureless(path, opts);
  }
}

async function readHead(path: string): Promise<Buffer> {
  const file = await ReadOnlyFile.open(path);
  try {
    return await file.readExact(0, Math.min(file.size, 1024), 'first sectors');
  } finally {
    await file.close();
  }
}

/** The compression or archive format `openSource` would unpack `path` from, if any (nothing is unpacked). */
export async function compressionOf(path: string): Promise<CompressionFormat | undefined> {
  if ((await detectFormat(path)) !== 'unknown') return undefined;
  const sniffed = sniffContainer(await readHead(path));
  return sniffed?.kind === 'container' ? sniffed.format : undefined;
}

/** No disk signature: a compressed file or archive (by content), a raw image (by name or partition table), or not a disk. */
async function openSignatureless(path: string, opts: OpenOptions): Promise<DiskSource> {
  const head = await readHead(path);
  const sniffed = sniffContainer(head);
  if (sniffed?.kind === 'container') {
    const rule = opts.vhdSizeRule ? { vhdSizeRule: opts.vhdSizeRule } : {};
    // The decoders are loaded only when a compressed file comes along: most runs never need them.
    const { openCompressed } = await import('./compressed/compressed-source');
    return openCompressed(path, sniffed.format, opts.unpack ?? {}, (unpacked, nameHint) => openSource(unpacked, { ...rule, nameHint, unpackedFiles: [unpacked] }));
  }
  if (sniffed?.kind === 'unsupported') {
    throw new FerryError('E_UNSUPPORTED', `${path}: the file is ${sniffed.what.name}, which Ferry cannot unpack.`, `Unpack it with ${sniffed.what.tool} first, then open the disk inside.`);
  }
  const foreign = foreignFormat(head);
  if (foreign) throw new FerryError('E_UNSUPPORTED', `${path}: the file is ${foreign.name}, not a disk Ferry reads.`, foreign.hint);
  const evidence = rawEvidence(head, opts.nameHint ?? path);
  if (evidence) {
    const source = await openRaw(path);
    const ext = extname(opts.nameHint ?? path).toLowerCase();
    if (evidence === 'name' && ext === '.bin') {
      source.info.warnings.push(notice('raw-by-bin-name'));
    }
    if (SIGNED_EXTENSIONS.includes(ext)) {
      source.info.warnings.push(notice('raw-no-signature', { ext, format: ext.slice(1).toUpperCase(), size: source.size }));
    }
    return source;
  }
  throw new FerryError(
    'E_NOT_A_DISK',
    `${path}: not a recognised disk image (no VHD footer, VHDX or VMDK signature, no partition table, not compressed).`,
    'Ferry reads VHD, VHDX and VMDK disks, raw images (.img, .raw, .dd, or any with a partition table), and these compressed with gzip, bzip2, xz, zip or tar; is this the right file?',
  );
}
