// Which file a descriptor's extent may be read from: names inside the descriptor's own folder
// only (see ../inside-paths.ts), and inside an archive only what was unpacked from it.
import { realpath } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { FerryError } from '../../errors';
import type { DescriptorExtent } from '../../formats/vmdk/descriptor';
import { resolveInside } from '../inside-paths';

/**
 * Where extents may come from: the descriptor's folder (any disk the user opens), the files
 * unpacked from the archive the descriptor came from, or anywhere (a descriptor Ferry wrote
 * itself, such as a zero-copy one pointing at the source disk).
 */
export type ExtentScope = { kind: 'folder' } | { kind: 'archive'; files: readonly string[] } | { kind: 'anywhere' };

const SHOWN_LINE = 160;

/** `line 7 ("RW 8 FLAT "../x" 0")`, the text cut short and without control characters. */
function lineRef(extent: DescriptorExtent): string {
  if (!extent.line) return `the extent "${printable(extent.fileName ?? '')}"`;
  const text = printable(extent.line.text);
  return `line ${extent.line.number} (${text.length > SHOWN_LINE ? `${text.slice(0, SHOWN_LINE)}…` : text})`;
}

function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** The path to open for `extent` of the descriptor at `descriptorPath`, or a refusal naming its line. */
export async function extentFilePath(descriptorPath: string, extent: DescriptorExtent, scope: ExtentScope): Promise<string> {
  const name = extent.fileName!;
  const dir = dirname(descriptorPath);
  if (scope.kind === 'anywhere') return resolve(dir, name);
  const answer = await resolveInside(dir, name);
  if (!answer.ok) {
    throw new FerryError(
      'E_UNSUPPORTED',
      `${descriptorPath}: ${lineRef(extent)}: the extent "${printable(name)}" is refused: ${answer.reason}. Ferry reads extents only from the descriptor's own folder.`,
      'A descriptor may name only files in its own folder (or a folder below it); a name that leads elsewhere could read files you never chose into the output. If the extent is yours, copy it next to the descriptor and name it there.',
    );
  }
  if (scope.kind === 'archive') {
    const real = await realpath(answer.path).catch(() => answer.path);
    const allowed = await Promise.all(scope.files.map((f) => realpath(f).catch(() => resolve(f))));
    if (!allowed.includes(real)) {
      throw new FerryError(
        'E_UNSUPPORTED',
        `${descriptorPath}: ${lineRef(extent)}: the extent "${printable(name)}" is not in the archive the descriptor came from; a descriptor unpacked from an archive may use only extents from the same archive.`,
        'Unpack the archive into a folder of its own and open the descriptor there.',
      );
    }
  }
  return answer.path;
}
