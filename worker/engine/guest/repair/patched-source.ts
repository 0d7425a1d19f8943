// The source as the output should hold it: every read overlaid with the repair's patch bytes.
// Copying and verifying against this view makes the output equal the source everywhere except
// exactly the patched bytes, which equal the patch. The source itself is never written.
import type { DiskSource, Run } from '../../sources/source';
import type { DiskPatch } from './plan';

export function patchedSource(source: DiskSource, patches: readonly DiskPatch[]): DiskSource {
  const sorted = [...patches].sort((a, b) => a.offset - b.offset);
  for (const p of sorted) {
    if (p.offset < 0 || p.offset + p.bytes.length > source.size) throw new RangeError(`patch at ${p.offset} outside the disk`);
  }
  return {
    path: source.path,
    size: source.size,
    info: source.info,
    ...(source.extentFiles ? { extentFiles: source.extentFiles } : {}),
    overlay: [...(source.overlay ?? []), ...sorted],
    async *runs(): AsyncGenerator<Run> {
      // A patch inside a run known to read as zeros turns that part of the run into data.
      for await (const e of source.runs()) {
        if (e.kind === 'data') {
          yield e;
          continue;
        }
        let at = e.offset;
        const end = e.offset + e.length;
        for (const p of sorted) {
          const from = Math.max(p.offset, at);
          const to = Math.min(p.offset + p.bytes.length, end);
          if (from >= to) continue;
          if (from > at) yield { offset: at, length: from - at, kind: 'zero' };
          yield { offset: from, length: to - from, kind: 'data' };
          at = to;
        }
        if (at < end) yield { offset: at, length: end - at, kind: 'zero' };
      }
    },
    async read(offset: number, length: number, into: Buffer): Promise<void> {
      await source.read(offset, length, into);
      for (const p of sorted) {
        const from = Math.max(p.offset, offset);
        const to = Math.min(p.offset + p.bytes.length, offset + length);
        if (from < to) p.bytes.copy(into, from - offset, from - p.offset, to - p.offset);
      }
    },
    // The job closes the source it opened; this view holds nothing of its own.
    async close(): Promise<void> {},
  };
}
