// The first-boot field problems (shared/first-boot-problems.ts) in the catalogue's words: the
// English catalogue holds the CLI's own texts, so in English the wizard says what the CLI says.
import type { FirstBootProblem } from '../../../shared/first-boot-problems';
import { problemParams } from '../../../shared/first-boot-problems';
import { t } from '../i18n';

/** The predicate of the problem ("is a private key; …"), in the wizard's language. */
export function sayProblem(problem: FirstBootProblem): string {
  return t(`firstBootProblem.${problem.code}`, problemParams(problem));
}

/** What is wrong with a key file the user chose, as a sentence naming the file. */
export function sayKeyFileProblem(file: string, problem: FirstBootProblem, key?: number): string {
  return key === undefined ? t('save.firstBoot.fileProblem', { file, problem: sayProblem(problem) }) : t('save.firstBoot.fileKeyProblem', { file, n: key, problem: sayProblem(problem) });
}
