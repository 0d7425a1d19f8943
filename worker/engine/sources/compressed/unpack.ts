// Unpacks a compressed download into a scratch folder so the disk inside can be read with
// random access. Containers are recognised by content at every level (a .tar.gz is gzip, then
// tar), up to a fixed depth. zip and tar archives must hold exactly one disk-like member.
import { rmSync } from 'node:fs';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { crc32, createInflateRaw } from 'node:zlib';
import * as tar from 'tar-stream';
import * as yauzl from 'yauzl';
import type { CompressionFormat } from '../../../../shared/disk-info';
import { LIMITS, fitText } from '../../../../shared/limits';
import { FerryError, cancelled, corrupt } from '../../errors';
import { Staging } from '../../output/staging';
import { sparseFileSink } from '../../io/sparse-sink';
import { ProgressMeter, type ProgressListener } from '../../progress';
import { DecodeError } from './decode-error';
import { counter, drain, peek } from './streams';
import { chain, decode, xzDecodeError } from './decoders';
import { takeKeptCopy, type KeptCopy } from './kept-copy';
import { stripCompressionSuffix } from '../../../../shared/source-names';
import { NameSample, isDiskLikeName, isIgnoredMember, scratchFileName, shortName } from './members';
import { SNIFF_BYTES, sniffContainer } from './sniff';
import { SpaceGuard } from './space-guard';
import { expandSparse, sparseLayout, type SparseLayout } from './sparse-tar';
import { statedMinimumSize } from './stated-size';

/** Containers inside containers we follow (a .tar.gz inside a .zip is three). */
const MAX_LAYERS = 4;
const IO_CHUNK = 1024 * 1024;
/** Unpacked data is readable by its owner only until it is complete and given the archive's own permissions. */
const OWNER_ONLY = 0o600;

export interface UnpackOptions {
  /** Folder in which the hidden scratch folder is made (default: the system's temporary folder). */
  dir?: string | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
  /** Runs once the file is known to be compressed, before any unpacking (e.g. to refuse a taken output name early). */
  beforeUnpack?: (() => Promise<void>) | undefined;
  /**
   * Keep the unpacked copy instead of removing it when the source closes, and describe it to
   * this callback (also when an offered copy was reused). The caller then owns it: it lies in a
   * hidden folder inside `dir`, which the caller removes.
   */
  keep?: ((copy: KeptCopy) => void) | undefined;
}

export interface Unpacked {
  /** The disk file, inside the scratch folder. */
  file: string;
  /** What to judge the disk's kind by: the member's name, or the archive's name without its suffix. */
  nameHint: string;
  layers: CompressionFormat[];
  member?: string;
  size: number;
  /** Removes the scratch folder and everything in it. */
  discard(): Promise<void>;
}

// Scratch folders still on disk, removed synchronously should the process exit first (a second
// Ctrl-C, an uncaught error); a normal run removes each one itself.
const live = new Set<string>();
let exitHookInstalled = false;
function track(dir: string): void {
  live.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of live) rmSync(d, { recursive: true, force: true });
  });
}

/** Plain data about a failure inside a decoder or archive reader, as E_CORRUPT for `archive`. */
function asCorrupt(archive: string, what: string, thrown: unknown): unknown {
  if (thrown instanceof FerryError) return thrown;
  const err = xzDecodeError(thrown) ?? thrown;
  if (err instanceof DecodeError) return corrupt(archive, `${what}: ${err.message}.`, 'Download the file again (or check it against its published checksum), then retry.');
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) {
    return corrupt(archive, `${what}: the compressed data is damaged or incomplete (${e.message}).`, 'Download the file again (or check it against its published checksum), then retry.');
  }
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return err; // a system error: space, permissions, I/O
  if (e?.name === 'AbortError') return cancelled();
  const message = err instanceof Error ? err.message : String(err);
  return corrupt(archive, `${what}: ${message.replace(/\.$/, '')}.`, 'Download the file again (or check it against its published checksum), then retry.');
}

class Unpacker {
  readonly layers: CompressionFormat[] = [];
  member: string | undefined;
  result: { file: string; nameHint: string; size: number } | undefined;
  private meter: ProgressMeter | undefined;
  private readBytes = 0;
  private readonly space: SpaceGuard;

  /** `folder` is where the scratch folder was made, as the user knows it. */
  constructor(
    private readonly archive: string,
    private readonly scratch: Staging,
    folder: string,
    private readonly opts: UnpackOptions,
  ) {
    this.space = new SpaceGuard(folder, scratch.dir, basename(archive));
  }

  private get label(): string {
    return basename(this.archive);
  }

  private checkCancel(): void {
    if (this.opts.signal?.aborted) throw cancelled();
  }

  /** Starts the "decompressing" phase over `total` compressed bytes. */
  private startMeter(total: number): void {
    if (this.meter) return;
    this.meter = new ProgressMeter('decompressing', total, this.opts.onProgress);
  }

  private countRead(n: number): void {
    this.readBytes += n;
    this.meter?.update(this.readBytes);
  }

  finish(): void {
    this.meter?.finish();
  }

  /** The outermost file: zip needs its central directory (random access); the rest stream. */
  async fromFile(path: string, format: CompressionFormat): Promise<void> {
    if (format === 'zip') return this.fromZip(path, this.label, 0);
    const size = (await stat(path)).size;
    this.startMeter(size);
    const stated = await statedMinimumSize(path, format).catch(() => undefined);
    await this.space.expect(Math.max(stated ?? 0, format === 'tar' ? 0 : size));
    const src = createReadStream(path, { highWaterMark: IO_CHUNK });
    const stopOnAbort = () => src.destroy(cancelled());
    this.opts.signal?.addEventListener('abort', stopOnAbort, { once: true });
    try {
      await this.fromStream(chain(src, counter((n) => this.countRead(n))), format, this.label, 0, undefined);
    } finally {
      this.opts.signal?.removeEventListener('abort', stopOnAbort);
    }
  }

  /** A stream whose kind is `format`, or (undefined) to be sniffed: a container or the disk itself. */
  private async fromStream(stream: Readable, format: CompressionFormat | undefined, nameHint: string, depth: number, size: number | undefined): Promise<void> {
    this.checkCancel();
    let kind = format;
    if (kind === undefined) {
      const peeked = await peek(stream, SNIFF_BYTES);
      stream = peeked.stream;
      const sniffed = sniffContainer(peeked.head);
      if (sniffed?.kind === 'unsupported') {
        stream.destroy();
        throw new FerryError('E_UNSUPPORTED', `${this.archive}: ${nameHint === this.label ? 'the file' : `"${shortName(nameHint)}"`} is ${sniffed.what.name}, which Ferry cannot unpack.`, `Unpack it with ${sniffed.what.tool} first, then open the disk inside.`);
      }
      if (!sniffed) return this.writeDisk(stream, nameHint, size);
      kind = sniffed.format;
    }
    if (depth >= MAX_LAYERS) {
      stream.destroy();
      throw new FerryError('E_UNSUPPORTED', `${this.archive}: more than ${MAX_LAYERS} layers of compression and archives.`, 'Unpack it by hand first, then open the disk inside.');
    }
    if (kind === 'xz' && this.layers.includes('xz')) {
      // xz-decompress runs one xz stream at a time per process; an .xz inside an .xz would wait for itself.
      stream.destroy();
      throw new FerryError('E_UNSUPPORTED', `${this.archive}: an xz file inside an xz file.`, 'Unpack the outer layer by hand first, then open what is inside.');
    }
    this.layers.push(kind);
    switch (kind) {
      case 'gzip':
      case 'bzip2':
      case 'xz': {
        const what = `${kind} data${nameHint === this.label ? '' : ` of "${shortName(nameHint)}"`}`;
        try {
          const decoded = decode(kind, stream);
          await this.fromStream(decoded, undefined, stripCompressionSuffix(nameHint), depth + 1, undefined);
        } catch (err) {
          throw asCorrupt(this.archive, what, err);
        }
        return;
      }
      case 'tar':
        return this.fromTar(stream, depth);
      case 'zip': {
        // A zip needs random access: put it in the scratch folder first.
        const inner = join(this.scratch.dir, `inner-${depth}.zip`);
        await pipelineAsync(stream, this.space.stream(), createWriteStream(inner, { flags: 'wx', mode: OWNER_ONLY }));
        try {
          await this.fromZip(inner, nameHint, depth);
        } finally {
          await rm(inner, { force: true });
        }
        return;
      }
    }
  }

  /** The disk itself: written to the scratch folder under its own name. */
  private async writeDisk(stream: Readable, nameHint: string, size: number | undefined): Promise<void> {
    if (this.result) {
      stream.destroy();
      throw new FerryError('E_INTERNAL', 'Internal error: two disks unpacked from one archive.');
    }
    if (size !== undefined) await this.space.expect(size);
    const file = join(this.scratch.dir, scratchFileName(nameHint));
    let written = 0;
    await pipelineAsync(stream, counter((n) => (written += n)), this.space.stream(), sparseFileSink(file, OWNER_ONLY), ...(this.opts.signal ? [{ signal: this.opts.signal }] : []));
    this.result = { file, nameHint, size: written };
  }

  /** A sparse tar member: its segments written at their offsets, the holes left as holes. */
  private async writeSparseDisk(entry: AsyncIterable<Buffer>, layout: SparseLayout, storedBytes: number): Promise<void> {
    if (this.result) throw new FerryError('E_INTERNAL', 'Internal error: two disks unpacked from one archive.');
    await this.space.expect(storedBytes);
    const file = join(this.scratch.dir, scratchFileName(layout.name));
    const out = await open(file, 'wx', OWNER_ONLY);
    try {
      const size = await expandSparse(this.archive, layout, this.space.pace(entry), out, this.opts.signal);
      this.result = { file, nameHint: layout.name, size };
    } finally {
      await out.close();
    }
  }

  private async fromTar(stream: Readable, depth: number): Promise<void> {
    const disks = new NameSample();
    const others = new NameSample();
    const extract = tar.extract();
    const feeding = pipelineAsync(stream, extract).catch((err: unknown) => {
      extract.destroy(err as Error);
    });
    try {
      for await (const entry of extract) {
        this.checkCancel();
        const { size } = entry.header;
        // tar-stream types these narrowly: an entry type it does not know is null, pax records are strings.
        const type = entry.header.type as string | null;
        const pax = (entry.header.pax ?? undefined) as Record<string, string> | undefined;
        // A sparse member is named ./GNUSparseFile.<pid>/<name>; its pax header keeps the real name.
        const name = pax?.['GNU.sparse.name'] ?? entry.header.name;
        const plain = type === 'file' || type === 'contiguous-file';
        if ((plain || type === null) && isDiskLikeName(name)) {
          const sparse = sparseLayout(this.archive, { name, type, pax });
          disks.add(name);
          if (disks.count === 1) {
            this.member = name;
            if (sparse) await this.writeSparseDisk(entry as AsyncIterable<Buffer>, sparse, size ?? 0);
            else await this.fromStream(Readable.from(entry, { objectMode: false, highWaterMark: IO_CHUNK }), undefined, name, depth + 1, size ?? undefined);
            continue;
          }
        } else if (plain) {
          if (!isIgnoredMember(name)) others.add(name);
        }
        await drain(entry);
      }
      await feeding;
    } catch (err) {
      stream.destroy();
      throw asCorrupt(this.archive, 'tar archive', err);
    }
    this.checkCancel();
    if (disks.count === 0) {
      throw new FerryError(
        'E_NOT_A_DISK',
        `${this.archive}: the tar archive holds no disk image${others.count ? ` (it has ${others})` : ' (it is empty)'}.`,
        'Ferry looks for members named .vhd, .vhdx, .vmdk, .img, .raw, .bin or .dd (possibly compressed).',
      );
    }
    if (disks.count > 1) throw this.severalDisks('tar archive', disks);
  }

  private severalDisks(what: string, disks: NameSample): FerryError {
    return new FerryError('E_UNSUPPORTED', `${this.archive}: the ${what} holds ${disks.count} disk images (${disks}); Ferry converts one disk at a time.`, 'Unpack the archive and open the disk you want.');
  }

  private async fromZip(path: string, nameHint: string, depth: number): Promise<void> {
    if (depth >= MAX_LAYERS) throw new FerryError('E_UNSUPPORTED', `${this.archive}: more than ${MAX_LAYERS} layers of compression and archives.`, 'Unpack it by hand first, then open the disk inside.');
    this.layers.push('zip');
    let zip: yauzl.ZipFile;
    try {
      zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true });
    } catch (err) {
      throw asCorrupt(this.archive, `zip archive${nameHint === this.label ? '' : ` "${shortName(nameHint)}"`}`, err);
    }
    try {
      // Only counts, a few names and the first entry of each kind are kept, however many the zip lists.
      const files = new NameSample();
      const disks = new NameSample();
      let firstFile: yauzl.Entry | undefined;
      let firstDisk: yauzl.Entry | undefined;
      for await (const entry of zip.eachEntry()) {
        this.checkCancel();
        if (entry.fileName.endsWith('/') || isIgnoredMember(entry.fileName)) continue;
        files.add(entry.fileName);
        firstFile ??= entry;
        if (!isDiskLikeName(entry.fileName)) continue;
        disks.add(entry.fileName);
        firstDisk ??= entry;
      }
      // A zip of one file is a disk download whatever the file is called.
      const entry = firstDisk ?? (files.count === 1 ? firstFile : undefined);
      if (!entry) {
        throw new FerryError(
          'E_NOT_A_DISK',
          `${this.archive}: the zip archive holds no disk image${files.count ? ` (it has ${files})` : ' (it is empty)'}.`,
          'Ferry looks for members named .vhd, .vhdx, .vmdk, .img, .raw, .bin or .dd (possibly compressed).',
        );
      }
      if (disks.count > 1) throw this.severalDisks('zip archive', disks);
      this.member = entry.fileName;
      await this.fromZipEntry(zip, entry, depth);
    } catch (err) {
      throw asCorrupt(this.archive, 'zip archive', err);
    } finally {
      zip.close();
    }
  }

  private async fromZipEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, depth: number): Promise<void> {
    if (entry.generalPurposeBitFlag & 0x1) {
      throw new FerryError('E_UNSUPPORTED', `${this.archive}: "${shortName(entry.fileName)}" is encrypted.`, 'Unpack it with the password in a zip tool first, then open the disk.');
    }
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      throw new FerryError('E_UNSUPPORTED', `${this.archive}: "${shortName(entry.fileName)}" uses zip compression method ${entry.compressionMethod}; Ferry reads stored and deflated members.`, 'Unpack it with a zip tool first, then open the disk.');
    }
    this.startMeter(entry.compressedSize);
    const raw = await zip.openReadStreamPromise(entry, { decodeFileData: false });
    const stopOnAbort = () => raw.destroy(cancelled());
    this.opts.signal?.addEventListener('abort', stopOnAbort, { once: true });
    // yauzl checks sizes but not the CRC-32; check it here so a damaged member is caught.
    let crc = 0;
    let length = 0;
    const checkCrc = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        crc = crc32(chunk, crc);
        length += chunk.length;
        cb(null, chunk);
      },
      flush: (cb) => {
        if (length === entry.uncompressedSize && crc >>> 0 !== entry.crc32 >>> 0) cb(new DecodeError(`"${shortName(entry.fileName)}" fails its CRC-32 check; the data is damaged`));
        else cb();
      },
    });
    const steps: Transform[] = [counter((n) => this.countRead(n))];
    if (entry.compressionMethod === 8) steps.push(createInflateRaw({ chunkSize: IO_CHUNK }));
    steps.push(checkCrc);
    try {
      await this.fromStream(chain(raw, ...steps), undefined, entry.fileName, depth + 1, entry.uncompressedSize);
    } finally {
      this.opts.signal?.removeEventListener('abort', stopOnAbort);
    }
  }
}

/**
 * Unpacks `path` (already recognised as `format`) until a disk image appears, into a hidden
 * scratch folder in `opts.dir`. On any failure or cancel the scratch folder is removed.
 */
export async function unpack(path: string, format: CompressionFormat, opts: UnpackOptions = {}): Promise<Unpacked> {
  await opts.beforeUnpack?.();
  const reused = await takeKeptCopy(path);
  if (reused) {
    opts.keep?.(reused);
    const { archive: _a, archiveSize: _s, archiveMtimeMs: _m, ...described } = reused;
    return { ...described, discard: async () => undefined }; // its keeper removes it
  }
  const archive = await stat(path);
  const folder = opts.dir ?? tmpdir();
  const scratch = await Staging.create(folder, basename(path));
  track(scratch.dir);
  const discard = async (): Promise<void> => {
    await scratch.discard();
    live.delete(scratch.dir);
  };
  try {
    const u = new Unpacker(path, scratch, folder, opts);
    await u.fromFile(path, format);
    if (opts.signal?.aborted) throw cancelled();
    if (!u.result) throw new FerryError('E_NOT_A_DISK', `${path}: no disk image was found inside.`);
    u.finish();
    // The copy keeps the download's permissions (a private 0600 download stays private).
    await chmod(u.result.file, archive.mode & 0o666);
    // Member names (pax and GNU long names are unbounded) keep their end, where the extension is.
    const nameHint = fitText(u.result.nameHint, LIMITS.member, 'tail');
    const unpacked = { ...u.result, nameHint, layers: u.layers, ...(u.member !== undefined ? { member: fitText(u.member, LIMITS.member, 'tail') } : {}) };
    if (!opts.keep) return { ...unpacked, discard };
    live.delete(scratch.dir); // no longer ours to remove, even at exit
    opts.keep({ archive: path, archiveSize: archive.size, archiveMtimeMs: archive.mtimeMs, ...unpacked });
    return { ...unpacked, discard: async () => undefined };
  } catch (err) {
    await discard();
    if (opts.signal?.aborted) throw cancelled();
    throw err;
  }
}
