// Numbers as people read them, in the wizard's language: the scaling is the CLI's
// (shared/bytes.ts), the digits, units and words come from Intl and the catalogue.
import { SHORT_UNITS, scaleBytes } from '../../shared/bytes';
import { currentLanguage, t } from './i18n';

function number(n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(currentLanguage(), options).format(n);
}

/** Binary sizes with the short names file managers use: 12.3 GB, 512 MB, 800 bytes. */
export function formatBytes(n: number): string {
  const { amount, unit } = scaleBytes(n);
  if (unit === 0) return t('format.bytes', { count: n, amount: number(n) });
  return t('format.size', { amount: number(Number(amount), { maximumFractionDigits: 1 }), unit: SHORT_UNITS[unit] });
}

export function formatExactBytes(n: number): string {
  return t('format.bytes', { count: n, amount: number(n) });
}

export function formatRate(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? t('format.rate', { size: formatBytes(bytesPerSecond) }) : '—';
}

/** A rough remaining time: "a few seconds", "about 40 s", "about 3 min", "about 1 h 20 min". */
export function formatTimeLeft(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return t('format.estimating');
  if (seconds < 5) return t('format.fewSeconds');
  if (seconds < 60) return t('format.aboutSeconds', { seconds: number(Math.round(seconds / 5) * 5) });
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return t('format.aboutMinutes', { minutes: number(minutes) });
  return t('format.aboutHours', { hours: number(Math.floor(minutes / 60)), minutes: number(minutes % 60) });
}

/** How long a job took: "4.2 s" under ten seconds, whole seconds above. */
export function formatSeconds(seconds: number): string {
  return t('format.seconds', { seconds: number(seconds, seconds < 10 ? { minimumFractionDigits: 1, maximumFractionDigits: 1 } : { maximumFractionDigits: 0 }) });
}

export function formatPercent(fraction: number): string {
  return number(Math.floor(Math.min(1, Math.max(0, fraction)) * 100) / 100, { style: 'percent' });
}

/** A count in the user's digits: 1,234 or 1,234 alike, with the locale's grouping. */
export function formatCount(n: number): string {
  return number(n);
}

export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function folderOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i > 0 ? path.slice(0, i) : path;
}
