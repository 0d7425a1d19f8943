import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What the compression threads call where the addon is built (worker/native/ferry_deflate.c). */
export interface DeflateAddon {
  compress(level: number, input: Uint8Array, output: Uint8Array, offset: number): number;
  decompress(input: Uint8Array, output: Uint8Array, offset: number, max: number): number;
  readonly version: string;
}

const ADDON = join('native', 'ferry_deflate.node');

/** out/native/ferry_deflate.node, searched from this file's folder up (a bundle's chunk, the CLI, the sources under tsx). */
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

let found: { path: string; version: string } | null | undefined;

/**
 * The deflate addon's path and libdeflate's version, if it is built and loads here; else
 * undefined, and grains go through node:zlib (same format, about twice the CPU).
 * FERRY_DEFLATE=zlib makes it undefined (tests and the bench compare both).
 */
export function deflateAddon(): { path: string; version: string } | undefined {
  if (process.env.FERRY_DEFLATE === 'zlib') return undefined;
  if (found === undefined) {
    const path = process.env.FERRY_DEFLATE_ADDON ?? findAddon();
    try {
      found = path ? { path, version: (require(path) as DeflateAddon).version } : null;
    } catch {
      found = null;
    }
  }
  return found ?? undefined;
}
