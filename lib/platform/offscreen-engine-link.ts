import type { EngineLink } from '../coordinator/engine-link';
import type { FromEngineHost, ToEngineHost } from '../messaging/protocol';
import { fromEngineHostSchema } from '../messaging/schemas';
import type { PortLike } from '../messaging/state-port';
import type { EngineCommand, EngineEvent } from '../contract/engine';
import { isLive } from '../monitor/session-machine';

/** What a supervisor reads when the engine's document dies under a live session. */
export const ENGINE_GONE_MESSAGE =
  "Earshot's phone engine stopped (its page was closed or crashed), and the monitor call with it. Earshot is restarting it: start again in a moment.";

/** Path of the engine's offscreen document (entrypoints/offscreen). */
export const OFFSCREEN_PATH = '/offscreen.html';

/** The slice of Chrome's offscreen + runtime.getContexts APIs the link uses (injectable: fakeBrowser has neither). */
export interface OffscreenDocuments {
  /** True when our offscreen document exists (runtime.getContexts). */
  exists(): Promise<boolean>;
  /** Creates it (offscreen.createDocument). */
  create(): Promise<void>;
}

/** Chrome's real offscreen API, for {@link OffscreenEngineLink}. */
export function chromeOffscreenDocuments(path = OFFSCREEN_PATH): OffscreenDocuments {
  interface ChromeApis {
    runtime: {
      getURL(path: string): string;
      getContexts(filter: { contextTypes: string[]; documentUrls?: string[] }): Promise<unknown[]>;
    };
    offscreen: { createDocument(options: { url: string; reasons: string[]; justification: string }): Promise<void> };
  }
  const chromeApi = (globalThis as unknown as { chrome: ChromeApis }).chrome;
  const url = chromeApi.runtime.getURL(path);
  return {
    async exists() {
      const contexts = await chromeApi.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'], documentUrls: [url] });
      return contexts.length > 0;
    },
    create() {
      return chromeApi.offscreen.createDocument({
        url,
        // WEB_RTC and USER_MEDIA keep it open (AUDIO_PLAYBACK alone closes after 30 s of silence).
        reasons: ['WEB_RTC', 'USER_MEDIA', 'AUDIO_PLAYBACK'],
        justification: 'Earshot’s phone engine: SIP over WebSocket, the monitor call’s audio, and the microphone for Whisper and Join.',
      });
    },
  };
}

export interface OffscreenEngineLinkOptions {
  documents: OffscreenDocuments;
  /**
   * Asks a document that exists to open its engine port (the one `engine-connect` message, sent only
   * when this worker finds a document without a port: it was restarted). Injected in tests.
   */
  wake: () => Promise<void>;
  /** How long to wait for a document's engine port after finding or creating it. */
  connectTimeoutMs?: number;
  /** Something went wrong on the link outside any command's answer (logged and shown by the caller). */
  onLinkError?: (message: string) => void;
  /**
   * The link wrote the End row of a session whose engine died: noted where the next engine reads
   * its predecessor's calls (dialog-store.ts), before that engine starts, so it writes no second one.
   */
  sessionEndLogged?: (sessionId: string) => Promise<void>;
  /** Waits between attempts to restart a dead document: 1 s, then doubling (injected in tests). */
  retryDelayMs?: number;
  now?: () => number;
}

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Chrome: the coordinator's {@link EngineLink} to the engine in the offscreen
 * document, over one long-lived port (`earshot:engine`). Commands are
 * numbered and answered on the port; events come back on it.
 *
 * The document opens it (hand each accepted one to {@link attach}): as it
 * loads, when it has an event to deliver and no port is open (that wakes a
 * stopped worker), and when a restarted worker that needs the engine finds
 * the document without a port and asks once ({@link OffscreenEngineLinkOptions.wake}).
 * An idle engine never wakes an idle worker. The newest port is the link.
 *
 * The document is found or created only while no port is open (one shared
 * promise guards concurrent `createDocument`). A port that closes while the
 * document lives is a worker gone; seen from here it is a document gone
 * (crashed, closed): while the engine is configured, the link makes a new one
 * at once. A new engine says `fresh` in its hello: the last `configure` and
 * `watch` are replayed to it before anything else.
 */
export class OffscreenEngineLink implements EngineLink {
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private port: PortLike | undefined;
  private linking: Promise<PortLike> | undefined;
  private waiters: { resolve(port: PortLike): void; reject(error: Error): void }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private lastConfigure: EngineCommand | undefined;
  private lastWatch: EngineCommand | undefined;
  /** The last whole event, which a levels-only message updates. */
  private lastEvent: EngineEvent | undefined;

  constructor(private readonly options: OffscreenEngineLinkOptions) {}

  async send(command: EngineCommand): Promise<void> {
    if (command.type === 'configure') this.lastConfigure = command;
    if (command.type === 'watch') this.lastWatch = command;
    const port = this.port ?? (await this.link());
    await this.post(port, command);
  }

  onEvent(callback: (event: EngineEvent) => void): () => void {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  /** Whether an engine port is open now. */
  get connected(): boolean {
    return this.port !== undefined;
  }

  /** Takes the engine host's port (its sender already checked: our offscreen document). */
  attach(port: PortLike): void {
    let hello = false;
    port.onMessage.addListener((raw) => {
      const parsed = fromEngineHostSchema.safeParse(raw);
      if (!parsed.success) {
        this.options.onLinkError?.(`Dropped a malformed message from the phone engine: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        return;
      }
      const message = parsed.data;
      if (message.type === 'hello') {
        // A second hello on the port already in use answers a wake this worker sent meanwhile: nothing to do.
        hello = true;
        if (this.port !== port) this.adopt(port, message.fresh);
        return;
      }
      if (!hello) {
        this.options.onLinkError?.(`The phone engine sent ${message.type} before its hello; dropped.`);
        return;
      }
      this.receive(message);
    });
    port.onDisconnect.addListener(() => {
      if (this.port !== port) return;
      const last = this.lastEvent;
      this.port = undefined;
      this.lastEvent = undefined;
      const gone = new Error('The phone engine’s document went away before answering.');
      for (const waiter of this.pending.values()) waiter.reject(gone);
      this.pending.clear();
      // A configured engine is wanted: say what was lost, and make a new document now rather than at the next click.
      if (this.lastConfigure?.type === 'configure' && this.lastConfigure.config) {
        const lost = last?.session && isLive(last.session.status) ? last.session.id : undefined;
        if (last) this.emit(engineGone(last, this.options.now?.() ?? Date.now()));
        const noted = lost && this.options.sessionEndLogged ? this.options.sessionEndLogged(lost) : Promise.resolve();
        noted
          .catch((error: unknown) => this.options.onLinkError?.(`Could not note the end of the lost session: ${error instanceof Error ? error.message : String(error)}`))
          .finally(() => this.relink(0));
      }
    });
  }

  /** Restarts the engine's document, retrying a few times (a closing document may still be listed for a moment). */
  private relink(attempt: number): void {
    this.link().catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      if (attempt >= 4) {
        this.options.onLinkError?.(`Could not restart the phone engine: ${reason}. Reload Earshot (chrome://extensions) if this lasts.`);
        return;
      }
      setTimeout(() => this.relink(attempt + 1), (this.options.retryDelayMs ?? 1000) * 2 ** attempt);
    });
  }

  private adopt(port: PortLike, fresh: boolean): void {
    if (this.port && this.port !== port) {
      // The document opened a new one (its old one went with a worker this one never heard from).
      const replaced = this.port;
      this.port = undefined;
      const error = new Error('The link to the phone engine was re-made; try again.');
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
      replaced.disconnect();
    }
    this.port = port;
    if (fresh) {
      for (const replay of [this.lastConfigure, this.lastWatch]) {
        if (!replay) continue;
        this.post(port, replay).catch((error: unknown) =>
          this.options.onLinkError?.(`The new phone engine did not take ${replay.type}: ${error instanceof Error ? error.message : String(error)}`),
        );
      }
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve(port);
  }

  private receive(message: Exclude<FromEngineHost, { type: 'hello' }>): void {
    switch (message.type) {
      case 'result': {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.ok) waiter?.resolve();
        else waiter?.reject(new Error(message.reason ?? 'The phone engine refused the command.'));
        return;
      }
      case 'event':
        this.lastEvent = message.event;
        this.emit(message.event);
        return;
      case 'levels': {
        const last = this.lastEvent;
        if (!last?.session || last.session.id !== message.session) return;
        this.lastEvent = { ...last, session: { ...last.session, levels: message.levels }, newLog: [] };
        this.emit(this.lastEvent);
        return;
      }
    }
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private post(port: PortLike, command: EngineCommand): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        port.postMessage({ type: 'command', id, command } satisfies ToEngineHost);
      } catch (error) {
        this.pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Finds or creates the document, then waits for its port. One at a time. */
  private link(): Promise<PortLike> {
    this.linking ??= (async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        if (this.port) return this.port;
        const timeout = this.options.connectTimeoutMs ?? 10_000;
        const arrived = new Promise<PortLike>((resolve, reject) => {
          this.waiters.push({
            resolve: (port) => {
              clearTimeout(timer);
              resolve(port);
            },
            reject,
          });
          timer = setTimeout(() => reject(new Error(`The phone engine did not connect within ${timeout / 1000} s.`)), timeout);
        });
        if (await this.options.documents.exists()) {
          // A document from before this worker: ask it for its port (it answers with its hello).
          await this.options.wake();
        } else {
          try {
            // A new document opens its port as it loads.
            await this.options.documents.create();
          } catch (error) {
            // Another caller (an earlier worker instance) created it in between.
            if (!(/single offscreen|only a single/i.test(String(error)) && (await this.options.documents.exists()))) throw error;
          }
        }
        return await arrived;
      } catch (error) {
        clearTimeout(timer);
        this.waiters = [];
        throw error;
      } finally {
        this.linking = undefined;
      }
    })();
    return this.linking;
  }
}

/**
 * The state a dead engine leaves: not registered (restarting), and its live
 * session failed with the reason, with the session record's Error and End
 * rows, so no panel shows a call that is gone. The call at the PBX cannot be
 * hung up from here: the next engine ends it with a BYE in its dialog, which
 * the dead one kept (lib/phone/dialog-journal.ts); a PBX with an RTP timeout
 * ends it too when its media stops.
 */
function engineGone(last: EngineEvent, now: number): EngineEvent {
  const session = last.session;
  const lost = session !== null && isLive(session.status);
  const who = session ? (session.agent.name ? `${session.agent.name} (${session.agent.extension})` : session.agent.extension) : '';
  return {
    ...last,
    registration: { status: 'reconnecting', message: 'Restarting Earshot’s phone engine…', since: now },
    session: lost ? failedSession(session, now) : session,
    newLog: lost
      ? [
          { at: now, kind: 'error', agent: session.agent.extension, text: `${who}: ${ENGINE_GONE_MESSAGE}` },
          { at: now, kind: 'end', agent: session.agent.extension, text: `Stopped monitoring ${who}: the phone engine stopped.` },
        ]
      : [],
  };
}

/** The session as it stands when its engine died: failed now, with the reason, nothing pending, no levels. */
function failedSession(session: NonNullable<EngineEvent['session']>, now: number): NonNullable<EngineEvent['session']> {
  const { pendingMode: _pending, ...rest } = session;
  return { ...rest, status: 'failed', endedAt: now, message: ENGINE_GONE_MESSAGE, levels: { heard: 0, sent: 0 } };
}
