// The start of a VHDX file: its identifier (with the creator) and both headers, read raw (the log
// never touches them). docs/vhdx.md#headers.
import { FerryError, corrupt } from '../../errors';
import type { ReadOnlyFile } from '../../io/read-only-file';
import { CREATOR_OFFSET, CREATOR_SIZE, HEADER_OFFSETS, HEADER_SECTION_SIZE, HEADER_SIZE, chooseHeader, parseCreator, type VhdxHeader } from '../../formats/vhdx/headers';
import type { Notice } from '../../notices';

export interface VhdxStart {
  creator: string;
  header: VhdxHeader;
}

/** Reads and checks the identifier and both headers (never touched by the log, so read raw). */
export async function readVhdxStart(file: ReadOnlyFile, warnings: Notice[]): Promise<VhdxStart> {
  if (file.size < HEADER_SECTION_SIZE) {
    throw corrupt(file.path, `the file is ${file.size} bytes, smaller than the 1 MiB header section every VHDX starts with.`);
  }
  const identifier = await file.readExact(0, CREATOR_OFFSET + CREATOR_SIZE, 'VHDX file identifier');
  if (identifier.toString('latin1', 0, 8) !== 'vhdxfile') {
    throw new FerryError('E_NOT_A_DISK', `${file.path}: no "vhdxfile" signature at offset 0.`);
  }
  const h1 = await file.readExact(HEADER_OFFSETS[0], HEADER_SIZE, 'VHDX header 1');
  const h2 = await file.readExact(HEADER_OFFSETS[1], HEADER_SIZE, 'VHDX header 2');
  return { creator: parseCreator(identifier), header: chooseHeader(file.path, [h1, h2], warnings) };
}
