import type { EngineLink } from '../coordinator/engine-link';
import { ElementAudioOutput, ElementSilentSource, WebAudioSilentSource } from '../phone/audio';
import type { EngineCommand, EngineEvent } from '../contract/engine';
import { PhoneEngine, type PhoneEngineApi, type PhoneEngineOptions } from '../phone/engine';
import { defaultMonitorLogic } from '../phone/monitor-logic-default';
import { indexedDbDialogStore } from './dialog-store';
import { installPageMicrophoneBridge } from './page-microphone';

/**
 * Firefox: the engine runs in the (persistent MV2) background page itself,
 * next to the coordinator. Events are delivered a microtask later, like a
 * message would be, so the coordinator never sees re-entrant updates.
 */
export class InPageEngineLink implements EngineLink {
  constructor(private readonly engine: PhoneEngineApi) {}

  send(command: EngineCommand): Promise<void> {
    return this.engine.handle(command);
  }

  onEvent(callback: (event: EngineEvent) => void): () => void {
    return this.engine.onEvent((event) => queueMicrotask(() => callback(event)));
  }
}

/**
 * The Firefox link with the real engine: `<audio>` playback, a silent track
 * for Listen captured from a looping silent `<audio>`, and the microphone
 * from a visible Earshot page (see page-microphone.ts; the sidebar calls
 * `offerPageMicrophone`).
 */
export function createInPageEngineLink(overrides: Partial<PhoneEngineOptions> = {}): InPageEngineLink {
  const engine = new PhoneEngine({
    logic: defaultMonitorLogic,
    microphone: installPageMicrophoneBridge(),
    audio: new ElementAudioOutput(),
    // A reloaded background page ends the call the one before it left at the PBX.
    dialogStore: indexedDbDialogStore(),
    // Not Web Audio: the background page's AudioContext stays suspended without a gesture,
    // and a track from it sends no RTP frames (so no RFC 4733 digit leaves from Listen).
    silence: new ElementSilentSource({
      fallback: new WebAudioSilentSource(),
      onFallback: (error) => console.warn('[earshot] no <audio> silent track; Web Audio instead (RFC 4733 from Listen may not reach the PBX)', error),
    }),
    ...overrides,
  });
  return new InPageEngineLink(engine);
}
