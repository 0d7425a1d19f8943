import type { EngineMachineInfo } from '../notices';

/** What a parser reads from a configuration's content alone; the loader adds where it lies. */
export type ParsedMachine = Omit<EngineMachineInfo, 'config' | 'tree'>;

/** A whole number from a configuration's text, or undefined when it is absent or not one. */
export function wholeNumber(text: string | undefined, radix = 10): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (!(radix === 16 ? /^(0x)?[0-9a-f]+$/i : /^[0-9]+$/).test(t)) return undefined;
  const n = parseInt(t, radix);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Windows writes booleans as True/False, Virtual PC as true/false, VMware as TRUE/"1". */
export function truthy(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === '1' || t === 'yes') return true;
  if (t === 'false' || t === '0' || t === 'no') return false;
  return undefined;
}
