import { defineExtensionMessaging } from '@webext-core/messaging';
import type { z } from 'zod/mini';
import type { CommandResult, ExportLogResult, PortalConfigResult } from './commands';
import type { commandSchema, fromEngineHostSchema, statePortMessageSchema, toEngineHostSchema } from './schemas';

/*
 * The protocol between Earshot's contexts, in one place (the schemas are in
 * schemas.ts; every type here is inferred from them):
 *
 *   UI (content script, side panel, options) ──`command` (sendMessage)──▶ background
 *   background ──state port `earshot:state` (one per UI)──▶ UI: snapshot, log appends, levels
 *   engine host (Chrome offscreen document) ◀──engine port `earshot:engine`──▶ background
 *     (opened by the host; a restarted worker asks a surviving host for it with `engine-connect`)
 *
 * Firefox hosts the engine in the background page itself: no engine port.
 */

/**
 * Who a sender is, from what the browser says about it (senders.ts):
 * - `sidepanel`, `options`: those pages of ours (a sidebar or a tab showing them too);
 * - `page`: another page of ours (the microphone grant page): no commands;
 * - `content`: our content script in a tab at a configured portal origin;
 * - `engine`: the engine host (Chrome offscreen document);
 * - `background`: the service worker / background page.
 */
export type SenderRole = 'sidepanel' | 'options' | 'page' | 'content' | 'engine' | 'background';

/** Every command a UI may send. */
export type Command = z.infer<typeof commandSchema>;
export type CommandType = Command['type'];

/** Who may send each command. Monitoring by tapping code and the log export are for Earshot's own pages. */
export const COMMAND_ROLES = {
  start: ['content', 'sidepanel', 'options'],
  'set-mode': ['content', 'sidepanel', 'options'],
  hangup: ['content', 'sidepanel', 'options'],
  'monitor-extension': ['sidepanel', 'options'],
  'export-log': ['sidepanel', 'options'],
  'report-agents': ['content'],
  'report-portal-user': ['content'],
  'open-panel': ['content'],
  'portal-config': ['content'],
  'portal-refused': ['content'],
} as const satisfies Record<CommandType, readonly SenderRole[]>;

/** What each command is answered with. */
export type AnswerOf<T extends CommandType> = T extends 'export-log'
  ? ExportLogResult
  : T extends 'portal-config'
    ? PortalConfigResult
    : CommandResult;

/**
 * The one-shot messages (runtime.sendMessage, which reaches every extension
 * page; each has one handling context): UIs' commands to the background, and
 * the background's request that a surviving engine host open its port (once
 * per worker start, never per command; the host checks it comes from the worker).
 */
export interface ProtocolMap {
  command(data: Command): CommandResult | ExportLogResult | PortalConfigResult;
  'engine-connect'(): void;
}

/**
 * The typed messenger every sender uses. Its listeners only see messages of
 * this library's format; the background still checks sender and payload.
 */
export const messenger = defineExtensionMessaging<ProtocolMap>();

/** Sends one command; the answer has the command's own type. */
export function sendCommand<C extends Command>(command: C): Promise<AnswerOf<C['type']>> {
  return messenger.sendMessage('command', command) as Promise<AnswerOf<C['type']>>;
}

/** Name of the long-lived port every UI opens to the background. */
export const STATE_PORT_NAME = 'earshot:state';
/** Name of the long-lived port the engine host (Chrome offscreen document) opens to the background. */
export const ENGINE_PORT_NAME = 'earshot:engine';

/** What the background posts on a state port. */
export type StatePortMessage = z.infer<typeof statePortMessageSchema>;
/** What the background posts on the engine port. */
export type ToEngineHost = z.infer<typeof toEngineHostSchema>;
/** What the engine host posts on the engine port. */
export type FromEngineHost = z.infer<typeof fromEngineHostSchema>;
