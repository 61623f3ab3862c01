import type { CommandResult } from '../messaging/commands';
import { engineCommandSchema } from '../contract/engine';
import type { SenderInfo } from '../messaging/senders';
import type { EngineCommand, EngineEvent } from '../contract/engine';
import type { PhoneEngineApi } from '../phone/engine';

export interface OffscreenEngineHostOptions {
  engine: PhoneEngineApi;
  /** Sends an event to the background ('engine-to-bg:event'). */
  sendEvent: (event: EngineEvent) => Promise<unknown>;
  /** `runtime.id` and `runtime.getURL('/')` of this extension. */
  runtimeId: string;
  extensionBaseUrl: string;
}

/**
 * True when a message comes from our own background service worker: our
 * extension id, not from a tab, and not from one of our HTML pages (Chrome
 * gives a worker's messages its script URL, or none).
 */
export function isOwnBackground(sender: SenderInfo, runtimeId: string, extensionBaseUrl: string): boolean {
  if (sender.id !== runtimeId || sender.tab !== undefined) return false;
  const url = sender.url ?? '';
  if (url === '') return true;
  return url.startsWith(extensionBaseUrl) && !/\.html?([?#]|$)/.test(url);
}

/**
 * The offscreen document's side: commands from the background go to the
 * engine (sender checked, payload validated), every engine event goes back.
 * Returns the handler for 'bg-to-engine:command'.
 */
export function hostEngineInOffscreen(options: OffscreenEngineHostOptions) {
  options.engine.onEvent((event) => {
    // The worker may be restarting: the next event (or its 'sync') brings the whole state anyway.
    void options.sendEvent(event).catch(() => undefined);
  });
  return async (data: unknown, sender: SenderInfo): Promise<CommandResult> => {
    if (!isOwnBackground(sender, options.runtimeId, options.extensionBaseUrl)) {
      return { ok: false, reason: 'Engine commands are taken from the background only.' };
    }
    const parsed = engineCommandSchema.safeParse(data);
    if (!parsed.success) return { ok: false, reason: 'Invalid engine command.' };
    await options.engine.handle(parsed.data as EngineCommand);
    return { ok: true };
  };
}
