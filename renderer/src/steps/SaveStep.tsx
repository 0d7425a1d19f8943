// Where the machine will run (Workstation / Player / Fusion, or ESXi / vSphere), in what form,
// what to call it and where; for a machine, the settings VMware needs, prefilled from what the
// inspection detected.
import { useId, type ReactElement } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Button, Callout, Step } from '../components/layout';
import { FolderIcon, ServerIcon, VmIcon } from '../components/icons';
import { GUEST_GROUPS, guestLabel } from '../guests';
import { FirstBootFields } from './FirstBootFields';
import { t } from '../i18n';
import { useWizard } from '../store-context';
import {
  MAX_NAME,
  TARGETS,
  choicesForPackaging,
  choicesForTarget,
  describesMachine,
  effectiveSaveAs,
  isQueue,
  offersFirstBoot,
  onlyMachine,
  packagingOf,
  plannedOutput,
  problemsWith,
  recognisedGuest,
  targetOf,
  type Choices,
  type Packaging,
  type Setup,
  type Target,
} from '../store/choices';
import './SaveStep.css';

// The words are read from the catalogue each time they are shown, so a change of language reaches them.
const TARGET: Record<Target, { title: string; line: string; icon: ReactElement }> = {
  workstation: {
    title: 'VMware Workstation / Player / Fusion',
    get line() {
      return t('save.targetWorkstationLine');
    },
    icon: <VmIcon size={22} />,
  },
  esxi: {
    title: 'ESXi / vSphere',
    get line() {
      return t('save.targetEsxiLine');
    },
    icon: <ServerIcon size={22} />,
  },
};

const packagingText = (target: Target, p: Packaging): { label: string; hint: string } => ({
  get label() {
    return t(`save.packaging.${target}.${p}.label`);
  },
  get hint() {
    return t(`save.packaging.${target}.${p}.hint`);
  },
});

const PACKAGING: Record<Target, Record<Packaging, { label: string; hint: string }>> = {
  workstation: { machine: packagingText('workstation', 'machine'), diskOnly: packagingText('workstation', 'diskOnly') },
  esxi: { machine: packagingText('esxi', 'machine'), diskOnly: packagingText('esxi', 'diskOnly') },
};

/** For ESXi after fixed or split was picked: say that it does not apply here (it is kept for Workstation). */
function ignoredLayoutNote(c: Choices): string {
  return targetOf(c) === 'esxi' && (c.layout === 'fixed' || c.layout === 'split') ? t('save.ignoredLayout', { layout: t(`diskType.layout.${c.layout}.title`) }) : '';
}

/** A number input's value: NaN while the box is empty or holds something that is not a number. */
const asNumber = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));

export function SaveStep({ setup }: { setup: Setup }): ReactElement {
  const back = useWizard((s) => s.back);
  const update = useWizard((s) => s.update);
  const convert = useWizard((s) => s.convert);
  const chooseDestination = useWizard((s) => s.chooseDestination);
  const { t } = useTranslation();
  const { disk, choices } = setup;
  const saveAs = effectiveSaveAs(choices);
  const target = targetOf(choices);
  const packaging = packagingOf(choices);
  const problems = problemsWith(choices);
  const blocked = Object.keys(problems).length > 0;
  const id = { name: useId(), dest: useId(), guest: useId(), memory: useId(), cpus: useId(), err: useId(), why: useId(), packaging: useId(), packagingHint: useId() };
  const detected = recognisedGuest(disk);
  const detectedGuest = detected?.guestOS;
  const guestKnown = guestLabel(choices.guestOS) !== undefined;
  // Several files one by one: each takes its own name and hardware from what was found on it.
  const queue = isQueue(setup);
  const packagings: Packaging[] = onlyMachine(setup) ? ['machine'] : ['machine', 'diskOnly'];

  return (
    <Step
      title={t('save.title')}
      subtitle={t('save.subtitle')}
      onSubmit={() => void convert()}
      actions={
        <>
          <Button kind="ghost" onClick={back}>
            {t('common.back')}
          </Button>
          <span className="spacer" />
          {blocked ? (
            <span className="actions-note" id={id.err}>
              {t('save.fixFields')}
            </span>
          ) : null}
          <Button kind="primary" type="submit" disabled={blocked} {...(blocked ? { 'aria-describedby': id.err } : {})}>
            {t('save.convert')}
          </Button>
        </>
      }
    >
      <fieldset className="targets" aria-describedby={id.why}>
        <legend className="section-label">{t('save.whereLegend')}</legend>
        <div className="choice-row">
          {TARGETS.map((t) => (
            <label key={t} className={`choice is-stacked${target === t ? ' is-selected' : ''}`}>
              <input type="radio" name="target" value={t} checked={target === t} onChange={() => update(choicesForTarget(choices, t))} />
              <span className="choice-body">
                <span className="choice-title">
                  <span className="choice-icon">{TARGET[t].icon}</span>
                  {TARGET[t].title}
                </span>
                <span className="choice-line">{TARGET[t].line}</span>
              </span>
            </label>
          ))}
        </div>
        <p className="targets-why" id={id.why}>
          {t('save.whyTwoTargets')}
        </p>
      </fieldset>

      <div className="field">
        <span className="label" id={id.packaging}>
          {t('save.saveAs')}
        </span>
        <div className="segmented" role="radiogroup" aria-labelledby={id.packaging} aria-describedby={id.packagingHint}>
          {packagings.map((p) => (
            <label key={p} className={packaging === p ? 'segment is-selected' : 'segment'}>
              <input type="radio" name="packaging" value={p} checked={packaging === p} onChange={() => update(choicesForPackaging(choices, p))} />
              <span>{PACKAGING[target][p].label}</span>
            </label>
          ))}
        </div>
        <p className="field-hint" id={id.packagingHint}>
          {PACKAGING[target][packaging].hint}
          {ignoredLayoutNote(choices)}
        </p>
      </div>

      <div className="form-grid">
        {queue ? (
          <div className="field">
            <span className="label">{t('save.name')}</span>
            <p className="field-hint">{t('save.queueNames', { count: setup.many?.items.length ?? 0 })}</p>
          </div>
        ) : (
        <div className="field">
          <label htmlFor={id.name}>{t('save.name')}</label>
          <input
            id={id.name}
            type="text"
            value={choices.name}
            spellCheck={false}
            autoComplete="off"
            maxLength={MAX_NAME + 20}
            aria-invalid={problems.name ? true : undefined}
            aria-describedby={problems.name ? `${id.name}-err` : undefined}
            onChange={(e) => update({ name: e.target.value })}
          />
          {problems.name ? (
            <p className="field-error" id={`${id.name}-err`}>
              {problems.name}
            </p>
          ) : null}
        </div>
        )}
        <div className="field">
          <label htmlFor={id.dest}>{t('save.saveIn')}</label>
          <div className="path-picker">
            <input id={id.dest} type="text" value={choices.destination} readOnly title={choices.destination} aria-invalid={problems.destination ? true : undefined} />
            <Button onClick={() => void chooseDestination()} icon={<FolderIcon size={16} />}>
              {t('save.chooseFolder')}
            </Button>
          </div>
        </div>
      </div>
      {queue ? null : (
        <p className="planned">
          <Trans i18nKey="save.willCreate" values={{ path: plannedOutput(choices) }} components={{ code: <code /> }} />
        </p>
      )}

      {describesMachine(saveAs) && !queue ? (
        <fieldset className="group">
          <legend>{t('save.vmLegend')}</legend>
          <div className="form-grid is-4">
            <div className="field span-2">
              <label htmlFor={id.guest}>{t('save.guestOS')}</label>
              <select id={id.guest} value={choices.guestOS} onChange={(e) => update({ guestOS: e.target.value })}>
                {!guestKnown ? <option value={choices.guestOS}>
                    {detected?.family ?? choices.guestOS}
                    {detected ? t('save.detected') : ''}
                  </option> : null}
                {GUEST_GROUPS.map((group) => (
                  <optgroup key={group.label} label={group.label}>
                    {group.guests.map((g) => (
                      <option key={g.id} value={g.id}>
                        {g.label}
                        {g.id === detectedGuest ? t('save.detected') : ''}
                      </option>
                    ))}
                  </optgroup>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={id.memory}>{t('save.memory')}</label>
              <input
                id={id.memory}
                type="number"
                inputMode="numeric"
                min={4}
                step={4}
                value={Number.isNaN(choices.memoryMB) ? '' : choices.memoryMB}
                aria-invalid={problems.memoryMB ? true : undefined}
                aria-describedby={problems.memoryMB ? `${id.memory}-err` : undefined}
                onChange={(e) => update({ memoryMB: asNumber(e.target.value) })}
              />
              {problems.memoryMB ? (
                <p className="field-error" id={`${id.memory}-err`}>
                  {problems.memoryMB}
                </p>
              ) : null}
            </div>
            <div className="field">
              <label htmlFor={id.cpus}>{t('save.processors')}</label>
              <input
                id={id.cpus}
                type="number"
                inputMode="numeric"
                min={1}
                max={128}
                value={Number.isNaN(choices.cpus) ? '' : choices.cpus}
                aria-invalid={problems.cpus ? true : undefined}
                aria-describedby={problems.cpus ? `${id.cpus}-err` : undefined}
                onChange={(e) => update({ cpus: asNumber(e.target.value) })}
              />
              {problems.cpus ? (
                <p className="field-error" id={`${id.cpus}-err`}>
                  {problems.cpus}
                </p>
              ) : null}
            </div>
          </div>
          <div className="field">
            <span className="label" id="firmware-label">
              {t('save.firmware')}
            </span>
            <div className="segmented" role="radiogroup" aria-labelledby="firmware-label">
              {(['bios', 'efi'] as const).map((f) => (
                <label key={f} className={choices.firmware === f ? 'segment is-selected' : 'segment'}>
                  <input type="radio" name="firmware" value={f} checked={choices.firmware === f} onChange={() => update({ firmware: f })} />
                  <span>
                    {f === 'bios' ? 'BIOS' : 'UEFI'}
                    {disk.guest?.firmware === f ? <span className="segment-note">{t('save.firmwareDetected')}</span> : null}
                  </span>
                </label>
              ))}
            </div>
          </div>
        </fieldset>
      ) : null}
      {offersFirstBoot(choices) && !queue ? <FirstBootFields choices={choices} problems={problems} /> : null}

      <label className="check">
        <input type="checkbox" checked={choices.overwrite} onChange={(e) => update({ overwrite: e.target.checked })} />
        <span>{t('save.overwrite')}</span>
      </label>
      {choices.overwrite ? <Callout tone="warning">{t('save.overwriteWarning')}</Callout> : null}
    </Step>
  );
}
