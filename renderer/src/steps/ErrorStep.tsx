// Something went wrong: what, in plain words; what to do about it; and a way back. Never a stack.
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorInfo } from '../../../shared/errors';
import { Button, Step } from '../components/layout';
import { AlertIcon } from '../components/icons';
import { useWizard } from '../store-context';
import type { Recovery } from '../store/phase';
import { errorHint, errorTitle } from './labels';
import './ErrorStep.css';

export function ErrorStep({ error, recovery }: { error: ErrorInfo; recovery: Recovery }): ReactElement {
  const recover = useWizard((s) => s.recover);
  const startOver = useWizard((s) => s.startOver);
  const chooseFile = useWizard((s) => s.chooseFile);
  const { t } = useTranslation();
  const hint = errorHint(error);
  return (
    <Step
      title={errorTitle(error.code)}
      icon={
        <span className="error-mark">
          <AlertIcon size={26} />
        </span>
      }
      onSubmit={recover}
      actions={
        recovery.to === 'save' ? (
          <>
            <Button kind="ghost" onClick={startOver}>
              {t('error.startOver')}
            </Button>
            <span className="spacer" />
            <Button kind="primary" type="submit">
              {t('error.backToOptions')}
            </Button>
          </>
        ) : (
          <>
            <Button kind="ghost" onClick={recover}>
              {t('common.back')}
            </Button>
            <span className="spacer" />
            <Button kind="primary" onClick={() => void chooseFile()}>
              {t('error.chooseAnother')}
            </Button>
          </>
        )
      }
    >
      <section className="card error-card" role="alert">
        <p className="error-message">{error.message}</p>
        {hint ? <p className="error-hint">{hint}</p> : null}
        <p className="error-code">{t('error.code', { code: error.code })}</p>
      </section>
    </Step>
  );
}
