import { ENGINE_PORT_NAME, type FromEngineHost } from '../messaging/protocol';
import { toEngineHostSchema } from '../messaging/schemas';
import type { PortLike } from '../messaging/state-port';
import type { EngineEvent } from '../phone/engine-api';
import type { PhoneEngineApi } from '../phone/engine';
import { onlyLevelsChanged } from '../state/snapshot';

export interface OffscreenEngineHostOptions {
  engine: PhoneEngineApi;
  /** Opens the engine port to the background (runtime.connect; injected in tests). */
  connect: (name: string) => PortLike;
  /** Delays before successive reconnect attempts (the last one repeats). */
  retryDelaysMs?: readonly number[];
  setTimer?: (callback: () => void, ms: number) => unknown;
  /** Reports what could not be delivered or understood (console, with the cause). */
  onError?: (message: string, cause?: unknown) => void;
}

/**
 * The offscreen document's side of the engine port: it opens the port (the
 * background listens; only our offscreen document is accepted there), says
 * hello (fresh while the engine was never configured), runs each checked
 * command and answers it, and sends every engine event back — a levels-only
 * message when nothing else changed. When the port drops (the service worker
 * stopped), it connects again, which wakes the worker, and the next event
 * goes whole.
 */
export function hostEngineOverPort(options: OffscreenEngineHostOptions): { close(): void } {
  const delays = options.retryDelaysMs ?? [0, 250, 1000, 3000];
  const setTimer = options.setTimer ?? ((cb: () => void, ms: number) => setTimeout(cb, ms));
  const report = options.onError ?? ((message: string, cause?: unknown) => console.warn(`[earshot] ${message}`, cause ?? ''));
  let port: PortLike | undefined;
  let configured = false;
  let attempt = 0;
  let closed = false;
  let sent: EngineEvent | undefined;
  let latest: EngineEvent | undefined;

  const post = (target: PortLike, message: FromEngineHost): boolean => {
    try {
      target.postMessage(message);
      return true;
    } catch (error) {
      report('could not post to the background (it reconnects)', error);
      return false;
    }
  };

  const sendEvent = (event: EngineEvent) => {
    latest = event;
    if (!port) return;
    const session = event.session;
    if (sent && session && onlyLevelsChanged(sent, event)) {
      if (post(port, { type: 'levels', session: session.id, levels: session.levels })) sent = event;
      return;
    }
    if (post(port, { type: 'event', event })) sent = event;
  };

  function open(): void {
    if (closed) return;
    let current: PortLike;
    try {
      current = options.connect(ENGINE_PORT_NAME);
    } catch (error) {
      report('could not open the engine port', error);
      retry();
      return;
    }
    port = current;
    sent = undefined;
    current.onMessage.addListener((raw) => {
      const parsed = toEngineHostSchema.safeParse(raw);
      if (!parsed.success) {
        report(`dropped a malformed engine command: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        return;
      }
      attempt = 0;
      const { id, command } = parsed.data;
      if (command.type === 'configure') configured = true;
      options.engine.handle(command).then(
        () => post(current, { type: 'result', id, ok: true }),
        (error: unknown) => post(current, { type: 'result', id, ok: false, reason: error instanceof Error ? error.message : String(error) }),
      );
    });
    current.onDisconnect.addListener(() => {
      if (port !== current) return;
      port = undefined;
      retry();
    });
    post(current, { type: 'hello', fresh: !configured });
    // What the engine reported while no port was open goes now, whole.
    if (latest) {
      const log = pendingLog;
      pendingLog = [];
      sendEvent({ ...latest, newLog: log });
    }
  }

  function retry(): void {
    if (closed) return;
    const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1000;
    attempt += 1;
    setTimer(open, delay);
  }

  let pendingLog: EngineEvent['newLog'] = [];
  options.engine.onEvent((event) => {
    // Log entries made while no port was open are not lost: they ride with the next event.
    const merged = pendingLog.length > 0 ? { ...event, newLog: [...pendingLog, ...event.newLog] } : event;
    pendingLog = port ? [] : merged.newLog;
    sendEvent(merged);
  });
  open();
  return {
    close() {
      closed = true;
      port?.disconnect();
      port = undefined;
    },
  };
}
