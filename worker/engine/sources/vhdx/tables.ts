// The region table and the metadata of a VHDX, read through the file as its log patches it.
// docs/vhdx.md#region-table, docs/vhdx.md#metadata.
import { FerryError, corrupt } from '../../errors';
import { guidText } from '../../formats/vhdx/guid';
import { KNOWN, MAX_BLOCK_SIZE, MAX_VIRTUAL_SIZE, MIN_BLOCK_SIZE, TABLE_SIZE, parseMetadataTable, parseParentLocator, safeSize, type VhdxMetadata } from '../../formats/vhdx/metadata';
import { REGION_TABLE_OFFSETS, REGION_TABLE_SIZE, checkTable, parseRegionTable, type Region, type RegionTable, type TableCheck } from '../../formats/vhdx/region-table';
import type { VhdxFile } from './patched-file';
import { english, notice, type Notice } from '../../notices';

/** Reads the region table, falling back to the second copy when the first is damaged. */
export async function readRegionTable(file: VhdxFile, log: Region | undefined, warnings: Notice[]): Promise<RegionTable> {
  const checks: TableCheck[] = [];
  for (const at of REGION_TABLE_OFFSETS) {
    checks.push(checkTable(await file.readExact(at, REGION_TABLE_SIZE, 'VHDX region table')));
  }
  const [first, second] = checks as [TableCheck, TableCheck];
  if (first.ok) return parseRegionTable(first.buf, file.path, REGION_TABLE_OFFSETS[0], file.size, log);
  if (second.ok) {
    warnings.push(notice('vhdx-region-table-damaged', { offset: REGION_TABLE_OFFSETS[0], reason: first.reason, copyOffset: REGION_TABLE_OFFSETS[1] }));
    return parseRegionTable(second.buf, file.path, REGION_TABLE_OFFSETS[1], file.size, log);
  }
  throw corrupt(
    file.path,
    `neither VHDX region table is valid (offset ${REGION_TABLE_OFFSETS[0]}: ${english(first.reason)}; offset ${REGION_TABLE_OFFSETS[1]}: ${english((second as { reason: Notice }).reason)}).`,
  );
}

export async function readMetadata(file: VhdxFile, region: Region): Promise<VhdxMetadata> {
  const path = file.path;
  const table = await file.readExact(region.offset, TABLE_SIZE, 'VHDX metadata table');
  const items = parseMetadataTable(table, path, region);
  const found = new Map<string, Buffer>();
  for (const item of items) {
    const known = KNOWN.find((k) => k.guid.equals(item.guid));
    if (!known || item.isUser) {
      if (item.isRequired) {
        throw new FerryError(
          'E_UNSUPPORTED',
          `${path}: the VHDX requires metadata Ferry does not know ({${guidText(item.guid)}}), so it cannot be read safely.`,
          'The disk may use a newer VHDX feature; convert it with Hyper-V (Convert-VHD) to a plain VHDX or VHD first.',
        );
      }
      continue;
    }
    if (item.length < known.minLength) throw corrupt(path, `the ${known.name} metadata item is ${item.length} bytes, too short.`);
    found.set(known.name, await file.readExact(region.offset + item.offset, item.length, `VHDX ${known.name} metadata`));
  }
  const need = (name: string): Buffer => {
    const b = found.get(name);
    if (!b) throw corrupt(path, `the required ${name} metadata item is missing.`);
    return b;
  };
  const params = need('File Parameters');
  const blockSize = params.readUInt32LE(0);
  const flags = params.readUInt32LE(4);
  if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || (blockSize & (blockSize - 1)) !== 0) {
    throw corrupt(path, `the block size (${blockSize} bytes) is not a power of two between 1 MiB and 256 MiB.`);
  }
  const logicalSectorSize = need('Logical Sector Size').readUInt32LE(0);
  const physicalSectorSize = need('Physical Sector Size').readUInt32LE(0);
  if (logicalSectorSize !== 512 && logicalSectorSize !== 4096) throw corrupt(path, `the logical sector size (${logicalSectorSize}) is neither 512 nor 4096 bytes.`);
  if (physicalSectorSize !== 512 && physicalSectorSize !== 4096) throw corrupt(path, `the physical sector size (${physicalSectorSize}) is neither 512 nor 4096 bytes.`);
  const virtualSize = safeSize(path, need('Virtual Disk Size').readBigUInt64LE(0), 'the virtual disk size');
  if (virtualSize > MAX_VIRTUAL_SIZE) throw corrupt(path, `the virtual disk size (${virtualSize} bytes) is more than the 64 TiB a VHDX can hold.`);
  if (virtualSize % logicalSectorSize !== 0) throw corrupt(path, `the virtual disk size (${virtualSize} bytes) is not a whole number of ${logicalSectorSize}-byte sectors.`);
  const hasParent = (flags & 2) === 2;
  const meta: VhdxMetadata = {
    blockSize,
    leaveBlockAllocated: (flags & 1) === 1,
    hasParent,
    virtualSize,
    virtualDiskId: Buffer.from(need('Virtual Disk ID').subarray(0, 16)),
    logicalSectorSize,
    physicalSectorSize,
  };
  if (hasParent) meta.parentLocator = parseParentLocator(need('Parent Locator'), path);
  return meta;
}
