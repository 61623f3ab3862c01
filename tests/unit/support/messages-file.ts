import type { GetMessage } from '../../../components/i18n';

/** One entry of a messages.json (the WebExtension i18n format). */
export interface MessageEntry {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}

export type MessagesFile = Record<string, MessageEntry>;

/**
 * `i18n.getMessage` over a messages.json as Chrome and Firefox resolve it:
 * `$NAME$` placeholders (case-insensitive) take their `content`, `$1`…`$9`
 * the substitutions, `$$` is a dollar sign. '' for an unknown key.
 */
export function getMessageFromFile(file: MessagesFile): GetMessage {
  const byName = new Map(Object.entries(file).map(([key, entry]) => [key.toLowerCase(), entry]));
  return (name, substitutions) => {
    const entry = byName.get(name.toLowerCase());
    if (!entry) return '';
    const subs = substitutions === undefined ? [] : Array.isArray(substitutions) ? substitutions : [substitutions];
    const placeholders = new Map(Object.entries(entry.placeholders ?? {}).map(([key, p]) => [key.toLowerCase(), p.content]));
    const fill = (text: string) => text.replace(/\$(\d)/g, (_, n: string) => subs[Number(n) - 1] ?? '');
    return entry.message.replace(/\$\$|\$([A-Za-z0-9_@]+)\$|\$(\d)/g, (match, named: string | undefined, index: string | undefined) => {
      if (match === '$$') return '$';
      if (named !== undefined) return fill(placeholders.get(named.toLowerCase()) ?? '');
      return subs[Number(index) - 1] ?? '';
    });
  };
}
