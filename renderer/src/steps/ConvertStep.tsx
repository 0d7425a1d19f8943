// The running job: which phase, one overall bar with percent, speed and time left, and Cancel.
import type { ReactElement } from 'react';
import { overallFraction, plannedPhases } from '../../../shared/progress';
import type { Progress } from '../../../shared/jobs';
import { Button, Step } from '../components/layout';
import { CheckIcon } from '../components/icons';
import { formatBytes, formatPercent, formatRate, formatTimeLeft } from '../format';
import { useWizard } from '../store-context';
import { effectiveSaveAs, type Setup } from '../store/choices';
import './ConvertStep.css';

type PhaseName = Progress['phase'];

function stageText(phase: PhaseName, setup: Setup): { title: string; line: string } {
  switch (phase) {
    case 'decompressing':
      return { title: 'Unpacking', line: `Decompressing the ${setup.disk.compression?.layers.join(' + ') ?? ''} download`.replace('  ', ' ') };
    case 'converting':
      return { title: 'Converting', line: `Reading the ${setup.disk.format.toUpperCase()} and writing the VMDK` };
    case 'verifying':
      return { title: 'Verifying', line: 'Reading the new disk back and comparing it with the source' };
  }
}

/** Relative cost of each phase, as the overall bar weighs them (shared/bridge.ts). */
const WEIGHT: Record<PhaseName, number> = { decompressing: 1, converting: 2, verifying: 1 };

/** Seconds left: this phase's remainder at the current rate, later phases in proportion to their weight. */
function secondsLeft(p: Progress, plan: readonly PhaseName[]): number {
  if (p.rate <= 0 || p.total <= 0) return Number.NaN;
  const thisPhase = p.total / p.rate;
  const later = plan.slice(plan.indexOf(p.phase) + 1).reduce((n, ph) => n + WEIGHT[ph], 0);
  return (p.total - p.done) / p.rate + (thisPhase * later) / WEIGHT[p.phase];
}

export function ConvertStep({
  setup,
  progress,
  unpacks,
  cancelling,
  starting,
}: {
  setup: Setup;
  progress: Progress | null;
  /** The job unpacks its source first (it is compressed, and the inspection's copy was not kept). */
  unpacks: boolean;
  cancelling: boolean;
  starting: boolean;
}): ReactElement {
  const cancel = useWizard((s) => s.cancel);
  const plan = plannedPhases({ compressed: unpacks, verify: setup.choices.verify });
  const stages = plan.map((id) => ({ id, ...stageText(id, setup) }));
  const fraction = progress ? overallFraction(progress, plan) : 0;
  const percent = formatPercent(fraction);
  const activeIndex = progress ? Math.max(0, plan.indexOf(progress.phase)) : 0;
  const what = { vm: 'virtual machine', vmdk: 'disk', ova: 'OVA' }[effectiveSaveAs(setup.choices)];
  const status = cancelling ? 'Cancelling — removing what was written…' : starting ? 'Starting…' : progress ? stages[activeIndex]!.title : 'Starting…';

  return (
    <Step
      title={`Making ${setup.choices.name}`}
      subtitle={`Ferry is building the ${what}. You can keep using your computer; closing Ferry cancels it.`}
      actions={
        <>
          <span className="actions-note" aria-live="polite">
            {cancelling ? 'Stopping…' : 'Cancel leaves nothing behind.'}
          </span>
          <span className="spacer" />
          <Button kind="danger" onClick={() => void cancel()} disabled={cancelling || starting}>
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </Button>
        </>
      }
    >
      <section className="progress-card" aria-label="Conversion progress">
        <div className="progress-head">
          <span className="progress-status">{status}</span>
          <span className="progress-percent" aria-hidden="true">
            {percent}
          </span>
        </div>
        <div
          className={cancelling ? 'bar is-cancelling' : 'bar'}
          role="progressbar"
          aria-label="Overall progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.floor(fraction * 100)}
          aria-valuetext={`${percent}, ${status}`}
        >
          <div className="bar-fill" style={{ width: `${(fraction * 100).toFixed(2)}%` }} />
        </div>
        <dl className="stats">
          <div>
            <dt>Processed</dt>
            <dd>{progress ? `${formatBytes(progress.done)} of ${formatBytes(progress.total)}` : '—'}</dd>
          </div>
          <div>
            <dt>Speed</dt>
            <dd>{progress ? formatRate(progress.rate) : '—'}</dd>
          </div>
          <div>
            <dt>Time left</dt>
            <dd>{progress ? formatTimeLeft(secondsLeft(progress, plan)) : 'estimating…'}</dd>
          </div>
        </dl>
      </section>
      <ol className="stages" aria-label="Phases">
        {stages.map((stage, i) => {
          const state = !progress || i > activeIndex ? 'pending' : i < activeIndex || (progress.done >= progress.total && i === stages.length - 1) ? 'complete' : 'active';
          return (
            <li key={stage.id} className={`stage is-${state}`}>
              <span className="stage-mark">{state === 'complete' ? <CheckIcon size={14} /> : state === 'active' ? <span className="pulse" /> : i + 1}</span>
              <span className="stage-text">
                <span className="stage-title">{stage.title}</span>
                <span className="stage-line">{stage.line}</span>
              </span>
            </li>
          );
        })}
      </ol>
    </Step>
  );
}
