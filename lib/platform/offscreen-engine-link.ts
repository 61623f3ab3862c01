import type { EngineLink } from '../coordinator/engine-link';
import type { CommandResult } from '../messaging/commands';
import type { EngineCommand, EngineEvent } from '../contract/engine';

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
  /** Sends one command to the offscreen document (messenger 'bg-to-engine:command'). */
  sendCommand: (command: EngineCommand) => Promise<CommandResult | undefined>;
}

/**
 * Chrome: the coordinator's {@link EngineLink} to the engine in the offscreen
 * document. Creates the document on demand, one at a time (one shared
 * promise guards concurrent `createDocument`), and re-attaches after the
 * service worker restarts: the coordinator's `sync` reaches the surviving
 * document, which answers with its whole state. When the document had to be
 * (re)created, the last `configure` and `watch` are replayed first so a new
 * engine is never left unconfigured.
 *
 * Events come back by message: wire the background's `engine-to-bg:event`
 * handler to {@link deliver}.
 */
export class OffscreenEngineLink implements EngineLink {
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private ensuring: Promise<boolean> | undefined;
  private lastConfigure: EngineCommand | undefined;
  private lastWatch: EngineCommand | undefined;

  constructor(private readonly options: OffscreenEngineLinkOptions) {}

  async send(command: EngineCommand): Promise<void> {
    if (command.type === 'configure') this.lastConfigure = command;
    if (command.type === 'watch') this.lastWatch = command;
    const created = await this.ensureDocument();
    if (created) {
      for (const replay of [this.lastConfigure, this.lastWatch]) {
        if (replay && replay !== command) await this.deliverCommand(replay);
      }
    }
    await this.deliverCommand(command);
  }

  onEvent(callback: (event: EngineEvent) => void): () => void {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  /** Hands an event that arrived from the offscreen document to the subscribers. */
  deliver(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Resolves true when this call created the document. */
  private ensureDocument(): Promise<boolean> {
    this.ensuring ??= (async () => {
      try {
        if (await this.options.documents.exists()) return false;
        try {
          await this.options.documents.create();
        } catch (error) {
          // Another caller (an earlier worker instance) created it in between.
          if (/single offscreen|only a single/i.test(String(error)) && (await this.options.documents.exists())) return false;
          throw error;
        }
        return true;
      } finally {
        this.ensuring = undefined;
      }
    })();
    return this.ensuring;
  }

  private async deliverCommand(command: EngineCommand): Promise<void> {
    const result = await this.options.sendCommand(command);
    if (result && !result.ok) throw new Error(result.reason);
  }
}
