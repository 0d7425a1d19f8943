// The sectors a sparse extent's own structures occupy, so that a grain placed on them is caught.

/** A run of sectors [start, end) holding the extent's own structures, for telling grains from metadata. */
export interface MetaRange {
  start: number;
  end: number;
  what: string;
}

/** Sorts and merges ranges so one binary search finds the one a sector run may overlap. */
export function mergeRanges(ranges: MetaRange[]): MetaRange[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const out: MetaRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) {
      if (r.end > last.end) last.end = r.end;
      if (last.what !== r.what) last.what = "file's own metadata";
    } else out.push({ ...r });
  }
  return out;
}

/** The merged range that [start, end) overlaps, if any. */
export function overlappingRange(ranges: MetaRange[], start: number, end: number): MetaRange | undefined {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ranges[mid]!.start < end) lo = mid + 1;
    else hi = mid;
  }
  const r = ranges[lo - 1];
  return r && r.end > start ? r : undefined;
}
