// The building blocks of every runtime check on a payload that crosses a boundary (renderer ↔
// host, main ↔ worker): each takes an untrusted value and the path to it, and answers it typed or
// throws a PayloadError that says where it is wrong.
import { isOneOf } from './options';

/** A payload that is not what the contract says, with where in it the problem is. */
export class PayloadError extends Error {
  constructor(
    readonly at: string,
    what: string,
  ) {
    super(`${at}: ${what}`);
    this.name = 'PayloadError';
  }
}

export type Check<T> = (v: unknown, at: string) => T;
export type Checked<C> = C extends Check<infer T> ? T : never;
export type Shape = Record<string, Check<unknown>>;

export const MAX_TEXT = 64 * 1024;

export function text(opts: { min?: number; max?: number; pattern?: RegExp } = {}): Check<string> {
  const { min = 0, max = MAX_TEXT, pattern } = opts;
  return (v, at) => {
    if (typeof v !== 'string') throw new PayloadError(at, 'expected a string');
    if (v.length < min || v.length > max) throw new PayloadError(at, `expected ${min}–${max} characters`);
    if (pattern && !pattern.test(v)) throw new PayloadError(at, 'has characters that are not allowed');
    return v;
  };
}

export const finite: Check<number> = (v, at) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new PayloadError(at, 'expected a number');
  return v;
};

export function integer(min: number, max: number): Check<number> {
  return (v, at) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      throw new PayloadError(at, `expected a whole number from ${min} to ${max}`);
    }
    return v;
  };
}

export const count = integer(0, Number.MAX_SAFE_INTEGER);

export const bool: Check<boolean> = (v, at) => {
  if (typeof v !== 'boolean') throw new PayloadError(at, 'expected true or false');
  return v;
};

export function oneOf<T extends string>(list: readonly T[]): Check<T> {
  return (v, at) => {
    if (!isOneOf(list, v)) throw new PayloadError(at, `expected one of ${list.join(', ')}`);
    return v;
  };
}

export function literal<T extends string | boolean | null>(value: T): Check<T> {
  return (v, at) => {
    if (v !== value) throw new PayloadError(at, `expected ${JSON.stringify(value)}`);
    return value;
  };
}

export function list<T>(item: Check<T>, max = 100_000): Check<T[]> {
  return (v, at) => {
    if (!Array.isArray(v)) throw new PayloadError(at, 'expected a list');
    if (v.length > max) throw new PayloadError(at, `expected at most ${max} items`);
    return v.map((x, i) => item(x, `${at}[${i}]`));
  };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * An object with these keys (optional ones may be missing or undefined). Other keys are refused
 * in what the renderer sends (`refuse`), and dropped from what the host and worker answer
 * (`drop`), so a field the engine adds later cannot break the app before this file learns it.
 */
export function record<R extends Shape, O extends Shape = Record<never, never>>(
  required: R,
  optional?: O,
  extra: 'refuse' | 'drop' = 'refuse',
): Check<{ [K in keyof R]: Checked<R[K]> } & { [K in keyof O]?: Checked<O[K]> }> {
  return (v, at) => {
    if (!isPlainObject(v)) throw new PayloadError(at, 'expected an object');
    const out: Record<string, unknown> = {};
    if (extra === 'refuse') {
      for (const key of Object.keys(v)) {
        if (!Object.hasOwn(required, key) && !(optional && Object.hasOwn(optional, key))) throw new PayloadError(`${at}.${key}`, 'is not expected here');
      }
    }
    for (const [key, check] of Object.entries(required)) out[key] = check(v[key], `${at}.${key}`);
    for (const [key, check] of Object.entries(optional ?? {})) {
      if (v[key] !== undefined) out[key] = check(v[key], `${at}.${key}`);
    }
    return out as { [K in keyof R]: Checked<R[K]> } & { [K in keyof O]?: Checked<O[K]> };
  };
}

/** A record in an answer (host or worker to us): unknown keys are dropped, not refused. */
export function answer<R extends Shape, O extends Shape = Record<never, never>>(required: R, optional?: O) {
  return record(required, optional, 'drop');
}

/** A union discriminated by `key`, one record per tag. */
export function tagged<K extends string, M extends Record<string, Check<unknown>>>(key: K, variants: M): Check<Checked<M[keyof M]>> {
  return (v, at) => {
    if (!isPlainObject(v)) throw new PayloadError(at, 'expected an object');
    const tag = v[key];
    if (typeof tag !== 'string' || !Object.hasOwn(variants, tag)) {
      throw new PayloadError(`${at}.${key}`, `expected one of ${Object.keys(variants).join(', ')}`);
    }
    return variants[tag]!(v, at) as Checked<M[keyof M]>;
  };
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (v, at) => (v === null ? null : check(v, at));
}

export function run<T>(check: Check<T>, v: unknown, at: string): T {
  return check(v, at);
}
