// "Convert each one": the queue with each disk's own bar, rate and outcome; cancel the disk
// converting now or all that are left; whether a failure stops the rest.
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { overallFraction, plannedPhases } from '../../../shared/progress';
import { Button, Step } from '../components/layout';
import { AlertIcon, CheckIcon, CloseIcon } from '../components/icons';
import { fileName, formatPercent, formatRate } from '../format';
import { t } from '../i18n';
import { useWizard } from '../store-context';
import type { Setup } from '../store/choices';
import { currentItem, isFinished, type QueueItem } from '../store/many';
import { errorTitle } from './labels';
import './QueueStep.css';

export function itemFraction(item: QueueItem, verify: boolean): number {
  if (item.state === 'done') return 1;
  if (!item.progress) return 0;
  return overallFraction(item.progress, plannedPhases({ compressed: item.unpacks, verify }));
}

function StateMark({ item }: { item: QueueItem }): ReactElement {
  if (item.state === 'done') return <CheckIcon size={15} />;
  if (item.state === 'failed') return <AlertIcon size={15} />;
  if (item.state === 'cancelled') return <CloseIcon size={15} />;
  const pulsing = item.state === 'running';
  return <span className={pulsing ? 'queue-dot queue-pulse' : 'queue-dot'} />;
}

/** What the item's line says: its phase and rate, or its outcome. */
export function itemStatus(item: QueueItem): string {
  switch (item.state) {
    case 'waiting':
      return t('queue.waiting');
    case 'running':
      return item.progress ? `${t(`convert.stage.${item.progress.phase}`)} · ${formatRate(item.progress.rate)}` : t('convert.starting');
    case 'done':
      return t('queue.doneLine', { name: fileName(item.result?.vmx ?? item.result?.output ?? '') });
    case 'failed':
      return item.error ? t('queue.failedLine', { title: errorTitle(item.error.code), message: item.error.message }) : '';
    case 'cancelled':
      return t('queue.cancelledLine');
  }
}

export function QueueStep({ setup, items, continueAfterFailure, stopping }: { setup: Setup; items: QueueItem[]; continueAfterFailure: boolean; stopping: boolean }): ReactElement {
  const cancelCurrent = useWizard((s) => s.cancelCurrent);
  const cancelAll = useWizard((s) => s.cancelAll);
  const setContinue = useWizard((s) => s.setContinueAfterFailure);
  const { t } = useTranslation();
  const finished = items.filter(isFinished).length;
  const current = currentItem(items);
  return (
    <Step
      title={t('queue.title', { count: items.length })}
      subtitle={t('queue.subtitle', { done: finished, count: items.length })}
      actions={
        <>
          <label className="check queue-continue">
            <input type="checkbox" checked={continueAfterFailure} onChange={(e) => setContinue(e.target.checked)} />
            <span>{t('queue.continueAfterFailure')}</span>
          </label>
          <span className="spacer" />
          <Button kind="secondary" onClick={() => void cancelCurrent()} disabled={current < 0 || stopping}>
            {t('queue.cancelCurrent')}
          </Button>
          <Button kind="danger" onClick={() => void cancelAll()} disabled={current < 0 || stopping}>
            {t('queue.cancelAll')}
          </Button>
        </>
      }
    >
      <ol className="card queue-list" aria-label={t('queue.listLabel')}>
        {items.map((item) => {
          const fraction = itemFraction(item, setup.choices.verify);
          const percent = formatPercent(fraction);
          return (
            <li key={item.path} className={`queue-item is-${item.state}`}>
              <span className="queue-mark">
                <StateMark item={item} />
              </span>
              <span className="queue-text">
                <span className="queue-head">
                  <span className="queue-name" title={item.path}>
                    {item.name}
                  </span>
                  <span className="queue-percent">{item.state === 'running' || item.state === 'done' ? percent : ''}</span>
                </span>
                {item.state === 'running' || item.state === 'done' ? (
                  <span
                    className="bar queue-bar"
                    role="progressbar"
                    aria-label={t('queue.itemProgress', { name: item.name })}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={Math.floor(fraction * 100)}
                  >
                    <span className="bar-fill" style={{ width: `${(fraction * 100).toFixed(2)}%` }} />
                  </span>
                ) : null}
                <span className="queue-line">{itemStatus(item)}</span>
              </span>
            </li>
          );
        })}
      </ol>
    </Step>
  );
}
