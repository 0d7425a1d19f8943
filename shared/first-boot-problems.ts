// What is wrong with a public key, a key file or a host name, as a code with its parameters: the
// CLI says it in English from the texts below, the wizard from its catalogues (whose English
// texts are these same words), so both tell the same mistake the same way.

/** One problem of a first-boot field, by code; the parameters fill the text's {{placeholders}}. */
export type FirstBootProblem =
  | { code: 'keyPrivate' }
  | { code: 'keyOneLine' }
  | { code: 'keyTooLong'; max: number }
  | { code: 'keyNotOpenSsh' }
  | { code: 'keyType'; type: string; types: string }
  | { code: 'keyBase64' }
  | { code: 'keyBlob'; type: string }
  | { code: 'hostnameLength' }
  | { code: 'hostnameLabels' }
  | { code: 'fileTooLarge'; size: number; maxKiB: number }
  | { code: 'fileNotText' }
  | { code: 'filePrivateKey' }
  | { code: 'fileNoKey' };

export type FirstBootProblemCode = FirstBootProblem['code'];

/**
 * The English of each problem: the predicate of a sentence whose subject ("--ssh-key FILE:",
 * "This", "Key 2", "A host name") the place that shows it puts in front.
 */
export const FIRST_BOOT_MESSAGES: Record<FirstBootProblemCode, string> = {
  keyPrivate: 'is a private key; give the public key (the .pub file beside it), never the private one',
  keyOneLine: 'must be one line',
  keyTooLong: 'is longer than {{max}} characters',
  keyNotOpenSsh: 'is not an OpenSSH public key ("ssh-ed25519 AAAA... comment", as in a .pub file)',
  keyType: 'is not an OpenSSH public key: it starts with "{{type}}", not a key type ({{types}})',
  keyBase64: 'has a key that is not valid base64',
  keyBlob: 'has a key whose data does not say "{{type}}"',
  hostnameLength: 'must be 1 to 253 characters',
  hostnameLabels: 'must be letters, digits and hyphens in dot-separated labels of up to 63 characters, none starting or ending with a hyphen (RFC 1123)',
  fileTooLarge: 'is {{size}} bytes; a first-boot file may be at most {{maxKiB}} KiB',
  fileNotText: 'is not UTF-8 text',
  filePrivateKey: 'is a private key. Give the public key instead (usually the same name with .pub, e.g. ~/.ssh/id_ed25519.pub); a private key must never leave your machine',
  fileNoKey: 'holds no public key',
};

/** The parameters of a problem, for a catalogue lookup. */
export function problemParams(problem: FirstBootProblem): Record<string, string | number> {
  const { code: _code, ...params } = problem;
  return params;
}

/** A problem in the CLI's English. */
export function sayFirstBootProblem(problem: FirstBootProblem): string {
  const params = problemParams(problem);
  return FIRST_BOOT_MESSAGES[problem.code].replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(params[name]));
}
