// What an initramfs holds: the names of its kernel modules (and its modules.builtin list), read
// from the newc cpio archives the kernel unpacks (Documentation/driver-api/early-userspace/
// buffer-format.rst): often an uncompressed early-microcode archive first, then a compressed one.
// Streams through the file: only headers, names and the few small files asked for are kept.
import { Readable } from 'node:stream';
import { decode } from '../../sources/compressed/decoders';
import type { OpenFile } from '../fs/guest-fs';
import { LZ4_LEGACY_MAGIC, lz4Legacy } from './lz4-legacy';
import { Pull } from './pull';
import { isZstdFrame, zstdFrames } from './zstd-frames';
import { notice, type Notice } from '../../notices';

const CHUNK = 1024 * 1024;
const MAX_ENTRIES = 500_000;
const MAX_NAME = 4096;
const MAX_KEPT_FILE = 4 * 1024 * 1024;
/** Decompressed bytes scanned at most: a larger initramfs is reported as read in part. */
const MAX_UNPACKED = 2 * 1024 * 1024 * 1024;
const MAX_SEGMENTS = 16;

export interface InitramfsContents {
  /** Module names (vmw_pvscsi, ahci, …; '-' written '_') of every *.ko, *.ko.xz, *.ko.zst, *.ko.gz. */
  modules: Set<string>;
  /** modules.builtin lines found inside, as module names. */
  builtin: Set<string>;
  /** The layers met, in order: `cpio`, `gzip`, `xz`, `lz4`, … */
  layers: string[];
  /** Set when part of the image could not be read, saying why (damage, a limit). */
  incomplete?: Notice;
}

/** The module name a path names, if it is a kernel module. */
export function moduleName(path: string): string | undefined {
  const m = /(?:^|\/)([^/]+)\.ko(?:\.(?:xz|zst|gz|bz2))?$/.exec(path);
  return m ? m[1]!.replace(/-/g, '_') : undefined;
}

async function* fileChunks(file: OpenFile): AsyncGenerator<Buffer> {
  for (let at = 0; at < file.size; at += CHUNK) yield await file.read(at, Math.min(CHUNK, file.size - at));
}

function hexField(h: Buffer, i: number): number {
  const s = h.toString('latin1', 6 + i * 8, 14 + i * 8);
  if (!/^[0-9a-fA-F]{8}$/.test(s)) return NaN;
  return parseInt(s, 16);
}

class Scan {
  entries = 0;
  constructor(readonly out: InitramfsContents) {}

  /** One newc archive up to its TRAILER!!!; false when the stream ended or broke inside it. */
  async cpio(p: Pull): Promise<boolean> {
    while (true) {
      const h = await p.take(110);
      if (!h) return false;
      const magic = h.toString('latin1', 0, 6);
      if (magic !== '070701' && magic !== '070702') throw new Error(`a cpio header at byte ${p.position - 110} has magic "${magic}"`);
      const mode = hexField(h, 1);
      const size = hexField(h, 6);
      const nameSize = hexField(h, 11);
      if (!Number.isFinite(size) || !Number.isFinite(nameSize) || nameSize < 1 || nameSize > MAX_NAME) throw new Error('a cpio header is damaged');
      const nameBytes = await p.take(nameSize);
      if (!nameBytes) return false;
      const name = nameBytes.toString('utf8', 0, nameSize - 1);
      if (!(await p.skip((4 - ((110 + nameSize) % 4)) % 4))) return false;
      if (name === 'TRAILER!!!') return true;
      if (++this.entries > MAX_ENTRIES) throw new Error(`more than ${MAX_ENTRIES} files`);
      const isFile = (mode & 0xf000) === 0x8000;
      const mod = isFile ? moduleName(name) : undefined;
      if (mod) this.out.modules.add(mod);
      if (isFile && /(^|\/)modules\.builtin$/.test(name) && size <= MAX_KEPT_FILE) {
        const data = await p.take(size);
        if (!data) return false;
        for (const line of data.toString('utf8').split('\n')) {
          const b = moduleName(line.trim());
          if (b) this.out.builtin.add(b);
        }
      } else if (!(await p.skip(size))) return false;
      if (!(await p.skip((4 - (size % 4)) % 4))) return false;
    }
  }

  /** Archives and compressed parts one after another, as the kernel unpacks them. */
  async segments(p: Pull, depth: number): Promise<void> {
    for (let n = 0; n < MAX_SEGMENTS; n++) {
      await p.skipZeros();
      const head = await p.peek(6);
      if (head.length < 4) return;
      const ascii = head.toString('latin1');
      if (ascii.startsWith('07070')) {
        this.out.layers.push('cpio');
        if (!(await this.cpio(p))) return;
        continue;
      }
      if (depth > 1) throw new Error('compressed data nested inside compressed data');
      const kind = compression(head);
      if (kind === 'zstd') {
        // zstd frames end where their blocks say, so whatever follows them is scanned in turn.
        this.out.layers.push('zstd');
        const frames = ended(zstdFrames(p));
        await this.segments(new Pull(limit(frames.chunks)), depth + 1);
        if (!frames.done()) return;
        continue;
      }
      if (!kind) throw new Error(`unknown data at byte ${p.position} (${head.subarray(0, 4).toString('hex')})`);
      this.out.layers.push(kind);
      if (kind === 'lz4') {
        await this.segments(new Pull(limit(lz4Legacy(p.rest()))), depth + 1);
        return; // a compressed part runs to the end of the image
      }
      const stream = decode(kind, Readable.from(p.rest()));
      try {
        await this.segments(new Pull(limit(stream)), depth + 1);
      } finally {
        stream.destroy(); // the scan may stop early; free the decoder (xz runs one at a time)
      }
      return;
    }
  }
}

/** A stream with a flag that says whether it ran to its end (rather than being left part-read). */
function ended(it: AsyncGenerator<Buffer>): { chunks: AsyncGenerator<Buffer>; done: () => boolean } {
  let finished = false;
  async function* chunks(): AsyncGenerator<Buffer> {
    yield* it;
    finished = true;
  }
  return { chunks: chunks(), done: () => finished };
}

async function* limit(it: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of it) {
    total += chunk.length;
    if (total > MAX_UNPACKED) throw new Error(`it unpacks to more than ${MAX_UNPACKED} bytes`);
    yield chunk;
  }
}

function compression(h: Buffer): 'gzip' | 'xz' | 'bzip2' | 'lz4' | 'zstd' | undefined {
  if (h[0] === 0x1f && (h[1] === 0x8b || h[1] === 0x9e)) return 'gzip';
  if (h.toString('latin1', 0, 6) === '\xfd7zXZ\0') return 'xz';
  if (h.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (h.length >= 4 && h.readUInt32LE(0) === LZ4_LEGACY_MAGIC) return 'lz4';
  if (isZstdFrame(h)) return 'zstd'; // a skippable frame first, as pzstd writes, too
  return undefined;
}

/** Scans an initramfs image; never throws: damage ends the scan with `incomplete` saying why. */
export async function readInitramfs(file: OpenFile): Promise<InitramfsContents> {
  const out: InitramfsContents = { modules: new Set(), builtin: new Set(), layers: [] };
  const scan = new Scan(out);
  try {
    await scan.segments(new Pull(fileChunks(file)), 0);
  } catch (err) {
    out.incomplete = notice('initramfs-read-in-part', { error: err instanceof Error ? err.message : String(err) });
  }
  return out;
}
