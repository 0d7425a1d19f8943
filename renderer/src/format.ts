// Numbers as people read them.
import { SHORT_UNITS, scaleBytes } from '../../shared/bytes';

/** Binary sizes with the short names file managers use: 12.3 GB, 512 MB, 800 bytes. */
export function formatBytes(n: number): string {
  const { amount, unit } = scaleBytes(n);
  if (unit === 0) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  return `${amount} ${SHORT_UNITS[unit]}`;
}

export function formatExactBytes(n: number): string {
  return `${n.toLocaleString('en-US')} bytes`;
}

export function formatRate(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : '—';
}

/** A rough remaining time: "a few seconds", "about 40 s", "about 3 min", "about 1 h 20 min". */
export function formatTimeLeft(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'estimating…';
  if (seconds < 5) return 'a few seconds';
  if (seconds < 60) return `about ${Math.round(seconds / 5) * 5} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatPercent(fraction: number): string {
  return `${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function folderOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i > 0 ? path.slice(0, i) : path;
}
