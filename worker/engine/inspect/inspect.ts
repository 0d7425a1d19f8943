import type { DiskInfo } from '../../../shared/disk-info';
import { openSource, type OpenOptions } from '../sources/open';
import { describeFilesystem } from './filesystems';
import { detectGuest } from './guest';
import { readPartitionTable } from './partitions';

/** Everything `ferry inspect` reports about a source disk. */
export async function inspectDisk(path: string, opts: OpenOptions = {}): Promise<DiskInfo> {
  const source = await openSource(path, opts);
  try {
    const partitions = await readPartitionTable(source);
    const detected = await detectGuest(source, partitions);
    for (const p of partitions?.partitions ?? []) {
      const fs = detected.filesystems.get(p.index);
      if (fs) p.filesystem = describeFilesystem(fs);
    }
    return { ...source.info, partitions, guest: detected.guest, warnings: [...source.info.warnings, ...detected.warnings] };
  } finally {
    await source.close();
  }
}
