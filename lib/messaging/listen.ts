import type { ExtensionMessenger } from '@webext-core/messaging';
import type { HandlerContext, ProtocolMap } from './protocol';
import { messagesHandledBy } from './routes';
import type { Router } from './router';
import type { SenderInfo } from './senders';

/**
 * Registers one messenger listener per message handled in `context`, each
 * passing straight to the router (synchronously, so gesture-bound handlers
 * still run inside the listener call). Returns the remover.
 */
export function listen(messenger: ExtensionMessenger<ProtocolMap>, context: HandlerContext, router: Router): () => void {
  const removers = messagesHandledBy(context).map((name) =>
    messenger.onMessage(name, (message) =>
      // The router answers with the message's own result type or a refusal of the same shape.
      router.handle(name, message.data, message.sender as SenderInfo) as never,
    ),
  );
  return () => removers.forEach((remove) => remove());
}
