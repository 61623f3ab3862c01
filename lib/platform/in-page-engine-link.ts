import type { EngineLink } from '../coordinator/engine-link';
import { ElementAudioOutput, WebAudioSilentSource } from '../phone/audio';
import type { EngineCommand, EngineEvent } from '../phone/engine-api';
import { PhoneEngine, type PhoneEngineApi, type PhoneEngineOptions } from '../phone/engine';
import { defaultMonitorLogic } from '../phone/monitor-logic-default';
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
 * The Firefox link with the real engine: `<audio>` playback, a Web Audio
 * silent track for Listen, and the microphone from a visible Earshot page
 * (see page-microphone.ts; the sidebar calls `offerPageMicrophone`).
 */
export function createInPageEngineLink(overrides: Partial<PhoneEngineOptions> = {}): InPageEngineLink {
  const engine = new PhoneEngine({
    logic: defaultMonitorLogic,
    microphone: installPageMicrophoneBridge(),
    audio: new ElementAudioOutput(),
    silence: new WebAudioSilentSource(),
    ...overrides,
  });
  return new InPageEngineLink(engine);
}
