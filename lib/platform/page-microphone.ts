import type { MicrophoneState } from '../state/snapshot';
import { MicrophoneUnavailableError } from '../phone/errors';
import { UserMediaMicrophoneProvider, type MicrophoneProvider } from '../phone/microphone';

/**
 * Firefox: the microphone for an engine that runs in the background page.
 *
 * getUserMedia in a Firefox background page always fails, so Whisper and
 * Join take the microphone from a visible Earshot page (the sidebar; a tab or
 * popup window of ours works the same). The path:
 *
 * 1. The background page installs a {@link PageMicrophoneBridge} on its
 *    window ({@link installPageMicrophoneBridge}).
 * 2. A visible extension page calls {@link offerPageMicrophone}: it reaches
 *    the background window with `runtime.getBackgroundPage()` (extension
 *    pages share one process and origin in Firefox, so this is a direct
 *    object reference) and registers a source whose `acquire()` runs
 *    getUserMedia in that visible page (which may prompt).
 * 3. The engine, on the first Whisper/Join, calls the bridge's `acquire()`
 *    and puts the returned track on its RTCRtpSender with `replaceTrack`.
 *    Firefox's MediaPipelineTransmit builds its send track in the track's
 *    own media graph and enables it when the peer connection's document
 *    principal subsumes the track's (same moz-extension origin), so a track
 *    of the sidebar's window can be sent by the background page's
 *    RTCPeerConnection.
 *
 * The track lives as long as the page that opened it: closing the sidebar
 * ends it, and the engine falls back to Listen.
 */
export interface PageMicrophoneSource {
  /** For messages: which page offers it ("sidebar"). */
  label: string;
  query(): Promise<MicrophoneState>;
  acquire(): Promise<MediaStreamTrack>;
}

/** Name of the bridge on the background page's window. */
export const MICROPHONE_BRIDGE_KEY = '__earshotMicrophoneBridge';

/** What a Firefox user is told when no Earshot page is open to take the microphone from. */
export const OPEN_SIDEBAR_MESSAGE =
  'Open the Earshot sidebar to use Whisper or Join: Firefox only gives the microphone to a visible Earshot page.';

/** Background side: a {@link MicrophoneProvider} backed by whichever visible page offered one last. */
export class PageMicrophoneBridge implements MicrophoneProvider {
  private sources: PageMicrophoneSource[] = [];
  private readonly listeners = new Set<(state: MicrophoneState) => void>();

  /** Called by a visible page; returns the function that withdraws the offer (on pagehide). */
  register(source: PageMicrophoneSource): () => void {
    this.sources = [source, ...this.sources.filter((s) => s !== source)];
    void source.query().then((state) => this.notify(state), () => undefined);
    return () => {
      this.sources = this.sources.filter((s) => s !== source);
      if (this.sources.length === 0) this.notify('unknown');
    };
  }

  /** True while some visible page offers the microphone. */
  get available(): boolean {
    return this.sources.length > 0;
  }

  query(): Promise<MicrophoneState> {
    return this.sources[0]?.query() ?? Promise.resolve('unknown');
  }

  acquire(): Promise<MediaStreamTrack> {
    const source = this.sources[0];
    if (!source) return Promise.reject(new MicrophoneUnavailableError(OPEN_SIDEBAR_MESSAGE));
    return source.acquire();
  }

  release(track: MediaStreamTrack): void {
    track.stop();
  }

  onChange(callback: (state: MicrophoneState) => void): () => void {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  private notify(state: MicrophoneState): void {
    for (const listener of this.listeners) listener(state);
  }
}

/** Background page: creates the bridge and exposes it for visible pages. */
export function installPageMicrophoneBridge(target: object = globalThis): PageMicrophoneBridge {
  const holder = target as Record<string, unknown>;
  const existing = holder[MICROPHONE_BRIDGE_KEY];
  if (existing instanceof PageMicrophoneBridge) return existing;
  const bridge = new PageMicrophoneBridge();
  holder[MICROPHONE_BRIDGE_KEY] = bridge;
  return bridge;
}

/** The slice of `browser.runtime` the visible page needs (injectable for tests). */
export interface BackgroundPageAccess {
  getBackgroundPage(): Promise<object | null | undefined>;
}

/**
 * Visible extension page (Firefox sidebar): offers this page's microphone to
 * the engine in the background page. getUserMedia runs here, in the visible
 * page, only when the engine asks (first Whisper/Join). Returns the withdraw
 * function; also withdrawn on `pagehide`.
 */
export async function offerPageMicrophone(
  runtime: BackgroundPageAccess,
  label = 'sidebar',
  provider: MicrophoneProvider = new UserMediaMicrophoneProvider(undefined, undefined, 'allow it for Earshot in Firefox'),
  page: Pick<Window, 'addEventListener'> | undefined = globalThis.window,
): Promise<() => void> {
  const background = (await runtime.getBackgroundPage()) as Record<string, unknown> | null;
  const bridge = background?.[MICROPHONE_BRIDGE_KEY] as Pick<PageMicrophoneBridge, 'register'> | undefined;
  if (!bridge) return () => undefined;
  const withdraw = bridge.register({ label, query: () => provider.query(), acquire: () => provider.acquire() });
  page?.addEventListener('pagehide', withdraw, { once: true });
  return withdraw;
}
