// After a queue: each disk's outcome, with "Show in folder" for those made.
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Step } from '../components/layout';
import { AlertIcon, CheckIcon, CloseIcon, FolderIcon } from '../components/icons';
import { useWizard } from '../store-context';
import type { QueueItem } from '../store/many';
import { itemStatus } from './QueueStep';
import './QueueDoneStep.css';

export function QueueDoneStep({ items }: { items: QueueItem[] }): ReactElement {
  const showInFolder = useWizard((s) => s.showInFolder);
  const startOver = useWizard((s) => s.startOver);
  const { t } = useTranslation();
  const made = items.filter((i) => i.state === 'done').length;
  return (
    <Step
      title={t('queueDone.title', { done: made, count: items.length })}
      subtitle={made === items.length ? t('queueDone.subtitleAll') : t('queueDone.subtitleSome')}
      icon={<span className={made === items.length ? 'done-mark' : 'error-mark'}>{made === items.length ? <CheckIcon size={26} /> : <AlertIcon size={26} />}</span>}
      actions={
        <>
          <span className="spacer" />
          <Button kind="primary" onClick={startOver}>
            {t('queueDone.convertMore')}
          </Button>
        </>
      }
    >
      <ol className="card outcome-list" aria-label={t('queueDone.listLabel')}>
        {items.map((item) => {
          const output = item.result ? (item.result.vmx ?? item.result.output) : null;
          return (
            <li key={item.path} className={`outcome is-${item.state}`}>
              <span className="outcome-mark">{item.state === 'done' ? <CheckIcon size={15} /> : item.state === 'failed' ? <AlertIcon size={15} /> : <CloseIcon size={15} />}</span>
              <span className="outcome-text">
                <span className="outcome-name" title={item.path}>
                  {item.name}
                </span>
                <span className="outcome-line">{output ?? itemStatus(item)}</span>
              </span>
              {output ? (
                <Button kind="secondary" onClick={() => void showInFolder(output)} icon={<FolderIcon size={16} />} aria-label={t('queueDone.showInFolderOf', { name: item.name })}>
                  {t('done.showInFolder')}
                </Button>
              ) : null}
            </li>
          );
        })}
      </ol>
    </Step>
  );
}
