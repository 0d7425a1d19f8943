// What the engine tells the user beside its answer (warnings, the guest's evidence), as codes with
// parameters: the CLI prints the English text below; the wizard says the same code from its
// catalogue in the user's language. Plain data: notices cross the worker and IPC boundaries.
import { NOTICE_TEXTS } from './notice-texts';

export { NOTICE_TEXTS } from './notice-texts';

export type NoticeCode = keyof typeof NOTICE_TEXTS;

/** The `{{name}}` placeholders of a text, as a union of their names. */
type Placeholders<S extends string> = S extends `${string}{{${infer Name}}}${infer Rest}` ? Name | Placeholders<Rest> : never;

/**
 * A parameter: a name, path or number said as it is, or a clause of its own (a nested notice),
 * which each language says in its own words before it goes into the outer text.
 */
export type NoticeParam = string | number | AnyNotice;

/** A notice with any code (what crosses a boundary, before it is checked). */
export interface AnyNotice {
  code: NoticeCode;
  params: { readonly [name: string]: NoticeParam };
}

/** The notice for `C`: its parameters are exactly the placeholders of its English text. */
export interface NoticeOf<C extends NoticeCode> extends AnyNotice {
  code: C;
  params: { readonly [K in Placeholders<(typeof NOTICE_TEXTS)[C]>]: NoticeParam };
}

export type Notice = { [C in NoticeCode]: NoticeOf<C> }[NoticeCode];

/** Makes a notice; a code that is not in the table, or a missing or extra parameter, fails type-check. */
export function notice<C extends NoticeCode>(code: C, ...[params]: keyof NoticeOf<C>['params'] extends never ? [] : [NoticeOf<C>['params']]): NoticeOf<C> {
  return { code, params: (params ?? {}) as NoticeOf<C>['params'] };
}

/** The parameter names a code's text holds, in order of first use. */
export function placeholdersOf(code: NoticeCode): string[] {
  return [...new Set([...NOTICE_TEXTS[code].matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!))];
}

/** A notice in English, as the CLI says it: its code's text with every parameter put in (a nested notice said first). */
export function english(n: AnyNotice): string {
  const said = (p: NoticeParam): string => (typeof p === 'object' ? english(p) : String(p));
  return NOTICE_TEXTS[n.code].replace(/\{\{(\w+)\}\}/g, (_, name: string) => said(n.params[name]!));
}

export function isNoticeCode(value: unknown): value is NoticeCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(NOTICE_TEXTS, value);
}
