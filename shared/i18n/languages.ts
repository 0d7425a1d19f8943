// The languages the wizard speaks, each named in its own script, and the rule that picks one
// from what the system prefers (BCP 47 tags, best first).

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'zh-CN', name: '简体中文' },
  { code: 'zh-TW', name: '繁體中文' },
] as const;

export type Language = (typeof LANGUAGES)[number]['code'];

export const LANGUAGE_CODES: readonly Language[] = LANGUAGES.map((l) => l.code);

export const FALLBACK_LANGUAGE: Language = 'en';

export function isLanguage(s: unknown): s is Language {
  return LANGUAGES.some((l) => l.code === s);
}

/**
 * The first preferred tag the wizard has a catalogue for. Chinese written in Traditional
 * characters (zh-TW, zh-HK, zh-MO, zh-Hant-*) gets zh-TW; any other Chinese (zh, zh-CN, zh-SG,
 * zh-Hans-*) gets zh-CN; a language without a catalogue is passed over.
 */
export function pickLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const lower = tag.toLowerCase().replace(/_/g, '-');
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
    if (lower === 'zh' || lower.startsWith('zh-')) {
      if (/-hans\b/.test(lower)) return 'zh-CN';
      return /-(hant|tw|hk|mo)\b/.test(lower) ? 'zh-TW' : 'zh-CN';
    }
  }
  return FALLBACK_LANGUAGE;
}
