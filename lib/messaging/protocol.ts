import { defineExtensionMessaging } from '@webext-core/messaging';
import type { z } from 'zod/mini';
import type { EngineCommand, EngineEvent } from '../contract/engine';
import type { EarshotState } from '../state/snapshot';
import type { CommandResult, ExportLogResult, PortalConfigResult } from './commands';
import type {
  contentStartPayloadSchema,
  monitorExtensionPayloadSchema,
  reportAgentsPayloadSchema,
  setModePayloadSchema,
  startPayloadSchema,
} from './schemas';

/**
 * Who may send a message:
 * - `page`: an extension page of ours (side panel, sidebar, options, a tab
 *   showing an extension page). Not the offscreen document's business, but
 *   indistinguishable by sender, so the name says who is meant.
 * - `content`: our content script in a tab at a configured portal origin.
 * - `engine`: the engine host (Chrome offscreen document).
 * - `background`: the service worker / background page.
 */
export type SenderRole = 'page' | 'content' | 'engine' | 'background';

/** Where a message is handled: exactly one context per message. */
export type HandlerContext = 'background' | 'engine';

/**
 * The one-shot messages (runtime.sendMessage), named `<sender>-to-<receiver>:<what>`.
 * `runtime.sendMessage` reaches every extension page, so each name has
 * exactly one context that registers a listener for it.
 */
export interface ProtocolMap {
  // Extension pages → background: every UI command.
  'ui-to-bg:start'(data: z.infer<typeof startPayloadSchema>): CommandResult;
  'ui-to-bg:set-mode'(data: z.infer<typeof setModePayloadSchema>): CommandResult;
  'ui-to-bg:hangup'(): CommandResult;
  'ui-to-bg:monitor-extension'(data: z.infer<typeof monitorExtensionPayloadSchema>): CommandResult;
  'ui-to-bg:export-log'(): ExportLogResult;
  // Content script (portal tab) → background: only what the portal integration needs.
  'cs-to-bg:start'(data: z.infer<typeof contentStartPayloadSchema>): CommandResult;
  'cs-to-bg:set-mode'(data: z.infer<typeof setModePayloadSchema>): CommandResult;
  'cs-to-bg:hangup'(): CommandResult;
  'cs-to-bg:report-agents'(data: z.infer<typeof reportAgentsPayloadSchema>): CommandResult;
  'cs-to-bg:open-panel'(): CommandResult;
  'cs-to-bg:portal-config'(): PortalConfigResult;
  // Background ↔ engine host (Chrome offscreen document). Firefox hosts the
  // engine in the background page itself and needs no message.
  'bg-to-engine:command'(data: EngineCommand): CommandResult;
  'engine-to-bg:event'(data: EngineEvent): CommandResult;
}

/** Every message name of the protocol. */
export type MessageName = keyof ProtocolMap;

/**
 * The typed messenger every context uses. Its listeners only see messages of
 * this library's format; the background still checks sender and payload.
 */
export const messenger = defineExtensionMessaging<ProtocolMap>();

/** Name of the long-lived port UIs open to receive state snapshots. */
export const STATE_PORT_NAME = 'earshot:state';

/** What the background posts on the state port. Always a whole snapshot. */
export interface StatePortMessage {
  type: 'snapshot';
  state: EarshotState;
}
