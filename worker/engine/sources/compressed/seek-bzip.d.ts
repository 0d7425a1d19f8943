// The part of seek-bzip 2.0.0 (pinned in package.json) that bzip2.ts drives: its block decoder,
// one block at a time. The package ships no types.
declare module 'seek-bzip' {
  interface ByteStream {
    /** The next byte, or -1 at the end. */
    readByte(): number;
    writeByte(byte: number): void;
    read(buffer: Uint8Array, offset: number, length: number): number;
  }
  class Bunzip {
    constructor(input: ByteStream, output: ByteStream);
    /** CRC of the stream so far, compared with the one after the end-of-stream marker. */
    streamCRC: number;
    reader: { read(bits: number): number; bitOffset: number; curByte: number; hasByte: boolean };
    /** Decodes the next block into memory; false at the end-of-stream marker. */
    _init_block(): boolean;
    /** Writes the decoded block to the output stream and checks its CRC. */
    _read_bunzip(): number;
    static Stream: new () => ByteStream;
  }
  export = Bunzip;
}
