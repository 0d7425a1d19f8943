import type { DiskInfo } from '../../../shared/disk-info';
import { wireDiskInfo, type EngineDiskInfo } from '../notices';
import { openSource, type OpenOptions } from '../sources/open';
import type { DiskSource } from '../sources/source';
import { describeFilesystem } from './filesystems';
import { detectGuest } from './guest';
import { readPartitionTable } from './partitions';

/**
 * Every file reading `source` opens, in order, each once: the source, a VMDK's extents, the
 * parents. Of a compressed source, the archive itself (the unpacked copy is Ferry's own).
 */
export function filesRead(source: DiskSource): string[] {
  const files = [source.path, ...(source.info.compression ? [] : source.extentFiles ?? []), ...source.info.parents.map((p) => p.path)];
  return [...new Set(files)];
}

/** Everything `ferry inspect` reports about a source disk, as the CLI prints it and the worker sends it. */
export async function inspectDisk(path: string, opts: OpenOptions = {}): Promise<DiskInfo> {
  return wireDiskInfo(await inspectSource(path, opts));
}

/** The same, as the engine holds it (notices, not yet words). */
export async function inspectSource(path: string, opts: OpenOptions = {}): Promise<EngineDiskInfo> {
  const source = await openSource(path, opts);
  try {
    const partitions = await readPartitionTable(source);
    const detected = await detectGuest(source, partitions);
    for (const p of partitions?.partitions ?? []) {
      const fs = detected.filesystems.get(p.index);
      if (fs) p.filesystem = describeFilesystem(fs);
    }
    return { ...source.info, partitions, guest: detected.guest, files: filesRead(source), warnings: [...source.info.warnings, ...detected.warnings] };
  } finally {
    await source.close();
  }
}
