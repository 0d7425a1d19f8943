// Path resolution over a file-system driver: `/`-separated paths, `.` and `..`, symlinks followed
// (bounded), so callers ask for `/etc/os-release` or `Windows/System32/config/SYSTEM` directly.
import type { DiskRange, FsDriver, GuestStat } from './types';
import { fsError } from './volume';

export interface OpenFile {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

const MAX_SYMLINKS = 40;
const MAX_DEPTH = 256;
/** Files a caller may read whole unless it says otherwise. */
export const DEFAULT_MAX_FILE = 16 * 1024 * 1024;

export class GuestFs<N = unknown> {
  constructor(private readonly driver: FsDriver<N>) {}

  get type(): string {
    return this.driver.type;
  }

  /** The node a path names, following symlinks (also the last one unless `noFollow`); undefined when missing. */
  async resolve(path: string, noFollow = false): Promise<N | undefined> {
    let hops = 0;
    const parts = split(path);
    const stack: N[] = [await this.driver.root()];
    while (parts.length > 0) {
      if (stack.length > MAX_DEPTH) throw fsError(`path ${path} is nested too deep`);
      const name = parts.shift()!;
      if (name === '.') continue;
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const dir = stack[stack.length - 1]!;
      if (this.driver.stat(dir).kind !== 'dir') return undefined;
      const node = await this.driver.child(dir, name);
      if (node === undefined) return undefined;
      if (this.driver.stat(node).kind === 'symlink' && (parts.length > 0 || !noFollow)) {
        if (++hops > MAX_SYMLINKS) throw fsError(`too many symbolic links resolving ${path}`);
        const target = await this.driver.readlink(node);
        if (target.startsWith('/')) stack.splice(1);
        parts.unshift(...split(target));
        continue;
      }
      stack.push(node);
    }
    return stack[stack.length - 1];
  }

  async stat(path: string): Promise<GuestStat | undefined> {
    const node = await this.resolve(path);
    return node === undefined ? undefined : this.driver.stat(node);
  }

  /** The file's bytes, or undefined when it does not exist; fails when it is not a file or too large. */
  async readFile(path: string, maxBytes = DEFAULT_MAX_FILE): Promise<Buffer | undefined> {
    const node = await this.resolve(path);
    if (node === undefined) return undefined;
    const st = this.driver.stat(node);
    if (st.kind !== 'file') throw fsError(`${path} is not a regular file`);
    if (st.size > maxBytes) throw fsError(`${path} is ${st.size} bytes, more than the ${maxBytes} read here`);
    return this.driver.read(node, maxBytes);
  }

  /** Random access to a file (whole-file reads bounded by `maxBytes` where the driver has no ranged read). */
  async openFile(path: string, maxBytes = DEFAULT_MAX_FILE): Promise<OpenFile | undefined> {
    const node = await this.resolve(path);
    if (node === undefined) return undefined;
    const st = this.driver.stat(node);
    if (st.kind !== 'file') throw fsError(`${path} is not a regular file`);
    const d = this.driver;
    if (d.readRange) {
      return { size: st.size, read: (offset, length) => (offset < 0 || offset + length > st.size ? Promise.reject(fsError(`${path}: bytes ${offset}+${length} past its end`)) : d.readRange!(node, offset, length)) };
    }
    if (st.size > maxBytes) throw fsError(`${path} is ${st.size} bytes, more than the ${maxBytes} read here`);
    const all = await d.read(node, maxBytes);
    return {
      size: all.length,
      read: async (offset, length) => {
        if (offset < 0 || offset + length > all.length) throw fsError(`${path}: bytes ${offset}+${length} past its end`);
        return all.subarray(offset, offset + length);
      },
    };
  }

  /** Names in a directory, or undefined when it does not exist. */
  async list(path: string): Promise<string[] | undefined> {
    const node = await this.resolve(path);
    if (node === undefined || this.driver.stat(node).kind !== 'dir') return undefined;
    return this.driver.list(node);
  }

  /** Where a file's data lies on the disk (NTFS only), or undefined when the file is missing. */
  async diskRanges(path: string): Promise<DiskRange[] | undefined> {
    if (!this.driver.diskRanges) throw fsError(`${this.driver.type} does not map files to disk ranges`);
    const node = await this.resolve(path);
    return node === undefined ? undefined : this.driver.diskRanges(node);
  }
}

function split(path: string): string[] {
  return path.split(/[/\\]+/).filter((p) => p !== '');
}
