// Progress as the user sees it: the phases a job goes through and one bar over all of them.
import type { Progress } from './jobs';

/** The phases a job goes through, in order: unpacking a compressed source, converting, verifying. */
export function plannedPhases(opts: { compressed: boolean; verify: boolean }): Progress['phase'][] {
  return [...(opts.compressed ? (['decompressing'] as const) : []), 'converting', ...(opts.verify ? (['verifying'] as const) : [])];
}

/** Each phase's share of the overall bar, by its usual cost relative to the others. */
const PHASE_WEIGHT: Record<Progress['phase'], number> = { decompressing: 1, converting: 2, verifying: 1 };

/** The whole job's completed fraction (0–1) from one phase's progress: one bar that never runs backwards. */
export function overallFraction(p: Pick<Progress, 'phase' | 'done' | 'total'>, plan: readonly Progress['phase'][]): number {
  const phases = plan.includes(p.phase) ? plan : [...plan, p.phase];
  const total = phases.reduce((n, ph) => n + PHASE_WEIGHT[ph], 0);
  const before = phases.slice(0, phases.indexOf(p.phase)).reduce((n, ph) => n + PHASE_WEIGHT[ph], 0);
  const within = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 1;
  return (before + PHASE_WEIGHT[p.phase] * within) / total;
}
