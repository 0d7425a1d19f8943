// The languages the wizard speaks, each named in its own script, and the rule that picks one
// from what the system prefers (BCP 47 tags, best first).

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'zh-CN', name: '简体中文' },
] as const;

export type Language = (typeof LANGUAGES)[number]['code'];

export const FALLBACK_LANGUAGE: Language = 'en';

export function isLanguage(s: unknown): s is Language {
  return LANGUAGES.some((l) => l.code === s);
}

/**
 * The first preferred tag the wizard has a catalogue for. Chinese written in Simplified
 * characters (zh, zh-CN, zh-SG, zh-Hans-*) gets zh-CN; Traditional (zh-TW, zh-HK, zh-Hant-*)
 * has no catalogue yet and is passed over, as is any other language.
 */
export function pickLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const lower = tag.toLowerCase().replace(/_/g, '-');
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
    if (lower.startsWith('zh')) {
      if (/-(hant|tw|hk|mo)\b/.test(lower)) continue;
      return 'zh-CN';
    }
  }
  return FALLBACK_LANGUAGE;
}
