import type { XXHashAPI } from 'xxhash-wasm';

/**
 * xxhash-wasm's hashes, its module loaded on first use: with the native addon built, only a
 * zstd initramfs's checksum needs it, and loading it costs every run that never does.
 */
export function loadXxhashWasm(): Promise<XXHashAPI> {
  const xxhash = require('xxhash-wasm') as () => Promise<XXHashAPI>;
  return xxhash();
}
