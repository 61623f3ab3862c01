import { ENGINE_PORT_NAME, type FromEngineHost } from '../messaging/protocol';
import { toEngineHostSchema } from '../messaging/schemas';
import type { PortLike } from '../messaging/state-port';
import type { EngineEvent } from '../contract/engine';
import type { PhoneEngineApi } from '../phone/engine';
import { onlyLevelsChanged } from '../state/snapshot';

export interface OffscreenEngineHostOptions {
  engine: PhoneEngineApi;
  /** Opens the engine port to the background (runtime.connect; injected in tests). */
  connect: (name: string) => PortLike;
  /** Reports what could not be delivered or understood (console, with the cause). */
  onError?: (message: string, cause?: unknown) => void;
}

/** The host returned by {@link hostEngineOverPort}. */
export interface EngineHost {
  /** A restarted worker asks for the port (the sender already checked: our worker). */
  wake(): void;
  close(): void;
}

/**
 * The offscreen document's side of the engine port. It opens the port as it
 * loads, when the engine has an event to deliver and no port is open (which
 * wakes a stopped worker; an idle engine lets it sleep), and when a restarted
 * worker asks ({@link EngineHost.wake}). On each port: a hello (fresh while
 * the engine was never configured), then every checked command run and
 * answered, and every engine event sent back, as a levels-only message when
 * nothing else changed.
 */
export function hostEngineOverPort(options: OffscreenEngineHostOptions): EngineHost {
  const report = options.onError ?? ((message: string, cause?: unknown) => console.warn(`[earshot] ${message}`, cause ?? ''));
  let port: PortLike | undefined;
  let configured = false;
  let closed = false;
  let sent: EngineEvent | undefined;
  let latest: EngineEvent | undefined;
  /** Log entries made while no port was open: they ride with the next event. */
  let pendingLog: EngineEvent['newLog'] = [];

  const post = (target: PortLike, message: FromEngineHost): boolean => {
    try {
      target.postMessage(message);
      return true;
    } catch (error) {
      report('could not post to the background', error);
      return false;
    }
  };

  const deliver = (target: PortLike, event: EngineEvent) => {
    const session = event.session;
    const message: FromEngineHost =
      sent && session && onlyLevelsChanged(sent, event) ? { type: 'levels', session: session.id, levels: session.levels } : { type: 'event', event };
    if (post(target, message)) {
      sent = event;
      pendingLog = [];
    }
  };

  function use(current: PortLike): void {
    port = current;
    sent = undefined;
    current.onMessage.addListener((raw) => {
      const parsed = toEngineHostSchema.safeParse(raw);
      if (!parsed.success) {
        report(`dropped a malformed engine command: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        return;
      }
      const { id, command } = parsed.data;
      if (command.type === 'configure') configured = true;
      options.engine.handle(command).then(
        () => post(current, { type: 'result', id, ok: true }),
        (error: unknown) => post(current, { type: 'result', id, ok: false, reason: error instanceof Error ? error.message : String(error) }),
      );
    });
    current.onDisconnect.addListener(() => {
      // The worker stopped (or replaced this port): the next event opens a new one.
      if (port === current) port = undefined;
    });
    post(current, { type: 'hello', fresh: !configured });
    // What the engine reported while no port was open goes now, whole.
    if (latest) deliver(current, { ...latest, newLog: pendingLog });
  }

  function open(): void {
    if (closed) return;
    try {
      use(options.connect(ENGINE_PORT_NAME));
    } catch (error) {
      report('could not open the engine port (the next event tries again)', error);
    }
  }

  options.engine.onEvent((event) => {
    latest = event;
    pendingLog = [...pendingLog, ...event.newLog];
    if (port) deliver(port, { ...event, newLog: pendingLog });
    else open();
  });
  open();
  return {
    wake() {
      // Already linked (the worker asked before it heard our hello): say hello again on that port.
      if (port) post(port, { type: 'hello', fresh: !configured });
      else open();
    },
    close() {
      closed = true;
      port?.disconnect();
      port = undefined;
    },
  };
}
