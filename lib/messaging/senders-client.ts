import { logCsvFilename, logToCsv } from '../log/csv';
import type { EarshotState } from '../state/snapshot';
import type { Scope } from '../monitor/modes';
import type { CommandResult, ExportLogResult, PortalConfigResult, SendCommand, UiCommand, UiCommandResult } from './commands';
import { sendCommand, type Command } from './protocol';

const unreachable = (error: unknown): { ok: false; reason: string } => ({
  ok: false,
  reason: `Earshot's background did not answer: ${error instanceof Error ? error.message : String(error)}`,
});

/** Sends a command; a background that cannot be reached is answered as a refusal naming why. */
async function trySend(command: Command): Promise<CommandResult | ExportLogResult> {
  try {
    return (await sendCommand(command)) as CommandResult | ExportLogResult;
  } catch (error) {
    return unreachable(error);
  }
}

/**
 * `send` for extension pages (side panel, sidebar, options): every UI
 * command as the `command` message. `open-panel` is meaningless there.
 */
export function pageCommandSender(): SendCommand {
  const send = async (command: UiCommand): Promise<CommandResult | ExportLogResult> =>
    command.type === 'open-panel' ? { ok: true } : trySend(command);
  return send as SendCommand;
}

/**
 * `send` for the in-page panel (content script): only the content script's
 * commands reach the background. Export is done locally from the snapshot
 * shown; monitoring by tapping code is for the side panel.
 */
export function contentCommandSender(getState: () => EarshotState | undefined): SendCommand {
  const send = async (command: UiCommand): Promise<CommandResult | ExportLogResult> => {
    switch (command.type) {
      case 'start':
        return { ok: false, reason: 'Start monitoring from the speaker icon next to the agent.' };
      case 'monitor-extension':
        return { ok: false, reason: 'Monitor an extension from the Earshot side panel.' };
      case 'export-log': {
        const log = getState()?.log ?? [];
        if (log.length === 0) return { ok: false, reason: 'The session log is empty.' };
        return { ok: true, filename: logCsvFilename(Date.now()), csv: logToCsv(log) };
      }
      default:
        return trySend(command);
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
  return (await trySend({ type: 'start', agent, ...(name ? { name } : {}) })) as CommandResult;
}

/** Content script: the portal refused the monitor request made for the session on `agent`. */
export function reportPortalRefusal(agent: string, reason: string): Promise<CommandResult> {
  return trySend({ type: 'portal-refused', agent, reason: reason.slice(0, 500) || 'no reason given' }) as Promise<CommandResult>;
}

/** Content script: replaces the list of agents this frame shows. */
export function reportVisibleAgents(agents: { extension: string; name?: string; otherParty?: string }[]): Promise<CommandResult> {
  return trySend({ type: 'report-agents', agents }) as Promise<CommandResult>;
}

/** Content script: who this frame's portal page shows signed in (role, extension, monitoring right). */
export function reportPortalUser(user: { scope?: Scope; extension?: string; monitorRight?: boolean }): Promise<CommandResult> {
  return trySend({ type: 'report-portal-user', user }) as Promise<CommandResult>;
}

/** Content script: opens the browser's panel for this tab (first thing in a click handler: Chrome keeps the gesture only so long). */
export function requestOpenPanel(): Promise<CommandResult> {
  return trySend({ type: 'open-panel' }) as Promise<CommandResult>;
}

/** Content script: the portal adapter to read the portal with (no secrets). */
export async function requestPortalConfig(): Promise<PortalConfigResult> {
  try {
    return (await sendCommand({ type: 'portal-config' })) as PortalConfigResult;
  } catch (error) {
    return { ok: false, reason: unreachable(error).reason };
  }
}
