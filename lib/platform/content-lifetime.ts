import { ContentScriptContext } from 'wxt/utils/content-script-context';

/**
 * When the portal content script takes its UI down.
 *
 * WXT's ContentScriptContext invalidates itself (and runs every
 * `ctx.onInvalidated` callback) when a CustomEvent named
 * `<runtime.id>:<script name>:wxt:content-script-started` reaches `document`
 * "from another copy" of the script. The page shares that document and the
 * name is public (the Chrome extension id; in Firefox the gecko id
 * `earshot@earshot.dev`), so any portal script can dispatch it. Taking the UI
 * down then would leave a session, perhaps Whisper with the microphone live,
 * with nothing on the page to show it or hang it up.
 *
 * So that event, WXT's invalidation and a dropped port to the background are
 * only reasons to look. The UI goes when:
 * - the extension context is gone (`runtime.id` undefined: a content script
 *   orphaned by an update, a reload or a removal), or
 * - a newer copy of the script started in this same isolated world (the
 *   background injects one into open portal tabs at each start and settings
 *   change). Each copy counts itself in a global of that world when it is
 *   evaluated, before WXT announces it; page scripts cannot touch that world,
 *   so a forged announcement finds the count unchanged.
 * A port also drops when the MV3 worker stops; the extension is still there
 * then, and the state client reconnects.
 *
 * The lifetime carries its own WXT context ({@link ContentLifetime.ctx}): the
 * same helpers (signal, timers, listeners, `createShadowRootUi`), invalidated
 * by this lifetime's leaving alone, so everything hung on it goes with the UI
 * and never on a page's event.
 */
export interface ContentLifetimeOptions {
  /** Where the script-started events arrive (the portal's document). */
  doc: Pick<Document, 'addEventListener' | 'removeEventListener'>;
  /** The event WXT's context listens for (ContentScriptContext.SCRIPT_STARTED_MESSAGE_TYPE). */
  startedEventName: string;
  /** Whether this content script's extension context is still alive. */
  isAlive: () => boolean;
  /** Whether a newer copy of this script has started in this world since this one. */
  isSuperseded: () => boolean;
  /** Takes the UI down; called at most once, before {@link ContentLifetime.ctx} is invalidated. */
  onLeave?: () => void;
  /** The script's name and definition, for the lifetime's context (`cssInjectionMode` is read by WXT's UIs). */
  scriptName?: string;
  scriptOptions?: ContentScriptContext['options'];
}

export interface ContentLifetime {
  /** Leaves (once) if the extension context is gone or a newer copy started; returns whether it left. */
  check(): boolean;
  /**
   * The port to the background dropped: {@link check} now and a moment later. When the extension
   * is reloaded or removed, Chrome drops the port while `runtime.id` is still set and clears it
   * just after (measured: undefined within 500 ms); when only the worker stopped, nothing happens.
   */
  portDropped(): boolean;
  /**
   * The context to hang the UI on (`ctx.signal`, `ctx.setTimeout`, `ctx.addEventListener`,
   * `createShadowRootUi(ctx, …)`): invalidated once, when this lifetime leaves.
   */
  readonly ctx: LifetimeContentContext;
}

/** When to look again after a dropped port (ms). */
export const RECHECK_AFTER_DROP_MS = [200, 2000] as const;

/**
 * WXT's context without its two ways in for a page: it announces nothing on the
 * shared document and listens for no announcement. It is invalidated only by
 * `abort()`, which {@link watchContentLifetime} calls when it leaves.
 */
class LifetimeContext extends ContentScriptContext {
  /** Each pending timer's listener on the signal, dropped when it runs or is cleared (WXT keeps them till the end). */
  private readonly timers = new Map<number, () => void>();
  override stopOldScripts(): void {}
  override listenForNewerScripts(): void {}
  // WXT's version invalidates on a missing runtime.id by itself; here the lifetime decides (and checks that too).
  override get isInvalid(): boolean {
    return this.signal.aborted;
  }
  override setTimeout(handler: () => void, timeout?: number): number {
    const id = setTimeout(() => {
      this.clearTimeout(id);
      if (this.isValid) handler();
    }, timeout) as unknown as number;
    this.timers.set(id, this.onInvalidated(() => clearTimeout(id)));
    return id;
  }
  /** Clears a timer of {@link setTimeout} (the content script debounces often: nothing piles up on the signal). */
  clearTimeout(id: number | undefined): void {
    if (id === undefined) return;
    clearTimeout(id);
    this.timers.get(id)?.();
    this.timers.delete(id);
  }
}

/** The context {@link ContentLifetime.ctx} is: WXT's helpers, and a clearTimeout that matches its setTimeout. */
export type LifetimeContentContext = ContentScriptContext & Pick<LifetimeContext, 'clearTimeout'>;

/** Whether the extension context of this content script is gone. */
export function extensionContextGone(runtime: () => { id?: string } | undefined): boolean {
  try {
    return runtime()?.id === undefined;
  } catch {
    // An orphaned context may throw on access ("Extension context invalidated").
    return true;
  }
}

/** The decision alone: a page's event proves nothing; only these two end the UI. */
export function shouldLeave(facts: { alive: boolean; superseded: boolean }): boolean {
  return !facts.alive || facts.superseded;
}

export function watchContentLifetime(options: ContentLifetimeOptions): ContentLifetime {
  const ctx = new LifetimeContext(options.scriptName ?? 'earshot', options.scriptOptions);
  let left = false;
  const check = (): boolean => {
    if (left) return true;
    if (!shouldLeave({ alive: options.isAlive(), superseded: options.isSuperseded() })) return false;
    left = true;
    options.doc.removeEventListener(options.startedEventName, check);
    options.onLeave?.();
    ctx.abort('Earshot left this page (extension gone or a newer copy started).');
    return true;
  };
  // Our own listener: WXT's stops listening once anyone, a page too, has invalidated its context.
  options.doc.addEventListener(options.startedEventName, check);
  return {
    check,
    portDropped() {
      if (check()) return true;
      for (const ms of RECHECK_AFTER_DROP_MS) ctx.setTimeout(check, ms);
      return false;
    },
    ctx,
  };
}
