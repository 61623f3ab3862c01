import type { EarshotState, LogEntry, SessionSnapshot } from '../state/snapshot';
import { STATE_PORT_NAME, type StatePortMessage } from './protocol';
import { statePortMessageSchema } from './schemas';
import type { SenderInfo, SenderVerdict } from './senders';

/** The parts of `runtime.Port` the channels use (fakeBrowser has no ports: tests pass fakes). */
export interface PortLike {
  name: string;
  sender?: SenderInfo;
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(callback: (message: unknown) => void): void };
  onDisconnect: { addListener(callback: () => void): void };
}

/** Default bound of the log a UI keeps when the background names none. */
export const DEFAULT_UI_LOG_LIMIT = 500;

/**
 * What the coordinator publishes: a new state (its log has grown by the
 * entries numbered up to `logSeq`), or new levels of the session shown.
 */
export type Publication =
  | { type: 'state'; state: EarshotState; logSeq: number; logLimit: number }
  | { type: 'levels'; revision: number; session: string; levels: SessionSnapshot['levels'] };

export interface StateHubOptions {
  /** The state a newly accepted port starts from. */
  current: () => Extract<Publication, { type: 'state' }>;
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
  /** A post failed for another reason than a port that just closed (logged with its cause). */
  onPostError?: (error: unknown) => void;
}

/** Roles that may hold a state port: Earshot's pages and its content script. */
const UI_ROLES: ReadonlySet<string> = new Set(['sidepanel', 'options', 'page', 'content']);

interface Subscriber {
  port: PortLike;
  /** Log entries (by sequence number) this port has. */
  logSeq: number;
}

/**
 * Background side of the state channel. A port gets the current snapshot and
 * the whole log at once (so a UI re-syncs on every (re)connect), then each
 * new snapshot without its log, the log's new entries as appends, and the
 * level meter on its own small topic.
 */
export function createStateHub(options: StateHubOptions) {
  const subscribers = new Set<Subscriber>();

  function post(subscriber: Subscriber, message: StatePortMessage): void {
    try {
      subscriber.port.postMessage(message);
    } catch (error) {
      // The other end went away between two events (onDisconnect cleans up); anything else is logged.
      subscribers.delete(subscriber);
      if (!/disconnected|closed|invalidated/i.test(String(error))) options.onPostError?.(error);
    }
  }

  function sendState(subscriber: Subscriber, publication: Extract<Publication, { type: 'state' }>, first: boolean): void {
    const { log, ...snapshot } = publication.state;
    post(subscriber, { type: 'snapshot', state: snapshot });
    const missing = publication.logSeq - subscriber.logSeq;
    if (!first && missing <= 0) return;
    const reset = first || missing > log.length;
    post(subscriber, { type: 'log', reset, entries: reset ? log : log.slice(-missing), limit: publication.logLimit });
    subscriber.logSeq = publication.logSeq;
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
      const subscriber: Subscriber = { port, logSeq: 0 };
      port.onDisconnect.addListener(() => {
        gone = true;
        subscribers.delete(subscriber);
        if (content) options.onContentGone?.({ tabId: port.sender?.tab?.id, frameId: port.sender?.frameId });
      });
      return (options.ready?.() ?? Promise.resolve()).then(() => {
        if (gone) return false;
        const verdict = options.authorize(port.sender ?? {});
        if (!verdict.ok || !UI_ROLES.has(verdict.role)) {
          port.disconnect();
          return false;
        }
        content = verdict.role === 'content';
        subscribers.add(subscriber);
        sendState(subscriber, options.current(), true);
        return true;
      });
    },
    /** Sends a change to every connected UI. */
    publish(publication: Publication): void {
      for (const subscriber of subscribers) {
        if (publication.type === 'state') sendState(subscriber, publication, false);
        else post(subscriber, publication);
      }
    },
    /** Number of connected UIs. */
    get size(): number {
      return subscribers.size;
    },
  };
}

/** The hub returned by {@link createStateHub}. */
export type StateHub = ReturnType<typeof createStateHub>;

export interface StateClientOptions {
  /** Opens a port named {@link STATE_PORT_NAME} to the background. */
  connect: () => PortLike;
  /** Called with the whole state (snapshot, the log kept here, the latest levels) at every change. */
  onState: (state: EarshotState) => void;
  /** Called with true when connected, false when the connection dropped. */
  onConnection?: (connected: boolean) => void;
  /** A message that failed its check (dropped), with the reason. */
  onInvalid?: (reason: string) => void;
  /** Delays before successive reconnect attempts (the last one repeats). */
  retryDelaysMs?: readonly number[];
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * UI side of the state channel. Validates each message, drops snapshots
 * older than the one shown, keeps its own copy of the log (appends, capped),
 * applies the levels of the session shown, and reconnects when the port
 * drops (the MV3 service worker stopped): the fresh connection's first
 * snapshot is always taken, and its log replaces the copy.
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
  let snapshot: Omit<EarshotState, 'log'> | undefined;
  let log: LogEntry[] = [];
  let limit = DEFAULT_UI_LOG_LIMIT;

  const emit = () => {
    if (snapshot) options.onState({ ...snapshot, log });
  };

  function open(): void {
    timer = undefined;
    if (closed) return;
    let current: PortLike;
    try {
      current = options.connect();
    } catch (error) {
      options.onInvalid?.(`Could not connect to Earshot's background: ${error instanceof Error ? error.message : String(error)}`);
      schedule();
      return;
    }
    port = current;
    // A new connection may come from a restarted worker: accept its first snapshot whatever its revision.
    let first = true;
    current.onMessage.addListener((raw) => {
      if (port !== current) return;
      const parsed = statePortMessageSchema.safeParse(raw);
      if (!parsed.success) {
        options.onInvalid?.(`Dropped a malformed state message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        return;
      }
      const message = parsed.data;
      switch (message.type) {
        case 'snapshot':
          if (!first && message.state.revision <= shown) return;
          first = false;
          attempt = 0;
          shown = message.state.revision;
          snapshot = message.state;
          break;
        case 'log':
          limit = message.limit;
          log = (message.reset ? message.entries : [...log, ...message.entries]).slice(-limit);
          break;
        case 'levels':
          if (message.revision < shown || snapshot?.session?.id !== message.session) return;
          snapshot = { ...snapshot, session: { ...snapshot.session, levels: message.levels } };
          break;
      }
      emit();
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
        // Already gone with its extension context ("Extension context invalidated"): nothing left to close.
      }
    },
    /** Whether a port is open now. */
    get connected(): boolean {
      return port !== undefined;
    },
  };
}
