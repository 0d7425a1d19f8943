import type { VhdSizeRule } from '../../../shared/options';
import { FerryError } from '../errors';
import { ReadOnlyFile } from '../io/read-only-file';
import type { DiskSource } from './source';
import { hasVhdCookie } from './vhd/footer';
import { openVhd } from './vhd/vhd';
import { openVhdx } from './vhdx/vhdx';
import { openVmdk } from './vmdk/vmdk';

export interface OpenOptions {
  vhdSizeRule?: VhdSizeRule;
}

export type DetectedFormat = 'vhd' | 'vhdx' | 'vmdk' | 'unknown';

/** Recognises a disk by its content, never by its name. */
export async function detectFormat(path: string): Promise<DetectedFormat> {
  const file = await ReadOnlyFile.open(path);
  try {
    if (file.size === 0) throw new FerryError('E_NOT_A_DISK', `${path}: the file is empty.`);
    const head = await file.readExact(0, Math.min(file.size, 512), 'first sector');
    const magic = head.toString('latin1', 0, 8);
    if (magic === 'vhdxfile') return 'vhdx';
    if (magic === 'conectix') return 'vhd';
    if (head.readUInt32LE(0) === 0x564d444b) return 'vmdk';
    if (/^\s*#\s*Disk\s*Descriptor\s*File/i.test(head.toString('latin1', 0, 64))) return 'vmdk';
    if (file.size >= 511) {
      const tail = await file.readExact(file.size - Math.min(512, file.size), Math.min(512, file.size), 'last sector');
      if (hasVhdCookie(tail) || hasVhdCookie(tail, tail.length - 511)) return 'vhd';
    }
    return 'unknown';
  } finally {
    await file.close();
  }
}

export async function openSource(path: string, opts: OpenOptions = {}): Promise<DiskSource> {
  const format = await detectFormat(path);
  switch (format) {
    case 'vhd':
      return openVhd(path, opts.vhdSizeRule ? { sizeRule: opts.vhdSizeRule } : {});
    case 'vmdk':
      return (await openVmdk(path)).source;
    case 'vhdx':
      return openVhdx(path);
    case 'unknown':
      throw new FerryError(
        'E_NOT_A_DISK',
        `${path}: not a recognised disk image (no VHD footer, VHDX or VMDK signature).`,
        'Ferry reads .vhd files (fixed, dynamic and differencing) and VMDKs; is this the right file?',
      );
  }
}
