import type { ParentLink } from '../../../../shared/disk-info';
import { english, notice, type EngineDiskInfo, type EngineSizeCandidates, type Notice } from '../../notices';
import type { VhdSizeRule } from '../../../../shared/options';
import { FerryError, corrupt } from '../../errors';
import { ReadOnlyFile } from '../../io/read-only-file';
import { chainKey, usableParent } from '../chain';
import { LayeredSource, type Layer } from '../layers';
import type { DiskSource } from '../source';
import { geometryBytes, isMaxGeometry } from '../../formats/vhd/chs';
import { VHD_DYNAMIC_COOKIE, VHD_DYNAMIC_HEADER_SIZE, oversizedTableWarning, parseVhdDynamicHeader, type VhdDynamicHeader } from '../../formats/vhd/dynamic-header';
import {
  VHD_FOOTER_SIZE,
  VhdDiskType,
  creatorAppName,
  formatVersion,
  hasVhdCookie,
  hostOsName,
  parseVhdFooter,
  printableTag,
  uuidText,
  type VhdFooter,
} from '../../formats/vhd/footer';
import { MAX_BAT_ENTRIES, checkBat, decodeBat, sectorBitmapBytes } from '../../formats/vhd/bat';
import { BlockLayer, FixedLayer } from './block-layer';
import { vhdParentCandidates } from './locators';

const SECTOR = 512;
const MAX_BLOCK_SIZE = 256 * 1024 * 1024;
/** 2040 GiB, the largest VHD (qemu's VHD_MAX_SECTORS); a bigger stated size is a lie. */
export const VHD_MAX_SIZE = 0xff000000 * SECTOR;
const MAX_CHAIN_DEPTH = 256;

export interface VhdOpenOptions {
  sizeRule?: VhdSizeRule;
}

type VhdVariant = 'fixed' | 'dynamic' | 'differencing';

/** One file of a (possibly differencing) VHD chain, parsed and checked. */
interface VhdImage {
  file: ReadOnlyFile;
  footer: VhdFooter;
  footerLength: number;
  variant: VhdVariant;
  size: number;
  sizeCandidates?: EngineSizeCandidates;
  dynamic?: VhdDynamicHeader;
  layer: Layer;
  allocatedBytes: number;
  warnings: Notice[];
}

function safeNumber(file: string, value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(file, `${what} (${value}) is impossibly large.`);
  return Number(value);
}

/** Finds the footer: at the end (512 or, before Virtual PC 2004, 511 bytes), else the copy at 0. */
async function readFooter(file: ReadOnlyFile, warnings: Notice[]): Promise<{ footer: VhdFooter; length: number; atEnd: boolean }> {
  if (file.size < 511) throw new FerryError('E_NOT_A_DISK', `${file.path}: too small to be a VHD (${file.size} bytes).`);
  const tailLen = Math.min(file.size, VHD_FOOTER_SIZE);
  const tail = await file.readExact(file.size - tailLen, tailLen, 'VHD footer');
  const head = await file.readExact(0, Math.min(file.size, VHD_FOOTER_SIZE), 'VHD footer copy');
  let end: { footer: VhdFooter; length: number } | undefined;
  if (tailLen === 512 && hasVhdCookie(tail)) end = { footer: parseVhdFooter(tail), length: 512 };
  else if (hasVhdCookie(tail, tailLen - 511)) end = { footer: parseVhdFooter(tail.subarray(tailLen - 511)), length: 511 };
  const copy = head.length === 512 && hasVhdCookie(head) ? parseVhdFooter(head) : undefined;

  if (end && end.footer.checksumValid) {
    // Dynamic and differencing disks keep a copy at offset 0; the end one suffices, but say the copy is gone.
    if (end.footer.diskType !== VhdDiskType.fixed && !copy?.checksumValid) {
      warnings.push(
        copy ? notice('vhd-footer-copy-bad') : notice('vhd-footer-copy-missing'),
      );
    }
    return { ...end, atEnd: true };
  }
  if (copy && copy.checksumValid && copy.diskType !== VhdDiskType.fixed) {
    warnings.push(
      end ? notice('vhd-footer-end-bad') : notice('vhd-footer-end-missing'),
    );
    return { footer: copy, length: 512, atEnd: false };
  }
  if (end) {
    throw corrupt(
      file.path,
      `VHD footer at offset ${file.size - end.length} has a bad checksum (stored 0x${end.footer.checksum.toString(16)}) and there is no valid copy.`,
    );
  }
  if (copy) throw corrupt(file.path, `VHD footer copy at offset 0 has a bad checksum and the footer at the end is missing.`);
  throw new FerryError('E_NOT_A_DISK', `${file.path}: no VHD footer found (no "conectix" cookie at the end of the file).`);
}

/** The creator-aware choice between `current size` and the CHS geometry (docs/vhd.md#which-size; qemu block/vpc.c). */
function chooseSize(footer: VhdFooter, rule: VhdSizeRule, file: string): { size: number; candidates?: EngineSizeCandidates } {
  const currentSize = safeNumber(file, footer.currentSize, 'current size');
  const chsSize = geometryBytes(footer.geometry);
  let chosen: 'current' | 'chs';
  let reason: Notice;
  if (rule === 'current' || rule === 'chs') {
    chosen = rule;
    reason = notice('size-by-option');
  } else if (isMaxGeometry(footer.geometry)) {
    chosen = 'current';
    reason = notice('size-max-geometry');
  } else if (footer.creatorApp === 'vpc ' || footer.creatorApp === 'qemu') {
    chosen = 'chs';
    reason = notice('size-creator-chs', { creator: String(creatorAppName(footer.creatorApp)) });
  } else {
    chosen = 'current';
    reason = notice('size-creator-current', { creator: creatorAppName(footer.creatorApp) ?? notice('size-creator-tag', { tag: printableTag(footer.creatorApp) }) });
  }
  if (chosen === 'chs' && chsSize === 0) {
    chosen = 'current';
    reason = notice('size-empty-geometry');
  }
  const size = chosen === 'chs' ? chsSize : currentSize;
  if (currentSize === chsSize) return { size };
  return { size, candidates: { currentSize, chsSize, chosen, reason } };
}

async function openImage(file: ReadOnlyFile, opts: VhdOpenOptions): Promise<VhdImage> {
  const warnings: Notice[] = [];
  const { footer, length: footerLength, atEnd } = await readFooter(file, warnings);
  const variant: VhdVariant | undefined =
    footer.diskType === VhdDiskType.fixed
      ? 'fixed'
      : footer.diskType === VhdDiskType.dynamic
        ? 'dynamic'
        : footer.diskType === VhdDiskType.differencing
          ? 'differencing'
          : undefined;
  if (!variant) {
    throw new FerryError(
      'E_UNSUPPORTED',
      `${file.path}: VHD disk type ${footer.diskType} is not fixed (2), dynamic (3) or differencing (4).`,
      'Only fixed, dynamic and differencing VHDs exist in practice; the file may be damaged.',
    );
  }
  const { size, candidates } = chooseSize(footer, opts.sizeRule ?? 'auto', file.path);
  if (size % SECTOR !== 0) throw corrupt(file.path, `the disk size (${size} bytes) is not a whole number of 512-byte sectors.`);
  if (size > VHD_MAX_SIZE) {
    throw corrupt(file.path, `the footer states a size of ${size} bytes, more than the 2040 GiB a VHD can hold.`);
  }
  if (size === 0) throw new FerryError('E_UNSUPPORTED', `${file.path}: the disk is empty (its size is 0 bytes).`);
  if (footer.savedState) warnings.push(notice('vhd-saved-state'));

  if (variant === 'fixed') {
    const dataBytes = file.size - footerLength;
    let virtual = size;
    if (virtual > dataBytes) {
      warnings.push(notice('vhd-footer-beyond-file', { stated: virtual, held: dataBytes }));
      virtual = dataBytes - (dataBytes % SECTOR);
    }
    return {
      file,
      footer,
      footerLength,
      variant,
      size: virtual,
      ...(candidates ? { sizeCandidates: candidates } : {}),
      layer: new FixedLayer(file, virtual),
      allocatedBytes: virtual,
      warnings,
    };
  }

  const headerPos = safeNumber(file.path, footer.dataOffset, 'dynamic header offset');
  if (headerPos < VHD_FOOTER_SIZE || headerPos + VHD_DYNAMIC_HEADER_SIZE > file.size) {
    throw corrupt(file.path, `the dynamic header offset ${headerPos} lies outside the file (${file.size} bytes).`);
  }
  const headerBuf = await file.readExact(headerPos, VHD_DYNAMIC_HEADER_SIZE, 'dynamic disk header');
  if (headerBuf.toString('latin1', 0, 8) !== VHD_DYNAMIC_COOKIE) {
    throw corrupt(file.path, `no dynamic disk header ("cxsparse") at offset ${headerPos}.`);
  }
  const header = parseVhdDynamicHeader(headerBuf);
  if (!header.checksumValid) warnings.push(notice('vhd-header-checksum', { offset: headerPos }));
  const { blockSize, maxTableEntries } = header;
  if (blockSize < SECTOR || blockSize > MAX_BLOCK_SIZE || (blockSize & (blockSize - 1)) !== 0) {
    throw corrupt(file.path, `the dynamic header's block size (${blockSize} bytes, at offset ${headerPos + 32}) is not a power of two between 512 bytes and 256 MiB.`);
  }
  const blocksNeeded = Math.ceil(size / blockSize);
  if (maxTableEntries < blocksNeeded) {
    throw corrupt(file.path, `the block allocation table has ${maxTableEntries} entries but a ${size}-byte disk needs ${blocksNeeded}.`);
  }
  if (blocksNeeded > MAX_BAT_ENTRIES) {
    throw new FerryError('E_UNSUPPORTED', `${file.path}: ${blocksNeeded} blocks of ${blockSize} bytes is more than any VHD writer makes (at most ${MAX_BAT_ENTRIES}).`);
  }
  const largestSize = Math.max(size, Number(footer.currentSize), geometryBytes(footer.geometry));
  const oversized = oversizedTableWarning(header, largestSize, footer.creatorApp, headerPos);
  if (oversized) warnings.push(oversized);
  const tablePos = safeNumber(file.path, header.tableOffset, 'BAT offset');
  // Only the entries that cover the disk matter; a table sized beyond the file is a lie.
  const batBytes = blocksNeeded * 4;
  if (tablePos + batBytes > file.size) {
    throw corrupt(file.path, `the block allocation table (${batBytes} bytes at offset ${tablePos}) extends beyond the end of the file (${file.size} bytes).`);
  }
  const bat = decodeBat(await file.readExact(tablePos, batBytes, 'block allocation table'), blocksNeeded);
  const bitmapSize = sectorBitmapBytes(blockSize);
  const dataLimit = atEnd ? file.size - footerLength : file.size;
  const allocated = checkBat(bat, {
    path: file.path,
    tablePos,
    blockSize,
    diskSize: size,
    dataLimit,
    metadata: [
      { start: 0, length: VHD_FOOTER_SIZE },
      { start: headerPos, length: VHD_DYNAMIC_HEADER_SIZE },
      { start: tablePos, length: batBytes },
    ],
  });
  return {
    file,
    footer,
    footerLength,
    variant,
    size,
    ...(candidates ? { sizeCandidates: candidates } : {}),
    dynamic: header,
    layer: new BlockLayer(file, size, bat, blockSize, bitmapSize, variant === 'differencing'),
    allocatedBytes: allocated,
    warnings,
  };
}

/**
 * The chain's size is the child's. A parent made by another tool may pick the other of its two
 * size fields (a Hyper-V child over a Virtual PC parent); when that field gives the child's size,
 * read the parent at it.
 */
async function sizedLikeChild(parent: VhdImage, child: VhdImage, opts: VhdOpenOptions): Promise<VhdImage> {
  const c = parent.sizeCandidates;
  if (parent.size === child.size || !c || (opts.sizeRule ?? 'auto') !== 'auto') return parent;
  const rule = c.currentSize === child.size ? 'current' : c.chsSize === child.size ? 'chs' : undefined;
  if (!rule) return parent;
  return openImage(parent.file, { ...opts, sizeRule: rule });
}

/** Finds, opens and checks the parent of a differencing image. */
async function openParent(child: VhdImage, opts: VhdOpenOptions, visited: Set<string>): Promise<VhdImage> {
  const header = child.dynamic!;
  const skipped: Notice[] = [];
  const candidates = await vhdParentCandidates(child.file.path, child.file, header, skipped);
  child.warnings.push(...skipped);
  const expected = uuidText(header.parentUniqueId);
  const mismatches: string[] = [];
  for (const cand of candidates) {
    if (!(await usableParent(child.file.path, cand, visited))) continue;
    const file = await ReadOnlyFile.open(cand.path);
    let image: VhdImage;
    try {
      image = await openImage(file, opts);
    } catch (err) {
      await file.close();
      // A locator naming a file that is no VHD at all: not the parent; another candidate may be.
      if (err instanceof FerryError && err.code === 'E_NOT_A_DISK') {
        mismatches.push(`${cand.path} (from its ${cand.source}) is not a VHD`);
        continue;
      }
      throw err;
    }
    const found = uuidText(image.footer.uniqueId);
    if (found === expected) return sizedLikeChild(image, child, opts);
    await file.close();
    mismatches.push(`${cand.path} has UUID ${found}`);
  }
  const wanted = header.parentName || candidates[0]?.path || '(no name recorded)';
  if (mismatches.length > 0) {
    throw new FerryError(
      'E_PARENT_MISMATCH',
      `${child.file.path}: its parent must be a VHD with UUID ${expected}, but ${mismatches.join('; ')}.`,
      'That file is not the disk this one was made from (it may have been replaced or converted); find the original parent.',
    );
  }
  const looked = candidates.map((c) => c.path);
  throw new FerryError(
    'E_PARENT_MISSING',
    `${child.file.path}: parent disk "${wanted}" not found (looked for ${looked.length ? looked.join(', ') : 'nothing: the disk records no usable path'}).${skipped.map((w) => ` ${english(w)}`).join('')}`,
    'Put the parent disk beside this one under its original name, or convert the parent instead.',
  );
}

function variantLabel(image: VhdImage): EngineDiskInfo['variant'] {
  return image.variant;
}

/** Opens a VHD of any variant, following a differencing chain to its base. */
export async function openVhd(path: string, opts: VhdOpenOptions = {}): Promise<DiskSource> {
  const file = await ReadOnlyFile.open(path);
  const images: VhdImage[] = [];
  try {
    images.push(await openImage(file, opts));
    const visited = new Set([await chainKey(path)]);
    while (images[images.length - 1]!.variant === 'differencing') {
      if (images.length > MAX_CHAIN_DEPTH) {
        throw new FerryError('E_UNSUPPORTED', `${path}: the differencing chain is more than ${MAX_CHAIN_DEPTH} disks deep.`);
      }
      const child = images[images.length - 1]!;
      const parent = await openParent(child, opts, visited);
      images.push(parent);
      visited.add(await chainKey(parent.file.path));
      if (parent.size !== child.size) {
        throw new FerryError(
          'E_PARENT_MISMATCH',
          `${child.file.path}: is ${child.size} bytes but its parent ${parent.file.path} is ${parent.size} bytes; a differencing disk must match its parent's size.`,
        );
      }
    }
  } catch (err) {
    await Promise.all(images.map((i) => i.file.close()));
    await file.close();
    throw err;
  }
  const top = images[0]!;
  const parents: ParentLink[] = images.slice(1).map((i) => ({ path: i.file.path, variant: variantLabel(i), uuid: uuidText(i.footer.uniqueId) }));
  const warnings = images.flatMap((img, n) => img.warnings.map((w) => (n === 0 ? w : notice('parent-says', { path: img.file.path, notice: w }))));
  const info: DiskSource['info'] = {
    path,
    fileSize: top.file.size,
    format: 'vhd',
    variant: variantLabel(top),
    virtualSize: top.size,
    ...(top.sizeCandidates ? { sizeCandidates: top.sizeCandidates } : {}),
    allocatedBytes: Math.min(top.size, images.reduce((n, i) => n + i.allocatedBytes, 0)),
    ...(top.dynamic ? { blockSize: top.dynamic.blockSize } : {}),
    creator: {
      app: printableTag(top.footer.creatorApp),
      ...(creatorAppName(top.footer.creatorApp) ? { appName: creatorAppName(top.footer.creatorApp)! } : {}),
      version: formatVersion(top.footer.creatorVersion),
      host: hostOsName(top.footer.creatorHostOs),
    },
    uuid: uuidText(top.footer.uniqueId),
    geometry: top.footer.geometry,
    savedState: top.footer.savedState,
    footerLength: top.footerLength,
    parents,
    warnings,
  };
  return new LayeredSource(path, images.map((i) => i.layer), info);
}
