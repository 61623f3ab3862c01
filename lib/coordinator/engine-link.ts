import type { EngineCommand, EngineEvent } from '../contract/engine';

/**
 * The coordinator's connection to the phone engine, whatever hosts it
 * (Chrome: the offscreen document over messaging; Firefox: the engine module
 * in the background page itself). Commands go one way, whole-state events
 * come back the other.
 */
export interface EngineLink {
  /** Sends a command; a rejected promise means the engine host could not be reached. */
  send(command: EngineCommand): void | Promise<void>;
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(callback: (event: EngineEvent) => void): () => void;
}

/** Message shown while no phone engine is wired in. */
export const NO_ENGINE_MESSAGE = 'The phone engine is not connected yet.';

/**
 * A link with no engine behind it: every command is answered with a state
 * saying the phone is not set up, so the UIs show that instead of waiting.
 */
export class NoEngineLink implements EngineLink {
  private readonly listeners = new Set<(event: EngineEvent) => void>();

  /** @param now clock, injectable for tests. */
  constructor(private readonly now: () => number = Date.now) {}

  send(_command: EngineCommand): Promise<void> {
    const event: EngineEvent = {
      type: 'state',
      registration: { status: 'unconfigured', message: NO_ENGINE_MESSAGE, since: this.now() },
      agents: {},
      session: null,
      microphone: 'not-needed',
      newLog: [],
    };
    // Answer asynchronously, like a real engine host, so callers never see re-entrancy.
    return Promise.resolve().then(() => {
      for (const listener of this.listeners) listener(event);
    });
  }

  onEvent(callback: (event: EngineEvent) => void): () => void {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }
}
