// Disks handed to the app by the OS: on the command line (Windows/Linux file associations, a
// second launch) or through macOS's open-file event. Pure apart from the injected file check.
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSourceName } from '../shared/source-names';

export interface FileOptions {
  /** Where relative paths are resolved (a second instance's working directory). */
  cwd?: string;
  isFile?: (path: string) => boolean;
}

export interface ArgvOptions extends FileOptions {
  /** Packaged apps get `[exe, ...files]`; `electron .` gets `[electron, appPath, ...files]`. */
  isPackaged: boolean;
}

export const isRegularFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** Of `candidates` (paths or `file:` URLs), the existing files with a name Ferry reads, absolute, each once. */
export function diskFiles(candidates: readonly string[], opts: FileOptions = {}): string[] {
  const isFile = opts.isFile ?? isRegularFile;
  const cwd = opts.cwd ?? process.cwd();
  const out: string[] = [];
  for (const candidate of candidates) {
    let path = candidate;
    if (/^file:/i.test(candidate)) {
      try {
        path = fileURLToPath(candidate);
      } catch {
        continue;
      }
    }
    if (path === '') continue;
    path = isAbsolute(path) ? resolve(path) : resolve(cwd, path);
    if (isSourceName(path) && !out.includes(path) && isFile(path)) out.push(path);
  }
  return out;
}

/**
 * The disk files named on a command line: switches (`--flag`, macOS's `-psn_…`, and those
 * Chromium adds to a second instance's argv) are skipped, `file:` URLs (a `%U` desktop entry)
 * become paths, and only existing files with a disk extension are kept, each once.
 */
export function pathsFromArgv(argv: readonly string[], opts: ArgvOptions): string[] {
  return diskFiles(
    argv.slice(opts.isPackaged ? 1 : 2).filter((arg) => !arg.startsWith('-')),
    opts,
  );
}

/**
 * A second launch's files: what it put in `additionalData` (its own parsed argv, reliable),
 * else its argv, which Electron may reorder or pad with switches. Checked again either way.
 */
export function launchFilesFromSecondInstance(additionalData: unknown, argv: readonly string[], opts: ArgvOptions): string[] {
  const files = (additionalData as { files?: unknown } | null | undefined)?.files;
  if (Array.isArray(files) && files.every((f): f is string => typeof f === 'string')) return diskFiles(files.slice(0, 100), opts);
  return pathsFromArgv(argv, opts);
}

/**
 * Holds launch files until the renderer says it is listening (a disk double-clicked before the
 * window exists must not be lost), then passes each batch straight on.
 */
export class LaunchQueue {
  private pending: string[] = [];
  private isReady = false;

  constructor(private readonly deliver: (paths: string[]) => void) {}

  push(paths: readonly string[]): void {
    if (paths.length === 0) return;
    if (this.isReady) this.deliver([...paths]);
    else for (const p of paths) if (!this.pending.includes(p)) this.pending.push(p);
  }

  markReady(): void {
    this.isReady = true;
    const queued = this.pending;
    this.pending = [];
    if (queued.length > 0) this.deliver(queued);
  }

  /** The renderer went away (reload): hold files again until it is back. */
  markNotReady(): void {
    this.isReady = false;
  }
}
