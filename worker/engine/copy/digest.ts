// The digest a conversion keeps of the bytes it read, so verification can check the output
// without reading the source again.
import type { Chunk } from '../io/chunk';
import { nativeAddon } from '../io/native-addon';
import { loadXxhashWasm } from '../io/xxhash-wasm';
import { GRAIN_SIZE } from '../formats/vmdk/constants';

/** 64 grains: a region's zero mask is one 64-bit word. */
export const REGION_SIZE = 64 * GRAIN_SIZE;

/** Regions digested one by one before the rest fold into one running digest: 4 MiB of them (2 TiB of data). */
const DEFAULT_MAX_REGIONS = 1 << 18;

/** A running 64-bit hash. */
export interface RunningHash {
  update(data: Uint8Array): RunningHash;
  digest(): bigint;
}

/** Makes running hashes; every digest compared with another comes from the same one. */
export interface DigestHasher {
  /** What the README and the bench call it. */
  readonly name: string;
  create64(): RunningHash;
}

/** XXH3-64 from the native addon; undefined where it is not built. */
export function nativeHasher(): DigestHasher | undefined {
  const native = nativeAddon()?.addon;
  if (!native) return undefined;
  return {
    name: 'XXH3-64 (xxHash, native)',
    create64: () => {
      const state = native.xxh3Create();
      const running: RunningHash = {
        update: (data) => {
          native.xxh3Update(state, data);
          return running;
        },
        digest: () => native.xxh3Digest(state),
      };
      return running;
    },
  };
}

/** XXH64 in WebAssembly (`xxhash-wasm`), which runs everywhere. */
export async function wasmHasher(): Promise<DigestHasher> {
  const api = await loadXxhashWasm();
  return { name: 'XXH64 (xxhash-wasm)', create64: () => api.create64() };
}

/**
 * The native XXH3 (~2× XXH64 in WebAssembly here: it hashes the caller's memory where the
 * WebAssembly one copies it in first), else the WebAssembly XXH64. One process uses one of them
 * for both sides of every comparison.
 */
async function pickHasher(): Promise<DigestHasher> {
  return nativeHasher() ?? wasmHasher();
}

let hasher: Promise<DigestHasher> | undefined;
export function loadHasher(): Promise<DigestHasher> {
  hasher ??= pickHasher();
  return hasher;
}

/** Where two digests first part: the start of the region, or the end of the listed ones. */
export interface DigestDifference {
  offset: number;
}

/**
 * XXH64 of each 4 MiB region of the virtual disk that holds a non-zero grain: its non-zero grains'
 * bytes in disk order, then the region's zero mask, so a grain moved, lost or made up changes it.
 * The list is keyed by region, so bytes in the wrong place are caught; all-zero regions are not
 * listed. Past `maxRegions` the rest fold into one running digest of (region, digest) pairs, so
 * memory stays within a few MB for any disk. Chunks must come in disk order, grain-aligned.
 */
export class DiskDigest {
  private regions = new Float64Array(1024);
  private digests = new BigUint64Array(1024);
  private count = 0;
  private overflow: RunningHash | undefined;
  private overflowDigest: bigint | undefined;
  private current = -1;
  private currentHash: RunningHash | undefined;
  /** The region's zero mask as two 32-bit halves: a BigInt per grain cost more than its hash. */
  private maskLow = 0;
  private maskHigh = 0;
  private readonly pair = Buffer.alloc(16);

  constructor(
    private readonly hasher: DigestHasher,
    readonly maxRegions = DEFAULT_MAX_REGIONS,
  ) {}

  /** Adds the non-zero grains of `chunk` (its `zero` marks as markZeroGrains left them). */
  add(chunk: Chunk): void {
    const grains = Math.ceil(chunk.data.length / GRAIN_SIZE);
    let g = 0;
    while (g < grains) {
      if (chunk.zero[g]) {
        g++;
        continue;
      }
      // A run of non-zero grains inside one region goes to the hash in one piece.
      const region = Math.floor((chunk.offset + g * GRAIN_SIZE) / REGION_SIZE);
      this.enter(region);
      let end = g;
      while (end < grains && !chunk.zero[end] && Math.floor((chunk.offset + end * GRAIN_SIZE) / REGION_SIZE) === region) {
        const bit = ((chunk.offset + end * GRAIN_SIZE) / GRAIN_SIZE) % 64;
        if (bit < 32) this.maskLow |= 1 << bit;
        else this.maskHigh |= 1 << (bit - 32);
        end++;
      }
      this.currentHash!.update(chunk.data.subarray(g * GRAIN_SIZE, Math.min(end * GRAIN_SIZE, chunk.data.length)));
      g = end;
    }
  }

  /** Closes the last region; call once, after the last chunk. */
  finish(): void {
    this.close();
    if (this.overflow) this.overflowDigest = this.overflow.digest();
  }

  /** Undefined when `other` holds the same digests, else where the first difference lies. */
  compare(other: DiskDigest): DigestDifference | undefined {
    const n = Math.min(this.count, other.count);
    for (let i = 0; i < n; i++) {
      if (this.regions[i] !== other.regions[i]) return { offset: Math.min(this.regions[i]!, other.regions[i]!) * REGION_SIZE };
      if (this.digests[i] !== other.digests[i]) return { offset: this.regions[i]! * REGION_SIZE };
    }
    if (this.count !== other.count) {
      const longer = this.count > other.count ? this : other;
      return { offset: longer.regions[n]! * REGION_SIZE };
    }
    if (this.overflowDigest !== other.overflowDigest) return { offset: n > 0 ? this.regions[n - 1]! * REGION_SIZE : 0 };
    return undefined;
  }

  private enter(region: number): void {
    if (region === this.current) return;
    this.close();
    this.current = region;
    this.currentHash = this.hasher.create64();
    this.maskLow = 0;
    this.maskHigh = 0;
  }

  private close(): void {
    if (!this.currentHash) return;
    // The 64-bit mask, little-endian.
    this.pair.writeUInt32LE(this.maskLow >>> 0, 0);
    this.pair.writeUInt32LE(this.maskHigh >>> 0, 4);
    const digest = this.currentHash.update(this.pair.subarray(0, 8)).digest();
    this.record(this.current, digest);
    this.currentHash = undefined;
  }

  private record(region: number, digest: bigint): void {
    if (this.count < this.maxRegions) {
      if (this.count === this.regions.length) this.grow();
      this.regions[this.count] = region;
      this.digests[this.count] = digest;
      this.count++;
      return;
    }
    this.overflow ??= this.hasher.create64();
    this.pair.writeDoubleLE(region, 0);
    this.pair.writeBigUInt64LE(digest, 8);
    this.overflow.update(this.pair);
  }

  private grow(): void {
    const size = Math.min(this.maxRegions, this.regions.length * 2);
    const regions = new Float64Array(size);
    regions.set(this.regions);
    const digests = new BigUint64Array(size);
    digests.set(this.digests);
    this.regions = regions;
    this.digests = digests;
  }
}
