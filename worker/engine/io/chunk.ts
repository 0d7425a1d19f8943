/** A grain-aligned piece of the virtual disk on its way from a reader to a writer. */
export interface Chunk {
  offset: number;
  data: Buffer;
  /** 1 for each grain of `data` that is entirely zero. */
  zero: Uint8Array;
}
