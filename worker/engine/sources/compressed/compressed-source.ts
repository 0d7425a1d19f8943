// A compressed download seen as the disk inside it: unpacked once into a scratch folder, read
// from there, and the scratch folder removed when the source is closed (or opening fails).
import { stat } from 'node:fs/promises';
import type { CompressionFormat, CompressionInfo } from '../../../../shared/disk-info';
import { FerryError } from '../../errors';
import type { DiskSource, Run } from '../source';
import { shortName } from './members';
import { unpack, type UnpackOptions } from './unpack';

/** Opens the unpacked disk file; `nameHint` is the name to judge a signature-less (raw) disk by. */
export type OpenPayload = (file: string, nameHint: string) => Promise<DiskSource>;

class CompressedSource implements DiskSource {
  constructor(
    private readonly inner: DiskSource,
    readonly path: string,
    readonly info: DiskSource['info'],
    private readonly discard: () => Promise<void>,
  ) {}

  get size(): number {
    return this.inner.size;
  }

  runs(): AsyncIterable<Run> {
    return this.inner.runs();
  }

  read(offset: number, length: number, into: Buffer): Promise<void> {
    return this.inner.read(offset, length, into);
  }

  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      await this.discard();
    }
  }
}

/** Messages about the scratch copy name the archive (and member) the user knows instead. */
function rename(err: unknown, scratchFile: string, shown: string): unknown {
  if (!(err instanceof FerryError)) return err;
  const message = err.message.split(scratchFile).join(shown);
  if (err.code === 'E_PARENT_MISSING') {
    return new FerryError(err.code, message, 'A differencing disk inside an archive cannot reach its parent; unpack it next to its parent disk and open it there.');
  }
  return message === err.message ? err : new FerryError(err.code, message, err.hint);
}

export async function openCompressed(path: string, format: CompressionFormat, opts: UnpackOptions, openPayload: OpenPayload): Promise<DiskSource> {
  const fileSize = (await stat(path)).size;
  const unpacked = await unpack(path, format, opts);
  const shown = unpacked.member !== undefined ? `${path} (member "${shortName(unpacked.member)}")` : `${path} (unpacked)`;
  let inner: DiskSource;
  try {
    inner = await openPayload(unpacked.file, unpacked.nameHint);
  } catch (err) {
    await unpacked.discard();
    throw rename(err, unpacked.file, shown);
  }
  const compression: CompressionInfo = {
    format: unpacked.layers[0] ?? format,
    layers: unpacked.layers,
    ...(unpacked.member !== undefined ? { member: unpacked.member } : {}),
    unpackedSize: unpacked.size,
  };
  const info: DiskSource['info'] = { ...inner.info, path, fileSize, compression };
  return new CompressedSource(inner, path, info, unpacked.discard);
}
