import { z } from 'zod/mini';
import type { HandlerContext, MessageName, ProtocolMap, SenderRole } from './protocol';
import { ROUTES } from './routes';
import { authorizeSender, originOf, type SenderContext, type SenderInfo } from './senders';

/** Messages handled in a given context. */
export type MessagesOf<C extends HandlerContext> = {
  [K in MessageName]: (typeof ROUTES)[K]['to'] extends C ? K : never;
}[MessageName];

/** Payload type of a message. */
export type PayloadOf<K extends MessageName> = Parameters<ProtocolMap[K]> extends [infer D] ? D : undefined;
/** Answer type of a message. */
export type AnswerOf<K extends MessageName> = ReturnType<ProtocolMap[K]>;

/** Who sent a message, as the router recognised it. */
export interface VerifiedSender {
  role: SenderRole;
  tabId?: number;
  frameId?: number;
}

/** One handler per message of a context; called only with a checked sender and a parsed payload. */
export type Handlers<C extends HandlerContext> = {
  [K in MessagesOf<C>]: (data: PayloadOf<K>, sender: VerifiedSender) => AnswerOf<K> | Promise<AnswerOf<K>>;
};

/** A refusal, in the shape every answer of the protocol shares. */
export interface Refusal {
  ok: false;
  reason: string;
}

export interface RouterOptions {
  /** What the receiver knows now (portal origins may still be loading: null). */
  senderContext: () => SenderContext;
  /** Resolves when the portal origins are loaded. */
  ready: () => Promise<void>;
  /** Reports refused messages (for the log / console). */
  onRefused?: (name: string, reason: string) => void;
}

/**
 * Messages whose handler must run synchronously inside the listener call:
 * Chrome's `sidePanel.open()` only counts the user gesture if it is the first
 * thing the handler does. Opening our own panel grants nothing, so before the
 * portal origins are loaded (worker just woken by this very message) a content
 * script of ours in an http(s) tab is accepted for these.
 */
const IMMEDIATE: ReadonlySet<MessageName> = new Set<MessageName>(['cs-to-bg:open-panel']);

/**
 * Routing separate from behaviour: checks the sender, then the payload, then
 * calls the handler. Returns a value (synchronously when it can) or a promise.
 */
export function createRouter<C extends HandlerContext>(context: C, handlers: Handlers<C>, options: RouterOptions) {
  const refuse = (name: string, reason: string): Refusal => {
    options.onRefused?.(name, reason);
    return { ok: false, reason };
  };

  function dispatch(name: MessageName, data: unknown, sender: SenderInfo, ctx: SenderContext): unknown {
    const route = ROUTES[name];
    let verdict = authorizeSender(sender, route.from, ctx);
    if (!verdict.ok && ctx.portalOrigins === null && IMMEDIATE.has(name) && route.from === 'content') {
      const lenient = authorizeSender(sender, 'content', { ...ctx, portalOrigins: [originOf(sender.url) ?? ''] });
      const web = /^https?:/.test(sender.url ?? '');
      if (lenient.ok && web) verdict = lenient;
    }
    if (!verdict.ok) return refuse(name, verdict.reason);
    const parsed = route.schema.safeParse(data);
    if (!parsed.success) return refuse(name, `Invalid ${name}: ${z.prettifyError(parsed.error)}`);
    const handler = (handlers as Record<string, (d: unknown, s: VerifiedSender) => unknown>)[name];
    if (!handler) return refuse(name, `${name} is not handled here.`);
    return handler(parsed.data, { role: verdict.role, tabId: verdict.tabId, frameId: sender.frameId });
  }

  /**
   * Handles one message. Synchronous up to the handler call whenever the
   * sender can be checked now, so gesture-bound calls stay first.
   */
  function handle<K extends MessageName>(name: K, data: unknown, sender: SenderInfo): AnswerOf<K> | Refusal | Promise<AnswerOf<K> | Refusal> {
    const route = ROUTES[name] as (typeof ROUTES)[MessageName] | undefined;
    if (!route || route.to !== context) return refuse(String(name), `${String(name)} is not handled by the ${context}.`);
    const ctx = options.senderContext();
    if (ctx.portalOrigins === null && route.from === 'content' && !IMMEDIATE.has(name)) {
      return options.ready().then(() => dispatch(name, data, sender, options.senderContext()) as AnswerOf<K> | Refusal);
    }
    return dispatch(name, data, sender, ctx) as AnswerOf<K> | Refusal | Promise<AnswerOf<K>>;
  }

  return { handle };
}

/** The router created by {@link createRouter}. */
export type Router = ReturnType<typeof createRouter>;
