import {
  contentStartPayloadSchema,
  emptyPayloadSchema,
  monitorExtensionPayloadSchema,
  reportAgentsPayloadSchema,
  setModePayloadSchema,
  startPayloadSchema,
} from './schemas';
import { engineCommandSchema, engineEventSchema } from '../contract/engine';
import type { z } from 'zod/mini';
import type { HandlerContext, MessageName, SenderRole } from './protocol';

// The routing table lives apart from the messenger so contexts that only
// send (the content script) do not bundle the schemas the receivers check.

/** Per message: who may send it, who handles it, and the payload schema the receiver checks. */
export interface MessageRoute {
  from: SenderRole;
  to: HandlerContext;
  schema: z.ZodMiniType;
}

/** The routing table: the single source of truth for sender checks and validation. */
export const ROUTES = {
  'ui-to-bg:start': { from: 'page', to: 'background', schema: startPayloadSchema },
  'ui-to-bg:set-mode': { from: 'page', to: 'background', schema: setModePayloadSchema },
  'ui-to-bg:hangup': { from: 'page', to: 'background', schema: emptyPayloadSchema },
  'ui-to-bg:monitor-extension': { from: 'page', to: 'background', schema: monitorExtensionPayloadSchema },
  'ui-to-bg:export-log': { from: 'page', to: 'background', schema: emptyPayloadSchema },
  'cs-to-bg:start': { from: 'content', to: 'background', schema: contentStartPayloadSchema },
  'cs-to-bg:set-mode': { from: 'content', to: 'background', schema: setModePayloadSchema },
  'cs-to-bg:hangup': { from: 'content', to: 'background', schema: emptyPayloadSchema },
  'cs-to-bg:report-agents': { from: 'content', to: 'background', schema: reportAgentsPayloadSchema },
  'cs-to-bg:open-panel': { from: 'content', to: 'background', schema: emptyPayloadSchema },
  'cs-to-bg:portal-config': { from: 'content', to: 'background', schema: emptyPayloadSchema },
  'bg-to-engine:command': { from: 'background', to: 'engine', schema: engineCommandSchema },
  'engine-to-bg:event': { from: 'engine', to: 'background', schema: engineEventSchema },
} as const satisfies { readonly [K in MessageName]: MessageRoute };

/** Names of the messages a given context handles. */
export function messagesHandledBy(context: HandlerContext): MessageName[] {
  return (Object.keys(ROUTES) as MessageName[]).filter((name) => (ROUTES[name] as MessageRoute).to === context);
}

