import type { EngineCommand, EngineEvent } from '../contract/engine';

/**
 * The coordinator's connection to the phone engine, whatever hosts it
 * (Chrome: the offscreen document over the engine port; Firefox: the engine
 * module in the background page itself). Commands go one way, whole-state
 * events come back the other.
 */
export interface EngineLink {
  /** Sends a command; a rejected promise means the engine host could not be reached or refused it. */
  send(command: EngineCommand): void | Promise<void>;
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(callback: (event: EngineEvent) => void): () => void;
}
