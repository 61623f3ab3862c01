import type { SenderRole } from './protocol';

/** The parts of `runtime.MessageSender` (and `Port.sender`) the checks look at. */
export interface SenderInfo {
  id?: string;
  url?: string;
  tab?: { id?: number };
  frameId?: number;
}

/** What the receiver knows about itself and its configuration. */
export interface SenderContext {
  /** `runtime.id` of this extension. */
  runtimeId: string;
  /** `runtime.getURL('')`: the origin of our own pages, with a trailing slash. */
  extensionBaseUrl: string;
  /** Origins (scheme://host[:port]) of the configured portal(s); null while not loaded yet. */
  portalOrigins: readonly string[] | null;
  /** Path of the engine host page (Chrome offscreen document), e.g. `/offscreen.html`. */
  enginePagePath?: string;
}

/** Our pages that have a role of their own (any other page of ours is a `page`). */
export const PAGE_ROLES: Readonly<Record<string, SenderRole>> = {
  '/sidepanel.html': 'sidepanel',
  '/options.html': 'options',
};

/** The service worker script WXT builds (entrypoints/background.ts). */
export const BACKGROUND_WORKER_PATH = '/background.js';

/** An accepted sender, with the role it was recognised as. */
export type SenderVerdict =
  | { ok: true; role: SenderRole; tabId?: number }
  | { ok: false; reason: string };

/** The origin of a URL, or undefined when it has none we accept. */
export function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    // Opaque origins ("null": data:, blob: of opaque, about:) never match a portal.
    return parsed.origin === 'null' ? undefined : parsed.origin;
  } catch {
    return undefined;
  }
}

/**
 * Which role a sender has, from what the browser (not the message) says:
 * a foreign extension or a web page is never accepted; our content scripts
 * only from a tab at a configured portal origin.
 */
export function classifySender(sender: SenderInfo, ctx: SenderContext): SenderVerdict {
  if (!sender.id || sender.id !== ctx.runtimeId) {
    return { ok: false, reason: 'Message from another extension or a web page.' };
  }
  const url = sender.url ?? '';
  if (url.startsWith(ctx.extensionBaseUrl)) {
    const path = '/' + url.slice(ctx.extensionBaseUrl.length).split(/[?#]/)[0];
    if (ctx.enginePagePath && path === ctx.enginePagePath && !sender.tab) {
      return { ok: true, role: 'engine' };
    }
    // Chrome gives the service worker's script URL as the sender of its messages.
    if (path === BACKGROUND_WORKER_PATH && !sender.tab) return { ok: true, role: 'background' };
    return { ok: true, role: PAGE_ROLES[path] ?? 'page', tabId: sender.tab?.id };
  }
  if (sender.tab?.id === undefined) {
    // Neither our page nor a tab: the background itself (or an unknown context).
    return url === '' ? { ok: true, role: 'background' } : { ok: false, reason: 'Unknown sender.' };
  }
  const origin = originOf(url);
  if (ctx.portalOrigins === null) {
    return { ok: false, reason: 'The portal settings are not loaded yet.' };
  }
  if (!origin || !ctx.portalOrigins.includes(origin)) {
    return { ok: false, reason: `Content script at ${origin ?? 'an unknown origin'}, not a configured portal.` };
  }
  return { ok: true, role: 'content', tabId: sender.tab.id };
}

/** The words a refusal names a role with. */
export const ROLE_NAMES: Readonly<Record<SenderRole, string>> = {
  sidepanel: 'the side panel',
  options: 'the options page',
  page: 'this Earshot page',
  content: 'the portal page',
  engine: 'the phone engine',
  background: 'the background',
};
