import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What worker/native/ferry_native.c gives, where `npm run build` could build it. */
export interface NativeAddon {
  compress(level: number, input: Uint8Array, output: Uint8Array, offset: number): number;
  decompress(input: Uint8Array, output: Uint8Array, offset: number, max: number): number;
  xxh3Create(): XxhState;
  xxh3Update(state: XxhState, input: Uint8Array): void;
  xxh3Digest(state: XxhState): bigint;
  /** Bytes of buffer[offset..offset+length) filled from the page cache at `position`; -1: cannot tell here. */
  readCached(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** The buffer's address modulo 4096. */
  pageOffset(buffer: Uint8Array): number;
  readonly version: string;
}

declare const xxhState: unique symbol;
/** A running XXH3 state, owned by the addon. */
export type XxhState = { readonly [xxhState]: true };

const ADDON = join('native', 'ferry_native.node');

/** out/native/ferry_native.node, searched from this file's folder up (a bundle's chunk, the CLI, the sources under tsx). */
function findAddon(): string | undefined {
  let dir = __dirname;
  for (let up = 0; up < 5; up++) {
    for (const candidate of [join(dir, ADDON), join(dir, 'out', ADDON)]) if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

let found: { path: string; addon: NativeAddon } | null | undefined;

/**
 * The addon and its path (for threads to load it too), if it is built and loads here; else
 * undefined, and the engine uses node:zlib and XXH64 in WebAssembly. FERRY_NATIVE=off makes it
 * undefined (tests and the bench compare both).
 */
export function nativeAddon(): { path: string; addon: NativeAddon } | undefined {
  if (process.env.FERRY_NATIVE === 'off') return undefined;
  if (found === undefined) {
    const path = findAddon();
    try {
      found = path ? { path, addon: require(path) as NativeAddon } : null;
    } catch {
      found = null;
    }
  }
  return found ?? undefined;
}
