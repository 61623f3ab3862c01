// FAKE runtime.Port pairs, for unit tests only (fakeBrowser has no ports):
// two connected ends, each message delivered a microtask later as a
// structured clone, like the browser's JSON serialization would.
import type { PortLike } from '@/lib/messaging/state-port';
import type { SenderInfo } from '@/lib/messaging/senders';

export interface FakeEnd extends PortLike {
  /** Everything posted on this end, in order. */
  readonly posted: unknown[];
  /** Whether this end is disconnected. */
  readonly closed: boolean;
}

/**
 * A connected pair: `opener` is what runtime.connect returns, `receiver`
 * what runtime.onConnect gets (its `sender` is the opener's context).
 */
interface End extends FakeEnd {
  closed: boolean;
  peer: End;
  listeners: ((m: unknown) => void)[];
  disconnects: (() => void)[];
}

export function portPair(name: string, sender: SenderInfo = {}): { opener: FakeEnd; receiver: FakeEnd } {
  const make = (withSender?: SenderInfo): End => {
    const messageListeners: ((m: unknown) => void)[] = [];
    const disconnectListeners: (() => void)[] = [];
    const end: End = {
      name,
      ...(withSender ? { sender: withSender } : {}),
      posted: [] as unknown[],
      closed: false,
      peer: undefined as unknown as End,
      postMessage(message: unknown) {
        if (end.closed) throw new Error('Attempting to use a disconnected port object');
        end.posted.push(message);
        const copy = structuredClone(message);
        const peer = end.peer;
        queueMicrotask(() => {
          if (!peer.closed) for (const l of peer.listeners) l(copy);
        });
      },
      disconnect() {
        if (end.closed) return;
        end.closed = true;
        // Like the browser: the other end hears of it, this end's own listeners do not.
        const peer = end.peer;
        queueMicrotask(() => {
          if (peer.closed) return;
          peer.closed = true;
          for (const l of peer.disconnects) l();
        });
      },
      listeners: messageListeners,
      disconnects: disconnectListeners,
      onMessage: { addListener: (l: (m: unknown) => void) => void messageListeners.push(l) },
      onDisconnect: { addListener: (l: () => void) => void disconnectListeners.push(l) },
    };
    return end;
  };
  const opener = make();
  const receiver = make(sender);
  opener.peer = receiver;
  receiver.peer = opener;
  return { opener, receiver };
}

/** Lets queued port deliveries and promise callbacks run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
