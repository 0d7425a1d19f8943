// How every fallible call across a boundary answers: a value or a typed error, never a throw.
import type { ErrorInfo } from './errors';

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (error: ErrorInfo): { ok: false; error: ErrorInfo } => ({ ok: false, error });

export type Unsubscribe = () => void;
