// Byte counts as people read them: one rule for the CLI and the app (binary multiples, whole
// numbers from 100 up, one decimal below). The CLI names the units as IEC does (MiB), the app as
// file managers do (MB); both mean 1024-based.

export const IEC_UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;
export const SHORT_UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** `n` scaled to the largest binary multiple under it: the number as text and the unit's index (0 = bytes). */
export function scaleBytes(n: number): { amount: string; unit: number } {
  let v = n;
  let unit = 0;
  while (v >= 1024 && unit < IEC_UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  if (unit === 0) return { amount: String(n), unit };
  return { amount: v >= 100 ? String(Math.round(v)) : v.toFixed(1).replace(/\.0$/, ''), unit };
}

/** "1.5 GiB", "512 MiB", "800 bytes" (the CLI's and the engine's messages). */
export function formatBytesIec(n: number): string {
  const { amount, unit } = scaleBytes(n);
  return `${amount} ${IEC_UNITS[unit]}`;
}
