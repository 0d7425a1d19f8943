// The save step's optional "First boot" section for Linux and cloud images, which have no
// password: public keys for the image's user and a host name, written into the machine as the
// Ignition config or cloud-init data the image reads on its first start. A key file the user
// chooses is read here in the page (bounded, held to the CLI's rules): no file path leaves it.
import { useId, useRef, useState, type ReactElement } from 'react';
import { FIRST_BOOT_FILE_MAX, firstBootText, keyFileKeys, publicKeyLines } from '../../../shared/first-boot';
import type { FirstBootProblem } from '../../../shared/first-boot-problems';
import { FileIcon } from '../components/icons';
import { Button } from '../components/layout';
import { t } from '../i18n';
import { useWizard } from '../store-context';
import type { ChoiceProblems, Choices } from '../store/choices';
import { sayKeyFileProblem } from '../store/first-boot-words';
import './FirstBootFields.css';

type FileRefusal = { file: string; problem: FirstBootProblem; key?: number };

/** The keys of a chosen file, or why it is refused; at most FIRST_BOOT_FILE_MAX bytes are read. */
async function readKeyFile(file: File): Promise<{ keys: string[] } | FileRefusal> {
  if (file.size > FIRST_BOOT_FILE_MAX) return { file: file.name, problem: { code: 'fileTooLarge', size: file.size, maxKiB: FIRST_BOOT_FILE_MAX / 1024 } };
  const decoded = firstBootText(new Uint8Array(await file.slice(0, FIRST_BOOT_FILE_MAX + 1).arrayBuffer()));
  if ('problem' in decoded) return { file: file.name, problem: decoded.problem };
  const read = keyFileKeys(decoded.text);
  return 'problem' in read ? { file: file.name, ...read } : read;
}

/** The pasted keys with those of a file after them, each key once. */
function withKeys(pasted: string, keys: string[]): string {
  const have = new Set(publicKeyLines(pasted));
  const added = keys.filter((k) => !have.has(k));
  const kept = pasted.replace(/\s+$/, '');
  return `${[...(kept ? [kept] : []), ...added].join('\n')}\n`;
}

export function FirstBootFields({ choices, problems }: { choices: Choices; problems: ChoiceProblems }): ReactElement {
  const update = useWizard((s) => s.update);
  const id = { keys: useId(), keysHint: useId(), host: useId(), fileError: useId() };
  const fileInput = useRef<HTMLInputElement>(null);
  const [refusal, setRefusal] = useState<FileRefusal | undefined>();
  const [opened, setOpened] = useState(false);
  const chosen = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    const read = await readKeyFile(file);
    if ('keys' in read) {
      setRefusal(undefined);
      update({ sshKeys: withKeys(choices.sshKeys ?? '', read.keys) });
    } else setRefusal(read);
  };
  const filled = (choices.sshKeys ?? '') !== '' || (choices.hostname ?? '') !== '';
  return (
    // Open while the user has it open, or while it holds something to see: emptying the fields must not fold it away.
    <details className="disclosure" open={opened || filled || problems.sshKeys !== undefined || problems.hostname !== undefined || refusal !== undefined} onToggle={(e) => setOpened(e.currentTarget.open)}>
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
            onChange={(e) => {
              setRefusal(undefined);
              update({ sshKeys: e.target.value });
            }}
          />
          <div className="first-boot-file">
            <Button onClick={() => fileInput.current?.click()} icon={<FileIcon size={16} />} {...(refusal ? { 'aria-describedby': id.fileError } : {})}>
              {t('save.firstBoot.chooseFile')}
            </Button>
            <input
              ref={fileInput}
              type="file"
              accept=".pub"
              hidden
              aria-label={t('save.firstBoot.chooseFile')}
              onChange={(e) => {
                const input = e.currentTarget;
                void chosen(input.files?.[0]).finally(() => {
                  // The same file chosen again (after fixing it) must fire a change once more.
                  input.value = '';
                });
              }}
            />
          </div>
          {refusal ? (
            <p className="first-boot-error" id={id.fileError} role="alert">
              {sayKeyFileProblem(refusal.file, refusal.problem, refusal.key)}
            </p>
          ) : null}
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
