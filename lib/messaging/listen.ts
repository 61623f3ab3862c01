import type { ExtensionMessenger } from '@webext-core/messaging';
import type { ProtocolMap } from './protocol';
import type { Router } from './router';
import type { SenderInfo } from './senders';

/**
 * Registers the background's one `command` listener, passing straight to the
 * router (synchronously, so gesture-bound handlers still run inside the
 * listener call). Returns the remover.
 */
export function listen(messenger: ExtensionMessenger<ProtocolMap>, router: Router): () => void {
  return messenger.onMessage('command', (message) =>
    // The router answers with the command's own result type or a refusal of the same shape.
    router.handle(message.data, message.sender as SenderInfo) as never,
  );
}
