// The engine's notices as the CLI says them, for tests that call the engine below its boundary.
import type { GuestGuess } from '../../shared/disk-info';
import type { AnyNotice } from '../../shared/notices';
import { english, type EngineGuestGuess } from '../../worker/engine/notices';

/** Each notice in English, as `warnings` and `evidence` hold them. */
export const words = (list: readonly AnyNotice[]): string[] => list.map(english);

/** A guess as `inspect` answers it, back as the engine holds it (evidence as notices). */
export function engineGuest(g: GuestGuess): EngineGuestGuess {
  const { evidenceCodes, evidence: _, ...rest } = g;
  return { ...rest, evidence: evidenceCodes };
}
