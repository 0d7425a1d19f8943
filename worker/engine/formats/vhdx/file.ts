/** What the VHDX reader reads its structures and data through: the file, or the file as patched by its log. */
export interface VhdxFile {
  readonly path: string;
  /** The file's size, or the size the log replay extends it to. */
  readonly size: number;
  readExact(position: number, length: number, what: string, into?: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}
