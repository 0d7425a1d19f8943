// Several files opened at once: one machine with these disks (the first boots; the order can be
// changed), or one conversion each. Each file with what its inspection found.
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { Callout } from '../components/layout';
import { CloseIcon, DiskIcon } from '../components/icons';
import { fileName, folderOf, formatBytes } from '../format';
import { t } from '../i18n';
import { useWizard } from '../store-context';
import { MANY_MODES, machineBlocked, type Many, type ManyItem } from '../store/many';
import './ManyList.css';

function itemLine(item: ManyItem): string {
  const d = item.disk;
  if (!d) return item.error?.message ?? '';
  const format = d.format === 'raw' ? t('source.rawImage') : t('source.formatLine', { format: d.format.toUpperCase(), variant: t(`source.variant.${d.variant}`) });
  return t('many.itemLine', { format, size: formatBytes(d.virtualSize) });
}

export function ManyList({ many }: { many: Many }): ReactElement {
  const setMode = useWizard((s) => s.setManyMode);
  const move = useWizard((s) => s.moveItem);
  const remove = useWizard((s) => s.removeItem);
  const { t } = useTranslation();
  const blocked = machineBlocked(many);
  const asMachine = many.mode === 'machine';
  const last = many.items.length - 1;
  return (
    <>
      <fieldset className="many-modes">
        <legend className="sr-only">{t('many.modeLegend')}</legend>
        <div className="choice-row">
          {MANY_MODES.map((mode) => (
            <label key={mode} className={`choice is-stacked${many.mode === mode ? ' is-selected' : ''}`}>
              <input type="radio" name="many-mode" value={mode} checked={many.mode === mode} onChange={() => setMode(mode)} />
              <span className="choice-body">
                <span className="choice-title">{t(`many.mode.${mode}.title`)}</span>
                <span className="choice-line">{t(`many.mode.${mode}.line`)}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <ol className="card many-list" aria-label={t('many.listLabel')}>
        {many.items.map((item, i) => {
          const name = fileName(item.path);
          return (
            <li key={item.path} className={item.disk ? 'many-item' : 'many-item is-failed'}>
              <span className="many-index" aria-hidden="true">
                {i + 1}
              </span>
              <span className="many-icon">
                <DiskIcon size={18} />
              </span>
              <span className="many-text">
                <span className="many-name" title={item.path}>
                  {name}
                  {asMachine && i === 0 ? <span className="badge">{t('machine.boot')}</span> : null}
                </span>
                <span className="many-folder" title={item.path}>
                  {folderOf(item.path)}
                </span>
                <span className={item.disk ? 'many-line' : 'many-line is-error'}>{itemLine(item)}</span>
              </span>
              {asMachine ? (
                <span className="many-moves">
                  <button type="button" className="btn btn-ghost many-move" disabled={i === 0} onClick={() => move(i, i - 1)} aria-label={t('many.moveUp', { name })}>
                    ↑
                  </button>
                  <button type="button" className="btn btn-ghost many-move" disabled={i === last} onClick={() => move(i, i + 1)} aria-label={t('many.moveDown', { name })}>
                    ↓
                  </button>
                </span>
              ) : null}
              <button type="button" className="btn btn-ghost many-move" onClick={() => remove(i)} aria-label={t('many.remove', { name })}>
                <CloseIcon size={14} />
              </button>
            </li>
          );
        })}
      </ol>
      {blocked ? (
        <Callout tone="danger" title={t('many.blockedTitle')}>
          {t('many.blocked', { name: fileName(blocked.path) })}
        </Callout>
      ) : null}
    </>
  );
}
