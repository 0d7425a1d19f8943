import type { ParentLink } from '../../../../shared/disk-info';
import { english, notice, type EngineDiskInfo, type Notice } from '../../notices';
import { FerryError, corrupt } from '../../errors';
import { ReadOnlyFile } from '../../io/read-only-file';
import { chainKey, usableParent } from '../chain';
import { LayeredSource } from '../layers';
import type { DiskSource } from '../source';
import { batGeometry } from '../../formats/vhdx/bat';
import { Bat, scanBat } from './bat-reader';
import { guidText } from '../../formats/vhdx/guid';
import { HEADER_SECTION_SIZE, MiB, type VhdxHeader } from '../../formats/vhdx/headers';
import { readVhdxStart } from './start';
import { VhdxLayer } from './layer';
import { logLocation, replayLog } from './log';
import type { VhdxMetadata } from '../../formats/vhdx/metadata';
import { readMetadata, readRegionTable } from './tables';
import { parentDisplayName, parentLinkages, vhdxParentCandidates } from './parent';
import { PatchedFile, type VhdxFile } from './patched-file';
import type { Region } from '../../formats/vhdx/region-table';

const MAX_CHAIN_DEPTH = 256;

type VhdxVariant = 'fixed' | 'dynamic' | 'differencing';

/** One file of a (possibly differencing) VHDX chain, parsed and checked. */
interface VhdxImage {
  raw: ReadOnlyFile;
  file: VhdxFile;
  creator: string;
  header: VhdxHeader;
  meta: VhdxMetadata;
  variant: VhdxVariant;
  layer: VhdxLayer;
  allocatedBytes: number;
  warnings: Notice[];
}

/**
 * A 4Kn disk's partition table and file systems address 4096-byte sectors. VMware's hosted
 * products present 512-byte sectors, so copying the bytes would give the guest a disk whose GPT
 * sits at the wrong LBA: refuse, and say why.
 */
function refuse4Kn(path: string): FerryError {
  return new FerryError(
    'E_UNSUPPORTED',
    `${path}: this VHDX has 4096-byte logical sectors (a 4Kn disk). VMware Workstation, Player and Fusion give virtual disks 512-byte sectors, so the guest would look for its partition table and file systems at the wrong places; Ferry will not turn it into a disk that cannot boot.`,
    'In Hyper-V, create a VHDX with 512-byte logical sectors (New-VHD -LogicalSectorSizeBytes 512), copy the volumes into it, and convert that.',
  );
}

function variantOf(meta: VhdxMetadata): VhdxVariant {
  if (meta.hasParent) return 'differencing';
  return meta.leaveBlockAllocated ? 'fixed' : 'dynamic';
}

async function openImage(raw: ReadOnlyFile): Promise<VhdxImage> {
  const warnings: Notice[] = [];
  const { creator, header } = await readVhdxStart(raw, warnings);
  const replay = await replayLog(raw, header);
  let file: VhdxFile = raw;
  let log: Region | undefined;
  if (replay?.entries === 0) {
    warnings.push(notice('vhdx-log-empty'));
  } else if (replay) {
    file = new PatchedFile(raw, replay.overlay, replay.minimumFileSize);
    log = logLocation(header, raw);
    warnings.push(notice(replay.entries === 1 ? 'vhdx-log-replayed-one' : 'vhdx-log-replayed', { entries: replay.entries, pages: replay.overlay.pageCount }));
  }
  const regions = await readRegionTable(file, log, warnings);
  const meta = await readMetadata(file, regions.metadata);
  if (meta.logicalSectorSize !== 512) throw refuse4Kn(raw.path);
  if (meta.virtualSize === 0) throw new FerryError('E_UNSUPPORTED', `${raw.path}: the disk is empty (its size is 0 bytes).`);
  const variant = variantOf(meta);
  const differencing = variant === 'differencing';
  const geometry = batGeometry(meta.virtualSize, meta.blockSize, meta.logicalSectorSize, differencing);
  const quietLog = log ?? declaredLog(header, raw.size);
  const others = quietLog ? [regions.metadata, quietLog] : [regions.metadata];
  const scan = await scanBat(file, regions.bat, geometry, meta.virtualSize, differencing, others);
  const bat = new Bat(file, regions.bat, geometry);
  return {
    raw,
    file,
    creator,
    header,
    meta,
    variant,
    layer: new VhdxLayer(file, meta.virtualSize, bat, differencing),
    allocatedBytes: scan.allocatedBytes,
    warnings,
  };
}

/**
 * The log region the header names, when it is a plausible one. Blocks must never lie on it, even
 * when there is nothing to replay (MS-VHDX §2.3: the log is a region of its own at all times).
 */
function declaredLog(header: VhdxHeader, fileSize: number): Region | undefined {
  const { logOffset, logLength } = header;
  if (logLength === 0 || logLength % MiB !== 0 || logOffset % BigInt(MiB) !== 0n || logOffset < BigInt(HEADER_SECTION_SIZE)) return undefined;
  if (logOffset + BigInt(logLength) > BigInt(fileSize)) return undefined;
  return { offset: Number(logOffset), length: logLength };
}

async function isVhdx(file: ReadOnlyFile): Promise<boolean> {
  if (file.size < 8) return false;
  return (await file.readExact(0, 8, 'file signature')).toString('latin1') === 'vhdxfile';
}

/** Finds, opens and checks the parent of a differencing image. */
async function openParent(child: VhdxImage, visited: Set<string>): Promise<VhdxImage> {
  const locator = child.meta.parentLocator!;
  const skipped: Notice[] = [];
  const candidates = vhdxParentCandidates(child.raw.path, locator, skipped);
  child.warnings.push(...skipped);
  const linkages = parentLinkages(locator);
  if (linkages.length === 0) throw corrupt(child.raw.path, 'the parent locator has no valid parent_linkage, so no parent can be checked.');
  const expected = linkages.map((g) => `{${guidText(g)}}`).join(' or ');
  const mismatches: string[] = [];
  for (const cand of candidates) {
    if (!(await usableParent(child.raw.path, cand, visited))) continue;
    const raw = await ReadOnlyFile.open(cand.path);
    let image: VhdxImage;
    try {
      if (!(await isVhdx(raw))) {
        mismatches.push(`${cand.path} is not a VHDX`);
        await raw.close();
        continue;
      }
      image = await openImage(raw);
    } catch (err) {
      await raw.close();
      throw err;
    }
    if (linkages.some((g) => g.equals(image.header.dataWriteGuid))) {
      if (image.meta.logicalSectorSize !== child.meta.logicalSectorSize) {
        await raw.close();
        throw new FerryError(
          'E_PARENT_MISMATCH',
          `${child.raw.path}: has ${child.meta.logicalSectorSize}-byte sectors but its parent ${cand.path} has ${image.meta.logicalSectorSize}-byte sectors.`,
        );
      }
      return image;
    }
    await raw.close();
    mismatches.push(`${cand.path} has DataWriteGuid {${guidText(image.header.dataWriteGuid)}}`);
  }
  if (mismatches.length > 0) {
    throw new FerryError(
      'E_PARENT_MISMATCH',
      `${child.raw.path}: its parent must have DataWriteGuid ${expected}, but ${mismatches.join('; ')}.`,
      'That file is not the disk this one was made from (it was changed after the child was created, or replaced); find the original parent.',
    );
  }
  const wanted = parentDisplayName(locator) ?? '(no name recorded)';
  const looked = candidates.map((c) => c.path);
  throw new FerryError(
    'E_PARENT_MISSING',
    `${child.raw.path}: parent disk "${wanted}" not found (looked for ${looked.length ? looked.join(', ') : 'nothing: the disk records no usable path'}).${skipped.map((w) => ` ${english(w)}`).join('')}`,
    'Put the parent disk beside this one under its original name, or convert the parent instead.',
  );
}

/** Opens a VHDX of any variant, following a differencing chain to its base, without writing to any file. */
export async function openVhdx(path: string): Promise<DiskSource> {
  const raw = await ReadOnlyFile.open(path);
  const images: VhdxImage[] = [];
  try {
    images.push(await openImage(raw));
    const visited = new Set([await chainKey(path)]);
    while (images[images.length - 1]!.variant === 'differencing') {
      if (images.length > MAX_CHAIN_DEPTH) {
        throw new FerryError('E_UNSUPPORTED', `${path}: the differencing chain is more than ${MAX_CHAIN_DEPTH} disks deep.`);
      }
      const child = images[images.length - 1]!;
      const parent = await openParent(child, visited);
      images.push(parent);
      visited.add(await chainKey(parent.raw.path));
      if (parent.meta.virtualSize !== child.meta.virtualSize) {
        const sizes = { size: child.meta.virtualSize, parent: parent.raw.path, parentSize: parent.meta.virtualSize };
        child.warnings.push(notice(parent.meta.virtualSize < child.meta.virtualSize ? 'vhdx-parent-smaller' : 'vhdx-parent-larger', sizes));
      }
    }
  } catch (err) {
    await Promise.all(images.map((i) => i.raw.close()));
    await raw.close();
    throw err;
  }
  const top = images[0]!;
  const parents: ParentLink[] = images.slice(1).map((i) => ({ path: i.raw.path, variant: i.variant, uuid: guidText(i.meta.virtualDiskId) }));
  const warnings = images.flatMap((img, n) => img.warnings.map((w) => (n === 0 ? w : notice('parent-says', { path: img.raw.path, notice: w }))));
  const info: DiskSource['info'] = {
    path,
    fileSize: top.raw.size,
    format: 'vhdx',
    variant: top.variant satisfies EngineDiskInfo['variant'],
    virtualSize: top.meta.virtualSize,
    allocatedBytes: Math.min(top.meta.virtualSize, images.reduce((n, i) => n + i.allocatedBytes, 0)),
    blockSize: top.meta.blockSize,
    creator: { app: top.creator, ...(top.creator ? { appName: top.creator } : {}), version: '', host: '' },
    uuid: guidText(top.meta.virtualDiskId),
    parents,
    warnings,
  };
  return new LayeredSource(path, images.map((i) => i.layer), info);
}
