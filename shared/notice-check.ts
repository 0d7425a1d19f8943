// The check on notices that cross a boundary (worker → host → renderer): a known code, exactly
// the parameters its text names, each a bounded text, a number or a nested notice.
import { PayloadError, isPlainObject, type Check } from './checks';
import { LIMITS } from './limits';
import { isNoticeCode, placeholdersOf, type AnyNotice, type Notice, type NoticeParam } from './notices';

function checkNotice(v: unknown, at: string, depth: number): AnyNotice {
  if (depth > LIMITS.noticeDepth) throw new PayloadError(at, `notices nest more than ${LIMITS.noticeDepth} deep`);
  if (!isPlainObject(v)) throw new PayloadError(at, 'expected a notice');
  for (const key of Object.keys(v)) if (key !== 'code' && key !== 'params') throw new PayloadError(`${at}.${key}`, 'is not expected here');
  if (!isNoticeCode(v.code)) throw new PayloadError(`${at}.code`, 'is not a known notice code');
  const params = v.params;
  if (!isPlainObject(params)) throw new PayloadError(`${at}.params`, 'expected an object');
  const names = placeholdersOf(v.code);
  for (const key of Object.keys(params)) if (!names.includes(key)) throw new PayloadError(`${at}.params.${key}`, `is not a parameter of ${v.code}`);
  const out: Record<string, NoticeParam> = {};
  for (const name of names) {
    const p = params[name];
    const here = `${at}.params.${name}`;
    if (typeof p === 'string') {
      if (p.length > LIMITS.warning) throw new PayloadError(here, `expected at most ${LIMITS.warning} characters`);
      out[name] = p;
    } else if (typeof p === 'number') {
      if (!Number.isFinite(p)) throw new PayloadError(here, 'expected a finite number');
      out[name] = p;
    } else if (p === undefined) throw new PayloadError(here, 'is missing');
    else out[name] = checkNotice(p, here, depth + 1);
  }
  return { code: v.code, params: out };
}

export const noticeCheck: Check<Notice> = (v, at) => checkNotice(v, at, 1) as Notice;

/**
 * An answer whose `codes` list says its `texts` list again as notices: both must be there, as
 * long as each other (one code per English line, in the same order).
 */
export function withCodes<T extends object>(check: Check<T>, texts: keyof T & string, codes: keyof T & string): Check<T> {
  return (v, at) => {
    const out = check(v, at);
    const a = out[texts] as unknown[];
    const b = out[codes] as unknown[];
    if (a.length !== b.length) throw new PayloadError(`${at}.${codes}`, `has ${b.length} entries but ${texts} has ${a.length}`);
    return out;
  };
}
