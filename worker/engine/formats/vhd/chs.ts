import type { Geometry } from '../../../../shared/disk-info';

/** The largest geometry a VHD can state; a disk this size (or larger) is sized by `current size`. */
export const VHD_MAX_GEOMETRY: Geometry = { cylinders: 65535, heads: 16, sectorsPerTrack: 255 };

/** The CHS geometry the VHD specification (appendix) assigns to a disk of `totalSectors`. */
export function vhdGeometryForSectors(totalSectors: number): Geometry {
  const ts = Math.min(totalSectors, 65535 * 16 * 255);
  let spt: number;
  let heads: number;
  let cth: number;
  if (ts >= 65535 * 16 * 63) {
    spt = 255;
    heads = 16;
    cth = Math.floor(ts / spt);
  } else {
    spt = 17;
    cth = Math.floor(ts / spt);
    heads = Math.max(4, Math.floor((cth + 1023) / 1024));
    if (cth >= heads * 1024 || heads > 16) {
      spt = 31;
      heads = 16;
      cth = Math.floor(ts / spt);
    }
    if (cth >= heads * 1024) {
      spt = 63;
      heads = 16;
      cth = Math.floor(ts / spt);
    }
  }
  return { cylinders: Math.floor(cth / heads), heads, sectorsPerTrack: spt };
}

export function geometryBytes(g: Geometry): number {
  return g.cylinders * g.heads * g.sectorsPerTrack * 512;
}

export function isMaxGeometry(g: Geometry): boolean {
  return (
    g.cylinders === VHD_MAX_GEOMETRY.cylinders &&
    g.heads === VHD_MAX_GEOMETRY.heads &&
    g.sectorsPerTrack === VHD_MAX_GEOMETRY.sectorsPerTrack
  );
}
