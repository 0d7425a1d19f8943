/** A decoder's complaint about its input; the unpacker adds which file and layer it was. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}
