import { z } from 'zod/mini';
import { COMMAND_ROLES, type AnswerOf, type Command, type CommandType, type SenderRole } from './protocol';
import { commandSchema } from './schemas';
import { classifySender, originOf, ROLE_NAMES, type SenderContext, type SenderInfo } from './senders';

/** Who sent a command, as the router recognised it. */
export interface VerifiedSender {
  role: SenderRole;
  tabId?: number;
  frameId?: number;
}

/** One handler per command; called only with a checked sender and a parsed command. */
export type Handlers = {
  [T in CommandType]: (command: Extract<Command, { type: T }>, sender: VerifiedSender) => AnswerOf<T> | Promise<AnswerOf<T>>;
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
  onRefused?: (what: string, reason: string) => void;
}

/**
 * Commands whose handler must run synchronously inside the listener call:
 * Chrome's `sidePanel.open()` only counts the user gesture if it is the first
 * thing the handler does. Opening our own panel grants nothing, so before the
 * portal origins are loaded (worker just woken by this very message) a content
 * script of ours in an http(s) tab is accepted for these.
 */
const IMMEDIATE: ReadonlySet<string> = new Set<CommandType>(['open-panel']);

/** The command's type when the data names one of ours, for the checks that come before parsing. */
function typeOf(data: unknown): CommandType | undefined {
  const type = (data as { type?: unknown } | null)?.type;
  return typeof type === 'string' && Object.hasOwn(COMMAND_ROLES, type) ? (type as CommandType) : undefined;
}

/**
 * Routing separate from behaviour: checks the sender (from what the browser
 * says), then the command against its schema, then the sender's role against
 * the command, then calls the handler. Returns a value (synchronously when it
 * can, so gesture-bound handlers stay first) or a promise.
 */
export function createRouter(handlers: Handlers, options: RouterOptions) {
  const refuse = (what: string, reason: string): Refusal => {
    options.onRefused?.(what, reason);
    return { ok: false, reason };
  };

  function dispatch(data: unknown, sender: SenderInfo, ctx: SenderContext): unknown {
    const type = typeOf(data);
    let verdict = classifySender(sender, ctx);
    if (!verdict.ok && ctx.portalOrigins === null && type && IMMEDIATE.has(type) && /^https?:/.test(sender.url ?? '')) {
      const lenient = classifySender(sender, { ...ctx, portalOrigins: [originOf(sender.url) ?? ''] });
      if (lenient.ok && lenient.role === 'content') verdict = lenient;
    }
    const what = type ?? 'command';
    if (!verdict.ok) return refuse(what, verdict.reason);
    const parsed = commandSchema.safeParse(data);
    if (!parsed.success) return refuse(what, `Invalid ${what}: ${z.prettifyError(parsed.error)}`);
    const command = parsed.data;
    const allowed: readonly SenderRole[] = COMMAND_ROLES[command.type];
    if (!allowed.includes(verdict.role)) {
      return refuse(command.type, `${command.type} may not be sent from ${ROLE_NAMES[verdict.role]}.`);
    }
    const handler = handlers[command.type] as (c: Command, s: VerifiedSender) => unknown;
    return handler(command, { role: verdict.role, tabId: verdict.tabId, frameId: sender.frameId });
  }

  /**
   * Handles one `command` message. A content script's command waits for the
   * portal origins when they are not loaded yet (except the gesture-bound ones).
   */
  function handle(data: unknown, sender: SenderInfo): unknown {
    const ctx = options.senderContext();
    const type = typeOf(data);
    const web = sender.tab !== undefined && !(sender.url ?? '').startsWith(ctx.extensionBaseUrl);
    if (ctx.portalOrigins === null && web && !(type && IMMEDIATE.has(type))) {
      return options.ready().then(() => dispatch(data, sender, options.senderContext()));
    }
    return dispatch(data, sender, ctx);
  }

  return { handle };
}

/** The router created by {@link createRouter}. */
export type Router = ReturnType<typeof createRouter>;
