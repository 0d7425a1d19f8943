// Words for the engine's vocabularies, from the catalogue.
import type { ErrorCode, ErrorInfo } from '../../../shared/errors';
import type { Controller, Subformat } from '../../../shared/options';
import { currentLanguage, t } from '../i18n';

export function subformatLabel(s: Subformat): string {
  return t(`labels.subformat.${s}`);
}

export function controllerLabel(c: Controller | 'auto'): string {
  return t(`labels.controller.${c}`);
}

/** The error screen's heading: what happened, in plain words. */
export function errorTitle(code: ErrorCode): string {
  return t(`error.title.${code}`);
}

/** Codes whose hint reads better in the app than the engine's command-line wording. */
const APP_HINT_CODES: ReadonlySet<ErrorCode> = new Set(['E_EXISTS', 'E_NO_SPACE']);

/**
 * What to do about it. In English the engine's own hint, as the CLI prints it, unless the app
 * words it better; in another language the catalogue's hint for the code, since the engine's
 * message (shown below it) stays English.
 */
export function errorHint(error: ErrorInfo): string | undefined {
  if (currentLanguage() === 'en' && !APP_HINT_CODES.has(error.code)) return error.hint;
  return t(`error.hint.${error.code}`);
}
