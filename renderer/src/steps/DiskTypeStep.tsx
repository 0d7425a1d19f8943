// WinImage's question, explained: how the VMDK stores the disk. Controller and the rarely
// needed settings sit below. ESXi takes only a stream-optimized disk: when it is the target,
// that is the type shown, and picking a hosted type says it switches back to Workstation.
import { useId, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { DiskInfo } from '../../../shared/disk-info';
import { CONTROLLERS, type Controller } from '../../../shared/options';
import { controllerLabel } from './labels';
import { Button, Callout, Step } from '../components/layout';
import { formatBytes } from '../format';
import { HW_VERSIONS } from '../guests';
import { t } from '../i18n';
import { useWizard } from '../store-context';
import { DISK_LAYOUTS, choicesForLayout, describesMachine, effectiveSaveAs, shownLayout, targetOf, type DiskLayout, type Setup } from '../store/choices';
import './DiskTypeStep.css';

const TWO_GB = 2 * 1024 * 1024 * 1024;

/** A type's badge, if it has one. */
const LAYOUT_TAG: Partial<Record<DiskLayout, () => string>> = {
  dynamic: () => t('diskType.recommended'),
  stream: () => 'ESXi / vSphere',
};

function sizeOnDisk(layout: DiskLayout, disk: DiskInfo): string {
  const data = Math.min(disk.virtualSize, disk.allocatedBytes);
  switch (layout) {
    case 'dynamic':
      return t('diskType.sizeDynamic', { size: formatBytes(data) });
    case 'fixed':
      return t('diskType.sizeFixed', { size: formatBytes(disk.virtualSize) });
    case 'split': {
      const pieces = Math.max(1, Math.ceil(disk.virtualSize / TWO_GB));
      return t('diskType.sizeSplit', { count: pieces, size: formatBytes(data) });
    }
    case 'stream':
      return t('diskType.sizeStream', { size: formatBytes(data) });
  }
}


export function DiskTypeStep({ setup }: { setup: Setup }): ReactElement {
  const next = useWizard((s) => s.next);
  const back = useWizard((s) => s.back);
  const update = useWizard((s) => s.update);
  const { t } = useTranslation();
  const { disk, choices } = setup;
  const ids = { controller: useId(), controllerHint: useId(), hw: useId(), sizeRule: useId() };
  const asMachine = describesMachine(effectiveSaveAs(choices));
  const forEsxi = targetOf(choices) === 'esxi';
  const layoutShown = shownLayout(choices);
  return (
    <Step
      title={t('diskType.title')}
      subtitle={t('diskType.subtitle')}
      onSubmit={next}
      actions={
        <>
          <Button kind="ghost" onClick={back}>
            {t('common.back')}
          </Button>
          <span className="spacer" />
          <Button kind="primary" type="submit">
            {t('common.next')}
          </Button>
        </>
      }
    >
      {forEsxi ? (
        <Callout tone="info" title={t('diskType.esxiTitle')}>
          {t('diskType.esxiText')}
        </Callout>
      ) : null}
      <fieldset className="choice-grid">
        <legend className="sr-only">{t('diskType.legend')}</legend>
        {DISK_LAYOUTS.map((layout) => {
          const tag = LAYOUT_TAG[layout]?.();
          return (
            <label key={layout} className={layoutShown === layout ? 'choice is-selected' : 'choice'}>
              <input
                type="radio"
                name="layout"
                value={layout}
                checked={layoutShown === layout}
                onChange={() => update(choicesForLayout(choices, layout))}
              />
              <span className="choice-body">
                <span className="choice-title">
                  {t(`diskType.layout.${layout}.title`)}
                  {tag ? <span className="badge">{tag}</span> : null}
                </span>
                <span className="choice-line">{t(`diskType.layout.${layout}.line`)}</span>
                <span className="choice-meta">{sizeOnDisk(layout, disk)}</span>
              </span>
            </label>
          );
        })}
      </fieldset>

      <div className="field">
        <label htmlFor={ids.controller}>{t('diskType.controller')}</label>
        <select
          id={ids.controller}
          value={choices.controller}
          aria-describedby={ids.controllerHint}
          onChange={(e) => update({ controller: e.target.value as Controller | 'auto' })}
        >
          {(['auto', ...CONTROLLERS] as const).map((c) => (
            <option key={c} value={c}>
              {controllerLabel(c)}
            </option>
          ))}
        </select>
        <p className="field-hint" id={ids.controllerHint}>
          {t('diskType.controllerHint')}
        </p>
      </div>

      <details className="disclosure">
        <summary>{t('diskType.advanced')}</summary>
        <div className="disclosure-body">
          <label className="check">
            <input type="checkbox" checked={choices.verify} onChange={(e) => update({ verify: e.target.checked })} />
            <span>
              {t('diskType.verify')}
              <span className="check-hint">{t('diskType.verifyHint')}</span>
            </span>
          </label>
          {layoutShown === 'split' ? (
            <label className="check">
              <input type="checkbox" checked={choices.preallocateSplit} onChange={(e) => update({ preallocateSplit: e.target.checked })} />
              <span>
                {t('diskType.preallocate')}
                <span className="check-hint">{t('diskType.preallocateHint')}</span>
              </span>
            </label>
          ) : null}
          {asMachine && disk.guest?.family.toLowerCase().startsWith('windows') ? (
            <label className="check">
              <input type="checkbox" checked={choices.guestRepair} onChange={(e) => update({ guestRepair: e.target.checked })} />
              <span>
                {t('diskType.repair.label')}
                <span className="check-hint">{t('diskType.repair.hint')}</span>
              </span>
            </label>
          ) : null}
          {asMachine ? (
            <div className="field">
              <label htmlFor={ids.hw}>{t('diskType.hwVersion')}</label>
              <select
                id={ids.hw}
                value={String(choices.hwVersion)}
                onChange={(e) => update({ hwVersion: e.target.value === 'auto' ? 'auto' : Number(e.target.value) })}
              >
                <option value="auto">{t('diskType.hwAuto')}</option>
                {HW_VERSIONS.map((h) => (
                  <option key={h.version} value={String(h.version)}>
                    {h.label}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {disk.sizeCandidates ? (
            <div className="field">
              <label htmlFor={ids.sizeRule}>{t('diskType.sizeFrom')}</label>
              <select
                id={ids.sizeRule}
                value={choices.vhdSizeRule}
                onChange={(e) => update({ vhdSizeRule: e.target.value as typeof choices.vhdSizeRule })}
              >
                <option value="auto">{t('diskType.sizeAuto')}</option>
                <option value="current">{t('diskType.sizeHeader', { size: formatBytes(disk.sizeCandidates.currentSize) })}</option>
                <option value="chs">{t('diskType.sizeGeometry', { size: formatBytes(disk.sizeCandidates.chsSize) })}</option>
              </select>
            </div>
          ) : null}
        </div>
      </details>
    </Step>
  );
}
