// The header's step indicator, derived from the phase. Earlier steps can be revisited while the
// user is still choosing options.
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useWizard } from '../store-context';
import { STEPS, isEditing, stepOf, type Phase } from '../store/phase';
import { AlertIcon, CheckIcon } from './icons';
import './Stepper.css';

type StepState = 'complete' | 'current' | 'upcoming' | 'error';

export function Stepper({ phase }: { phase: Phase }): ReactElement {
  const goTo = useWizard((s) => s.goTo);
  const { t } = useTranslation();
  const current = STEPS.findIndex((s) => s.id === stepOf(phase));
  const canRevisit = isEditing(phase);
  return (
    <nav aria-label={t('steps.nav')} className="stepper-nav">
      <ol className="stepper">
        {STEPS.map((step, i) => {
          const state: StepState =
            i < current || (phase.kind === 'done' && i === current)
              ? 'complete'
              : i === current
                ? phase.kind === 'failed'
                  ? 'error'
                  : 'current'
                : 'upcoming';
          const mark = state === 'complete' ? <CheckIcon size={13} /> : state === 'error' ? <AlertIcon size={13} /> : i + 1;
          const label = t(`steps.${step.id}`);
          const body = (
            <>
              <span className="stepper-dot">{mark}</span>
              <span className="stepper-label">{label}</span>
            </>
          );
          const revisitable = canRevisit && i < current;
          return (
            <li key={step.id} className={`stepper-item is-${state}`} aria-current={i === current ? 'step' : undefined}>
              {revisitable ? (
                <button type="button" className="stepper-link" onClick={() => goTo(step.id)} aria-label={t('steps.backTo', { step: label })}>
                  {body}
                </button>
              ) : (
                <span className="stepper-link">{body}</span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
