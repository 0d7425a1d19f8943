// The wizard's state as one union: each kind carries exactly what its step needs, so "converting
// without a job" or "done without a result" cannot be written down. The step shown derives from it.
import type { ErrorInfo } from '../../../shared/errors';
import type { JobResult, Progress } from '../../../shared/jobs';
import type { MachineInspection } from '../../../shared/api';
import type { Setup } from './choices';
import type { QueueItem } from './many';

/** Where "Back" leads from an error: pick another disk, or change the options and try again. */
export type Recovery = { to: 'welcome' } | { to: 'save'; setup: Setup };

export type Phase =
  | { kind: 'welcome' }
  /** `progress`: unpacking a compressed download, while that is under way. */
  | { kind: 'inspecting'; path: string; progress: Progress | null }
  /** Several files opened at once, read one after the other (`index`: the one being read). */
  | { kind: 'inspectingMany'; paths: string[]; index: number }
  /** A machine configuration that cannot be converted yet: a disk is missing, unreadable or outside its folder and not confirmed. `checking`: asking again. */
  | { kind: 'machine'; path: string; inspection: MachineInspection; checking: boolean }
  | { kind: 'source'; setup: Setup }
  | { kind: 'diskType'; setup: Setup }
  | { kind: 'save'; setup: Setup }
  | { kind: 'starting'; setup: Setup }
  /** `unpacks`: the job began by unpacking its source (the inspection's unpacked copy was not there to reuse). */
  | { kind: 'converting'; setup: Setup; jobId: string; progress: Progress | null; unpacks: boolean; cancelling: boolean }
  | { kind: 'done'; setup: Setup; result: JobResult }
  /** Several files converted one by one. `starting`: jobs are still being handed to the host; `stopping`: the user cancelled the rest. */
  | { kind: 'queue'; setup: Setup; items: QueueItem[]; continueAfterFailure: boolean; starting: boolean; stopping: boolean }
  | { kind: 'queueDone'; setup: Setup; items: QueueItem[] }
  | { kind: 'failed'; error: ErrorInfo; recovery: Recovery };

export type PhaseKind = Phase['kind'];
export type EditingPhase = Extract<Phase, { kind: 'source' | 'diskType' | 'save' }>;

export const STEPS = [
  { id: 'source' },
  { id: 'diskType' },
  { id: 'save' },
  { id: 'convert' },
  { id: 'done' },
] as const;
export type StepId = (typeof STEPS)[number]['id'];

export function stepOf(phase: Phase): StepId {
  switch (phase.kind) {
    case 'welcome':
    case 'inspecting':
    case 'inspectingMany':
    case 'machine':
    case 'source':
      return 'source';
    case 'diskType':
      return 'diskType';
    case 'save':
      return 'save';
    case 'starting':
    case 'converting':
    case 'queue':
      return 'convert';
    case 'done':
    case 'queueDone':
      return 'done';
    case 'failed':
      return phase.recovery.to === 'welcome' ? 'source' : 'convert';
  }
}

export function isEditing(phase: Phase): phase is EditingPhase {
  return phase.kind === 'source' || phase.kind === 'diskType' || phase.kind === 'save';
}

/** The setup a phase carries, if any. */
export function setupOf(phase: Phase): Setup | null {
  switch (phase.kind) {
    case 'welcome':
    case 'inspecting':
    case 'inspectingMany':
    case 'machine':
      return null;
    case 'failed':
      return phase.recovery.to === 'save' ? phase.recovery.setup : null;
    default:
      return phase.setup;
  }
}
