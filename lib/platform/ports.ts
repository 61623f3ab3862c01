import { browser } from 'wxt/browser';
import type { PortLike } from '../messaging/state-port';

/** Opens a long-lived port to the background (fakeBrowser has none: injected in tests). */
export function connectPort(name: string): PortLike {
  return browser.runtime.connect({ name }) as unknown as PortLike;
}

/** Listens for ports opened to this context; returns the remover. */
export function onPortConnect(callback: (port: PortLike) => void): () => void {
  const listener = (port: unknown) => callback(port as PortLike);
  browser.runtime.onConnect.addListener(listener);
  return () => browser.runtime.onConnect.removeListener(listener);
}
