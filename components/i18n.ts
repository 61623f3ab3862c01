import type enMessages from '../public/_locales/en/messages.json';

/**
 * The panels' text through the browser's own i18n (`i18n.getMessage`, the
 * same files as the manifest's `__MSG_…__` strings: public/_locales). The key
 * type comes from the English file, so tsc refuses a key it does not have;
 * tests/unit/i18n.test.ts checks that every other locale has the same keys
 * and placeholders, and that components keep no literal text.
 */
export type MessageKey = keyof typeof enMessages;

/** `i18n.getMessage` of Chrome and Firefox (synchronous in both); '' for an unknown key. */
export type GetMessage = (name: string, substitutions?: string | string[]) => string;

/** A message by key, with its `$1`… substitutions (agent names, extensions, modes, counts). */
export type Translate = (key: MessageKey, ...substitutions: (string | number)[]) => string;

/** A {@link Translate} over any getMessage (the browser's, or a messages file in tests). A missing message shows its key. */
export function createTranslator(getMessage: GetMessage): Translate {
  return (key, ...substitutions) =>
    getMessage(key, substitutions.length > 0 ? substitutions.map(String) : undefined) || key;
}

type I18nHolder = { i18n?: { getMessage?: GetMessage } };

/**
 * The browser's getMessage, looked up when called: `chrome.i18n` (Chrome,
 * and Firefox's alias), else `browser.i18n`. Native in every context,
 * the content script included, so the portal's bundle carries no messages.
 */
const nativeGetMessage: GetMessage = (name, substitutions) => {
  const scope = globalThis as { chrome?: I18nHolder; browser?: I18nHolder };
  const i18n = scope.chrome?.i18n?.getMessage ? scope.chrome.i18n : scope.browser?.i18n;
  return i18n?.getMessage?.(name, substitutions) ?? '';
};

let current: Translate = createTranslator(nativeGetMessage);

/** The panels' translator: the browser's messages (tests swap the source with {@link setMessageSource}). */
export const t: Translate = (key, ...substitutions) => current(key, ...substitutions);

/** Replaces where {@link t} reads messages (unit tests: a messages.json file); undefined restores the browser's. */
export function setMessageSource(getMessage: GetMessage | undefined): void {
  current = createTranslator(getMessage ?? nativeGetMessage);
}

/**
 * A count in a sentence: `one` for exactly 1, else `other` with the count as $1.
 * getMessage has no plural rules; two forms fit English and French (a
 * language with more forms adds keys and a branch here).
 */
export function plural(count: number, one: MessageKey, other: MessageKey): string {
  return count === 1 ? t(one, count) : t(other, count);
}
