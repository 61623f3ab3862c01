import type { EarshotState } from '../state/snapshot';
import { STATE_PORT_NAME, type StatePortMessage } from './protocol';
import { earshotStateSchema } from './schemas';
import type { SenderInfo, SenderVerdict } from './senders';

/** The parts of `runtime.Port` the state channel uses (fakeBrowser has no ports: tests pass fakes). */
export interface PortLike {
  name: string;
  sender?: SenderInfo;
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(callback: (message: unknown) => void): void };
  onDisconnect: { addListener(callback: () => void): void };
}

export interface StateHubOptions {
  getState: () => EarshotState;
  /** Checks who opened the port: our extension pages, or our content script at a portal origin. */
  authorize: (sender: SenderInfo) => SenderVerdict;
  /** Resolves when the coordinator has restored what survived a worker restart. */
  ready?: () => Promise<void>;
  /**
   * An accepted content script's port closed: its document went away (navigation, reload,
   * tab or frame closed), or that copy of the script left (a newer copy took over, the
   * extension context ended). Not called when this worker stops: then nothing runs here,
   * and the content script reconnects to the next one.
   */
  onContentGone?: (frame: { tabId?: number; frameId?: number }) => void;
}

/**
 * Background side of the state channel: every accepted port gets the whole
 * current snapshot at once (so a UI re-syncs on every (re)connect) and then
 * every new one.
 */
export function createStateHub(options: StateHubOptions) {
  const ports = new Set<PortLike>();

  function post(port: PortLike, state: EarshotState): void {
    try {
      port.postMessage({ type: 'snapshot', state } satisfies StatePortMessage);
    } catch {
      // The other end went away between two events; onDisconnect cleans up.
      ports.delete(port);
    }
  }

  return {
    /**
     * Takes a newly connected port. The sender is checked once the receiver
     * is ready (a worker woken by this very connection is still loading the
     * portal origins); refused ports are disconnected. Resolves to the verdict.
     */
    accept(port: PortLike): Promise<boolean> {
      if (port.name !== STATE_PORT_NAME) return Promise.resolve(false);
      let gone = false;
      let content = false;
      port.onDisconnect.addListener(() => {
        gone = true;
        ports.delete(port);
        if (content) options.onContentGone?.({ tabId: port.sender?.tab?.id, frameId: port.sender?.frameId });
      });
      return (options.ready?.() ?? Promise.resolve()).then(() => {
        if (gone) return false;
        const verdict = options.authorize(port.sender ?? {});
        if (!verdict.ok || (verdict.role !== 'page' && verdict.role !== 'content')) {
          port.disconnect();
          return false;
        }
        content = verdict.role === 'content';
        ports.add(port);
        post(port, options.getState());
        return true;
      });
    },
    /** Sends a snapshot to every connected UI. */
    publish(state: EarshotState): void {
      for (const port of ports) post(port, state);
    },
    /** Number of connected UIs. */
    get size(): number {
      return ports.size;
    },
  };
}

/** The hub returned by {@link createStateHub}. */
export type StateHub = ReturnType<typeof createStateHub>;

export interface StateClientOptions {
  /** Opens a port named {@link STATE_PORT_NAME} to the background. */
  connect: () => PortLike;
  onState: (state: EarshotState) => void;
  /** Called with true when connected, false when the connection dropped. */
  onConnection?: (connected: boolean) => void;
  /** Delays before successive reconnect attempts (the last one repeats). */
  retryDelaysMs?: readonly number[];
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * UI side of the state channel. Validates each snapshot, drops ones older
 * than the one shown, and reconnects when the port drops (the MV3 service
 * worker stopped): the fresh connection's first snapshot is always taken.
 */
export function createStateClient(options: StateClientOptions) {
  const delays = options.retryDelaysMs ?? [0, 250, 1000, 3000];
  const setTimer = options.setTimer ?? ((cb: () => void, ms: number) => setTimeout(cb, ms));
  const clearTimer = options.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let port: PortLike | undefined;
  let shown = -1;
  let attempt = 0;
  let timer: unknown;
  let closed = false;

  function open(): void {
    timer = undefined;
    if (closed) return;
    let current: PortLike;
    try {
      current = options.connect();
    } catch {
      schedule();
      return;
    }
    port = current;
    // A new connection may come from a restarted worker: accept its first snapshot whatever its revision.
    let first = true;
    current.onMessage.addListener((message) => {
      if (port !== current) return;
      const parsed = earshotStateSchema.safeParse((message as { state?: unknown } | null)?.state);
      if ((message as { type?: unknown } | null)?.type !== 'snapshot' || !parsed.success) return;
      if (!first && parsed.data.revision <= shown) return;
      first = false;
      attempt = 0;
      shown = parsed.data.revision;
      options.onState(parsed.data);
    });
    current.onDisconnect.addListener(() => {
      if (port !== current) return;
      port = undefined;
      options.onConnection?.(false);
      schedule();
    });
    options.onConnection?.(true);
  }

  function schedule(): void {
    if (closed || timer !== undefined) return;
    const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1000;
    attempt += 1;
    timer = setTimer(open, delay);
  }

  open();

  return {
    /** Stops listening and reconnecting. */
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimer(timer);
      const p = port;
      port = undefined;
      try {
        p?.disconnect();
      } catch {
        // Already gone with its extension context ("Extension context invalidated").
      }
    },
    /** Whether a port is open now. */
    get connected(): boolean {
      return port !== undefined;
    },
  };
}
