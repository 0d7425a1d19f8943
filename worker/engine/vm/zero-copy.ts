// `--zero-copy`: a fixed VHD is the raw disk followed by a 512-byte footer, so a monolithicFlat
// descriptor whose FLAT extent is the .vhd itself (offset 0, exactly the data sectors) lets
// VMware use it in place (VMware's Virtual Disk Format 1.1, monolithicFlat). Nothing is copied.
import { realpath, writeFile } from 'node:fs/promises';
import path, { basename, dirname, join } from 'node:path';
import type { Adapter } from '../../../shared/options';
import { FerryError } from '../errors';
import { compressionOf } from '../sources/open';
import type { DiskSource } from '../sources/source';
import { openVmdk } from '../sources/vmdk/vmdk';
import { SECTOR } from '../formats/vmdk/constants';
import { newDiskIdentity, renderDescriptor } from '../formats/vmdk/descriptor';

function compressedRefusal(path: string, compression: string): FerryError {
  return new FerryError(
    'E_UNSUPPORTED',
    `${path}: --zero-copy needs the disk file itself, but this one is ${compression}-compressed; VMware cannot read it in place.`,
    'Run without --zero-copy to copy the data into a new VMDK, or unpack the file first and point --zero-copy at the .vhd.',
  );
}

/** The compressed-source refusal, from the file's first bytes, before anything is unpacked. */
export async function refuseCompressedForZeroCopy(path: string): Promise<void> {
  const compression = await compressionOf(path);
  if (compression) throw compressedRefusal(path, compression);
}

/** Refuses every source but a fixed VHD, saying why and what to do instead. */
export function checkZeroCopySource(source: DiskSource): void {
  const { format, variant, compression } = source.info;
  if (compression) throw compressedRefusal(source.path, compression.layers.join(' + '));
  if (format === 'vhd' && variant === 'fixed') return;
  const what = format === 'vhd' ? `a ${variant} VHD` : `a ${format.toUpperCase()} (${variant}) disk`;
  const why =
    variant === 'dynamic' || variant === 'differencing'
      ? 'its data is scattered in blocks (and, for differencing disks, spread over the parent chain), so VMware cannot read it as a plain disk'
      : 'only a fixed VHD is a plain disk image VMware can read in place';
  throw new FerryError(
    'E_UNSUPPORTED',
    `${source.path}: --zero-copy needs a fixed VHD, but this is ${what}; ${why}.`,
    'Run without --zero-copy to copy the data into a new VMDK (a sparse one takes only the space the data needs).',
  );
}

/**
 * The extent's file name as a descriptor in `folder` spells the path to `source`: relative (so
 * the pair can move together) with `/` between names on every host, as VMware writes them, or
 * absolute when no relative path exists (another drive on Windows). `paths` is the host's path
 * module (path.win32 or path.posix).
 */
export function extentNameFor(folder: string, source: string, paths: path.PlatformPath = path): string {
  const rel = paths.relative(folder, source);
  if (rel === '' || paths.isAbsolute(rel)) return source;
  return rel.split(paths.sep).join('/');
}

/**
 * The extent's file name as the descriptor in `vmFolder` must spell it (see extentNameFor).
 * Both sides are real paths, so symlinked folders cannot make it point elsewhere.
 */
export async function extentPathFrom(vmFolder: string, sourcePath: string): Promise<string> {
  const source = await realpath(sourcePath);
  const folder = join(await realpath(dirname(vmFolder)), basename(vmFolder));
  const name = extentNameFor(folder, source);
  if (/["\r\n]/.test(name)) {
    throw new FerryError(
      'E_UNSUPPORTED',
      `${sourcePath}: the path to the disk contains a quote or a line break, which a VMDK descriptor cannot hold.`,
      'Rename the disk or its folder, or run without --zero-copy.',
    );
  }
  return name;
}

/**
 * Writes `<dir>/<fileName>`, a descriptor over the source file. `extentPath` is relative to the
 * VM's final folder, which must be a sibling of `dir` (the staging folder) so it resolves the same.
 */
export async function writeZeroCopyDescriptor(
  source: DiskSource,
  dir: string,
  fileName: string,
  extentPath: string,
  opts: { adapter: Adapter; hwVersion: number },
): Promise<string> {
  const sectors = source.size / SECTOR;
  const text = renderDescriptor({
    createType: 'monolithicFlat',
    identity: newDiskIdentity(),
    extents: [{ access: 'RW', sectors, type: 'FLAT', fileName: extentPath, offsetSectors: 0 }],
    adapter: opts.adapter,
    totalSectors: sectors,
    hwVersion: opts.hwVersion,
  });
  const path = join(dir, fileName);
  await writeFile(path, text, { flag: 'wx' });
  return path;
}

const PROBE = 1024 * 1024;

/**
 * Proves the descriptor reaches the source's own bytes: it opens through our VMDK reader, has
 * the source's size, its extent is the source file, and the first and last MiB read the same.
 */
export async function verifyZeroCopy(descriptorPath: string, source: DiskSource): Promise<void> {
  const { source: vm, descriptor } = await openVmdk(descriptorPath, { extents: { kind: 'anywhere' } }); // written by us, pointing at the source
  try {
    const extent = descriptor.extents[0];
    const target = extent?.fileName === undefined ? undefined : await realpath(join(dirname(descriptorPath), extent.fileName)).catch(() => undefined);
    const fail = (what: string) =>
      new FerryError('E_VERIFY', `Verification failed: the zero-copy descriptor ${descriptorPath} ${what}.`, 'This is a bug in Ferry; please report it.');
    if (descriptor.extents.length !== 1 || target !== (await realpath(source.path))) throw fail('does not point at the source disk');
    if (vm.size !== source.size) throw fail(`covers ${vm.size} bytes, not the source's ${source.size}`);
    for (const at of [0, Math.max(0, source.size - PROBE)]) {
      const len = Math.min(PROBE, source.size - at);
      const a = Buffer.alloc(len);
      const b = Buffer.alloc(len);
      await source.read(at, len, a);
      await vm.read(at, len, b);
      if (!a.equals(b)) throw fail(`reads different bytes at offset ${at}`);
    }
  } finally {
    await vm.close();
  }
}
