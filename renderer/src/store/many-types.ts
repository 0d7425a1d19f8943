// The shape of several files opened at once (what `Setup.many` holds); the logic is in many.ts.
import type { DiskInfo } from '../../../shared/disk-info';
import type { ErrorInfo } from '../../../shared/errors';

/** "One machine with these disks" (the first boots), or "convert each one" (a queue). */
export const MANY_MODES = ['machine', 'each'] as const;
export type ManyMode = (typeof MANY_MODES)[number];

/** One of the files opened together, as its inspection answered. */
export interface ManyItem {
  path: string;
  disk: DiskInfo | null;
  error: ErrorInfo | null;
}

export interface Many {
  mode: ManyMode;
  items: ManyItem[];
}
