import type { ErrorCode, ErrorInfo } from '../../shared/errors';
import { LIMITS, fitText } from '../../shared/limits';

/** An expected failure with a stable code, a one-line message and an optional hint. */
export class FerryError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'FerryError';
  }

  toInfo(): ErrorInfo {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

export function corrupt(file: string, what: string, hint?: string): FerryError {
  return new FerryError(
    'E_CORRUPT',
    `${file}: ${what}`,
    hint ?? 'The file is damaged or was not written completely; try a fresh copy of the disk.',
  );
}

export function cancelled(): FerryError {
  return new FerryError('E_CANCELLED', 'Cancelled.');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}

/**
 * Maps anything thrown to the plain error data that crosses boundaries. Never includes a stack.
 * A message naming many long paths is cut in the middle to what the contract carries, the same
 * for the CLI and the app.
 */
export function toErrorInfo(err: unknown, context?: string): ErrorInfo {
  const info = describeError(err, context);
  const message = fitText(info.message, LIMITS.message);
  return info.hint === undefined ? { code: info.code, message } : { code: info.code, message, hint: fitText(info.hint, LIMITS.message) };
}

function describeError(err: unknown, context?: string): ErrorInfo {
  if (err instanceof FerryError) return err.toInfo();
  const sys = err as NodeJS.ErrnoException | undefined;
  const where = sys?.path ?? context;
  const at = where ? `${where}: ` : '';
  switch (sys?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return { code: 'E_NO_SPACE', message: `${at}no space left on the device.`, hint: 'Free some space or choose another destination.' };
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return { code: 'E_PERMISSION', message: `${at}permission denied.`, hint: 'Choose a location you can write to.' };
    case 'ENOENT':
      return { code: 'E_NOT_FOUND', message: `${at}no such file or folder.` };
    case 'EISDIR':
      return { code: 'E_NOT_A_DISK', message: `${at}is a folder, not a disk image.` };
    case 'EEXIST':
      return { code: 'E_EXISTS', message: `${at}already exists.`, hint: 'Choose another name, or pass --overwrite.' };
    case 'EIO':
    case 'EMFILE':
    case 'ENFILE':
    case 'EFBIG':
    case 'ENAMETOOLONG':
    case 'ENOTDIR':
    case 'EXDEV':
    case 'EBUSY':
      return { code: 'E_IO', message: `${at}${sys.message.replace(/^[A-Z]+: /, '')}` };
  }
  // Only operating-system errors (ENOSPC, EROFS, …) are I/O; Node's own ERR_* codes (a buffer read
  // out of range, a bad argument) are bugs and must say so rather than pass for an I/O failure.
  if (sys && typeof sys.code === 'string' && /^E[A-Z0-9]+$/.test(sys.code)) {
    return { code: 'E_IO', message: `${at}${sys.message}` };
  }
  if (err instanceof RangeError && /Array buffer allocation|allocation failed/i.test(err.message)) {
    return { code: 'E_CORRUPT', message: `${at}a table is too large to load.` };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: 'E_INTERNAL',
    message: `Internal error: ${message}`,
    hint: 'This is a bug in Ferry; please report it with the disk\'s `ferry inspect` output.',
  };
}
