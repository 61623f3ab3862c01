import { logCsvFilename, logToCsv } from '../log/csv';
import type { EarshotState } from '../state/snapshot';
import type { CommandResult, ExportLogResult, SendCommand, UiCommand, UiCommandResult } from './commands';
import { messenger } from './protocol';

const unreachable = (error: unknown): CommandResult => ({
  ok: false,
  reason: `Earshot's background did not answer: ${error instanceof Error ? error.message : String(error)}`,
});

/**
 * `send` for extension pages (side panel, sidebar, options): every UI
 * command as its `ui-to-bg:*` message. `open-panel` is meaningless there.
 */
export function pageCommandSender(): SendCommand {
  const send = async (command: UiCommand): Promise<CommandResult | ExportLogResult> => {
    try {
      switch (command.type) {
        case 'start':
          return await messenger.sendMessage('ui-to-bg:start', {
            agent: command.agent,
            ...(command.name ? { name: command.name } : {}),
          });
        case 'set-mode':
          return await messenger.sendMessage('ui-to-bg:set-mode', { mode: command.mode });
        case 'hangup':
          return await messenger.sendMessage('ui-to-bg:hangup');
        case 'monitor-extension':
          return await messenger.sendMessage('ui-to-bg:monitor-extension', { extension: command.extension });
        case 'export-log':
          return await messenger.sendMessage('ui-to-bg:export-log');
        case 'open-panel':
          return { ok: true };
      }
    } catch (error) {
      return unreachable(error);
    }
  };
  return send as SendCommand;
}

/**
 * `send` for the in-page panel (content script): only the content script's
 * commands reach the background. Export is done locally from the snapshot
 * shown; monitoring by tapping code is for the side panel.
 */
export function contentCommandSender(getState: () => EarshotState | undefined): SendCommand {
  const send = async (command: UiCommand): Promise<CommandResult | ExportLogResult> => {
    try {
      switch (command.type) {
        case 'start':
          return { ok: false, reason: 'Start monitoring from the speaker icon next to the agent.' };
        case 'set-mode':
          return await messenger.sendMessage('cs-to-bg:set-mode', { mode: command.mode });
        case 'hangup':
          return await messenger.sendMessage('cs-to-bg:hangup');
        case 'open-panel':
          return await messenger.sendMessage('cs-to-bg:open-panel');
        case 'monitor-extension':
          return { ok: false, reason: 'Monitor an extension from the Earshot side panel.' };
        case 'export-log': {
          const log = getState()?.log ?? [];
          if (log.length === 0) return { ok: false, reason: 'The session log is empty.' };
          return { ok: true, filename: logCsvFilename(Date.now()), csv: logToCsv(log) };
        }
      }
    } catch (error) {
      return unreachable(error);
    }
  };
  return send as SendCommand;
}

/**
 * Content script: asks to monitor an agent after a click on Earshot's own
 * icon. Only a trusted event (a real user click, not a page script's click()
 * or dispatchEvent) is forwarded. This check, and IconManager's before it, is
 * the guard: the message carries no claim of a click, because the background
 * cannot verify one (schemas.ts, contentStartPayloadSchema).
 */
export async function requestStartFromClick(
  event: { isTrusted: boolean },
  agent: string,
  name?: string,
): Promise<UiCommandResult<{ type: 'start'; agent: string }>> {
  if (!event.isTrusted) return { ok: false, reason: 'Only a click by the user can start monitoring.' };
  try {
    return await messenger.sendMessage('cs-to-bg:start', { agent, ...(name ? { name } : {}) });
  } catch (error) {
    return unreachable(error);
  }
}

/** Content script: replaces the list of agents this frame shows. */
export async function reportVisibleAgents(agents: { extension: string; name?: string; otherParty?: string }[]): Promise<CommandResult> {
  try {
    return await messenger.sendMessage('cs-to-bg:report-agents', { agents });
  } catch (error) {
    return unreachable(error);
  }
}
