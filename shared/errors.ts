// Errors cross every boundary (worker → main → renderer, engine → CLI) as plain data with a
// stable code. The exit code of the CLI is a function of the code.

export const ERROR_CODES = [
  'E_USAGE', // the request itself is malformed
  'E_NOT_FOUND', // the source path does not exist
  'E_NOT_A_DISK', // no known disk signature
  'E_UNSUPPORTED', // a disk we recognise but cannot convert (and say why)
  'E_CORRUPT', // a structure is damaged or lies
  'E_PARENT_MISSING', // a differencing disk's parent cannot be found
  'E_PARENT_MISMATCH', // a parent was found but is not the right one
  'E_PARENT_LOOP', // a differencing chain refers back to itself
  'E_EXISTS', // the output exists and overwriting was not asked for
  'E_NO_SPACE', // not enough free space at the destination
  'E_PERMISSION', // the destination (or source) cannot be accessed
  'E_IO', // any other I/O failure
  'E_VERIFY', // the verification pass found a difference
  'E_CANCELLED',
  'E_INTERNAL', // a bug: we say so rather than pretend it is the user's fault
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  /** What went wrong, and where (file, structure, offset). One line. */
  message: string;
  /** What the user can do about it. One line, optional. */
  hint?: string;
}

/** CLI exit codes (README.md#command-line): 1 usage, 2 bad or unsupported input, 3 I/O, 130 cancelled. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'E_USAGE':
      return 1;
    case 'E_NOT_FOUND':
    case 'E_NOT_A_DISK':
    case 'E_UNSUPPORTED':
    case 'E_CORRUPT':
    case 'E_PARENT_MISSING':
    case 'E_PARENT_MISMATCH':
    case 'E_PARENT_LOOP':
      return 2;
    case 'E_CANCELLED':
      return 130;
    case 'E_EXISTS':
    case 'E_NO_SPACE':
    case 'E_PERMISSION':
    case 'E_IO':
    case 'E_VERIFY':
    case 'E_INTERNAL':
      return 3;
  }
}
