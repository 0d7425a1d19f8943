import type { DiskInfo } from '../../../shared/disk-info';
import { openSource, type OpenOptions } from '../sources/open';
import { readPartitionTable } from './partitions';

/** Everything `ferry inspect` reports about a source disk. */
export async function inspectDisk(path: string, opts: OpenOptions = {}): Promise<DiskInfo> {
  const source = await openSource(path, opts);
  try {
    const partitions = await readPartitionTable(source);
    return { ...source.info, partitions };
  } finally {
    await source.close();
  }
}
