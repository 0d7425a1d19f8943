// The save step's optional "First boot" section for Linux and cloud images, which have no
// password: public keys for the image's user and a host name, written into the machine as the
// Ignition config or cloud-init data the image reads on its first start.
import { useId, type ReactElement } from 'react';
import { t } from '../i18n';
import { useWizard } from '../store-context';
import type { ChoiceProblems, Choices } from '../store/choices';
import './FirstBootFields.css';

export function FirstBootFields({ choices, problems }: { choices: Choices; problems: ChoiceProblems }): ReactElement {
  const update = useWizard((s) => s.update);
  const id = { keys: useId(), keysHint: useId(), host: useId() };
  const filled = (choices.sshKeys ?? '') !== '' || (choices.hostname ?? '') !== '';
  return (
    <details className="disclosure" open={filled || problems.sshKeys !== undefined || problems.hostname !== undefined}>
      <summary>{t('save.firstBoot.summary')}</summary>
      <div className="first-boot-body">
        <p className="field-hint">{t('save.firstBoot.intro')}</p>
        <div className="field">
          <label htmlFor={id.keys}>{t('save.firstBoot.keys')}</label>
          <textarea
            id={id.keys}
            className="first-boot-keys"
            rows={3}
            spellCheck={false}
            autoComplete="off"
            placeholder={t('save.firstBoot.keysPlaceholder')}
            value={choices.sshKeys ?? ''}
            aria-invalid={problems.sshKeys ? true : undefined}
            aria-describedby={problems.sshKeys ? `${id.keys}-err` : id.keysHint}
            onChange={(e) => update({ sshKeys: e.target.value })}
          />
          {problems.sshKeys ? (
            <p className="first-boot-error" id={`${id.keys}-err`}>
              {problems.sshKeys}
            </p>
          ) : (
            <p className="field-hint" id={id.keysHint}>
              {t('save.firstBoot.keysHint')}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={id.host}>{t('save.firstBoot.hostname')}</label>
          <input
            id={id.host}
            type="text"
            spellCheck={false}
            autoComplete="off"
            value={choices.hostname ?? ''}
            aria-invalid={problems.hostname ? true : undefined}
            aria-describedby={problems.hostname ? `${id.host}-err` : undefined}
            onChange={(e) => update({ hostname: e.target.value })}
          />
          {problems.hostname ? (
            <p className="first-boot-error" id={`${id.host}-err`}>
              {problems.hostname}
            </p>
          ) : null}
        </div>
      </div>
    </details>
  );
}
