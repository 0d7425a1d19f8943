// The running job: which phase, one overall bar with percent, speed and time left, and Cancel.
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { overallFraction, plannedPhases } from '../../../shared/progress';
import type { Progress } from '../../../shared/jobs';
import { Button, Step } from '../components/layout';
import { CheckIcon } from '../components/icons';
import { formatBytes, formatPercent, formatRate, formatTimeLeft } from '../format';
import { t } from '../i18n';
import { useWizard } from '../store-context';
import { effectiveSaveAs, type Setup } from '../store/choices';
import './ConvertStep.css';

type PhaseName = Progress['phase'];

function stageText(phase: PhaseName, setup: Setup): { title: string; line: string } {
  const line = t(`convert.line.${phase}`, { layers: setup.disk.compression?.layers.join(' + ') ?? '', format: setup.disk.format.toUpperCase() }).replace('  ', ' ');
  return { title: t(`convert.stage.${phase}`), line };
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
  const { t } = useTranslation();
  const plan = plannedPhases({ compressed: unpacks, verify: setup.choices.verify });
  const stages = plan.map((id) => ({ id, ...stageText(id, setup) }));
  const fraction = progress ? overallFraction(progress, plan) : 0;
  const percent = formatPercent(fraction);
  const activeIndex = progress ? Math.max(0, plan.indexOf(progress.phase)) : 0;
  const what = effectiveSaveAs(setup.choices);
  const status = cancelling ? t('convert.cancellingStatus') : starting ? t('convert.starting') : progress ? stages[activeIndex]!.title : t('convert.starting');

  return (
    <Step
      title={t('convert.title', { name: setup.choices.name })}
      subtitle={t(`convert.subtitle.${what}`)}
      actions={
        <>
          <span className="actions-note" aria-live="polite">
            {cancelling ? t('convert.stopping') : t('convert.cancelNote')}
          </span>
          <span className="spacer" />
          <Button kind="danger" onClick={() => void cancel()} disabled={cancelling || starting}>
            {cancelling ? t('convert.cancelling') : t('convert.cancel')}
          </Button>
        </>
      }
    >
      <section className="progress-card" aria-label={t('convert.progressLabel')}>
        <div className="progress-head">
          <span className="progress-status">{status}</span>
          <span className="progress-percent" aria-hidden="true">
            {percent}
          </span>
        </div>
        <div
          className={cancelling ? 'bar is-cancelling' : 'bar'}
          role="progressbar"
          aria-label={t('convert.overall')}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.floor(fraction * 100)}
          aria-valuetext={t('convert.valueText', { percent, status })}
        >
          <div className="bar-fill" style={{ width: `${(fraction * 100).toFixed(2)}%` }} />
        </div>
        <dl className="stats">
          <div>
            <dt>{t('convert.processed')}</dt>
            <dd>{progress ? t('convert.processedValue', { done: formatBytes(progress.done), total: formatBytes(progress.total) }) : '—'}</dd>
          </div>
          <div>
            <dt>{t('convert.speed')}</dt>
            <dd>{progress ? formatRate(progress.rate) : '—'}</dd>
          </div>
          <div>
            <dt>{t('convert.timeLeft')}</dt>
            <dd>{progress ? formatTimeLeft(secondsLeft(progress, plan)) : t('format.estimating')}</dd>
          </div>
        </dl>
      </section>
      <ol className="stages" aria-label={t('convert.phases')}>
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
