// Where the machine will run (Workstation / Player / Fusion, or ESXi / vSphere), in what form,
// what to call it and where; for a machine, the settings VMware needs, prefilled from what the
// inspection detected.
import { useId, type ReactElement } from 'react';
import { Button, Callout, Step } from '../components/layout';
import { FolderIcon, ServerIcon, VmIcon } from '../components/icons';
import { GUEST_GROUPS, guestLabel } from '../guests';
import { FirstBootFields } from './FirstBootFields';
import { useWizard } from '../store-context';
import {
  MAX_NAME,
  TARGETS,
  choicesForPackaging,
  choicesForTarget,
  describesMachine,
  effectiveSaveAs,
  offersFirstBoot,
  packagingOf,
  plannedOutput,
  problemsWith,
  recognisedGuest,
  targetOf,
  type Choices,
  type DiskLayout,
  type Packaging,
  type Setup,
  type Target,
} from '../store/choices';
import './SaveStep.css';

const TARGET: Record<Target, { title: string; line: string; icon: ReactElement }> = {
  workstation: { title: 'VMware Workstation / Player / Fusion', line: 'Opens and runs from a folder on this computer.', icon: <VmIcon size={22} /> },
  esxi: { title: 'ESXi / vSphere', line: 'One .ova to deploy on a host or in vCenter.', icon: <ServerIcon size={22} /> },
};

/** The one line on why the two targets get different files. */
const WHY_TWO_TARGETS = 'Workstation, Player and Fusion run a .vmdk in place; ESXi imports a stream-optimized disk from an OVA.';

const PACKAGING: Record<Target, Record<Packaging, { label: string; hint: string }>> = {
  workstation: {
    machine: { label: 'Virtual machine folder', hint: 'A .vmx and its disk in a folder named after the machine: open the .vmx and start it.' },
    diskOnly: { label: 'Just the .vmdk', hint: 'The disk alone (plus its extent files, if it has any), for a virtual machine you already have.' },
  },
  esxi: {
    machine: { label: 'OVA package', hint: 'The machine and its compressed, stream-optimized disk in one file, for “Deploy OVF Template”.' },
    diskOnly: { label: 'Just the .vmdk', hint: 'The stream-optimized disk alone, for import tools that take a bare .vmdk.' },
  },
};

const LAYOUT_NAME: Record<Extract<DiskLayout, 'fixed' | 'split'>, string> = { fixed: 'Fixed', split: 'Split into 2 GB files' };

/** For ESXi after fixed or split was picked: say that it does not apply here (it is kept for Workstation). */
function ignoredLayoutNote(c: Choices): string {
  return targetOf(c) === 'esxi' && (c.layout === 'fixed' || c.layout === 'split') ? ` The “${LAYOUT_NAME[c.layout]}” disk type is for Workstation and does not apply.` : '';
}

/** A number input's value: NaN while the box is empty or holds something that is not a number. */
const asNumber = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));

export function SaveStep({ setup }: { setup: Setup }): ReactElement {
  const back = useWizard((s) => s.back);
  const update = useWizard((s) => s.update);
  const convert = useWizard((s) => s.convert);
  const chooseDestination = useWizard((s) => s.chooseDestination);
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

  return (
    <Step
      title="Choose what to make and where"
      subtitle="First where the machine will run, then what to call it and where to save it."
      onSubmit={() => void convert()}
      actions={
        <>
          <Button kind="ghost" onClick={back}>
            Back
          </Button>
          <span className="spacer" />
          {blocked ? (
            <span className="actions-note" id={id.err}>
              Fix the highlighted fields to go on.
            </span>
          ) : null}
          <Button kind="primary" type="submit" disabled={blocked} {...(blocked ? { 'aria-describedby': id.err } : {})}>
            Convert
          </Button>
        </>
      }
    >
      <fieldset className="targets" aria-describedby={id.why}>
        <legend className="section-label">Where will it run?</legend>
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
          {WHY_TWO_TARGETS}
        </p>
      </fieldset>

      <div className="field">
        <span className="label" id={id.packaging}>
          Save as
        </span>
        <div className="segmented" role="radiogroup" aria-labelledby={id.packaging} aria-describedby={id.packagingHint}>
          {(['machine', 'diskOnly'] as const).map((p) => (
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
        <div className="field">
          <label htmlFor={id.name}>Name</label>
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
        <div className="field">
          <label htmlFor={id.dest}>Save in</label>
          <div className="path-picker">
            <input id={id.dest} type="text" value={choices.destination} readOnly title={choices.destination} aria-invalid={problems.destination ? true : undefined} />
            <Button onClick={() => void chooseDestination()} icon={<FolderIcon size={16} />}>
              Choose folder…
            </Button>
          </div>
        </div>
      </div>
      <p className="planned">
        Will create <code>{plannedOutput(choices)}</code>
      </p>

      {describesMachine(saveAs) ? (
        <fieldset className="group">
          <legend>Virtual machine</legend>
          <div className="form-grid is-4">
            <div className="field span-2">
              <label htmlFor={id.guest}>Guest operating system</label>
              <select id={id.guest} value={choices.guestOS} onChange={(e) => update({ guestOS: e.target.value })}>
                {!guestKnown ? <option value={choices.guestOS}>
                    {detected?.family ?? choices.guestOS}
                    {detected ? ' (detected)' : ''}
                  </option> : null}
                {GUEST_GROUPS.map((group) => (
                  <optgroup key={group.label} label={group.label}>
                    {group.guests.map((g) => (
                      <option key={g.id} value={g.id}>
                        {g.label}
                        {g.id === detectedGuest ? ' (detected)' : ''}
                      </option>
                    ))}
                  </optgroup>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={id.memory}>Memory (MB)</label>
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
              <label htmlFor={id.cpus}>Processors</label>
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
              Firmware
            </span>
            <div className="segmented" role="radiogroup" aria-labelledby="firmware-label">
              {(['bios', 'efi'] as const).map((f) => (
                <label key={f} className={choices.firmware === f ? 'segment is-selected' : 'segment'}>
                  <input type="radio" name="firmware" value={f} checked={choices.firmware === f} onChange={() => update({ firmware: f })} />
                  <span>
                    {f === 'bios' ? 'BIOS' : 'UEFI'}
                    {disk.guest?.firmware === f ? <span className="segment-note"> · detected</span> : null}
                  </span>
                </label>
              ))}
            </div>
          </div>
        </fieldset>
      ) : null}
      {offersFirstBoot(choices) ? <FirstBootFields choices={choices} problems={problems} /> : null}

      <label className="check">
        <input type="checkbox" checked={choices.overwrite} onChange={(e) => update({ overwrite: e.target.checked })} />
        <span>Replace files of the same name if they exist</span>
      </label>
      {choices.overwrite ? <Callout tone="warning">Anything already at the path above is deleted when the conversion finishes.</Callout> : null}
    </Step>
  );
}
