import type { Scope } from '../monitor/modes';
import type { PortalRequestKind } from '../pbx/profiles';
import type { PortalAdapter } from '../portals/adapter';
import type { Command } from './protocol';

/**
 * What a UI (side panel, in-page panel) asks for. Components call
 * `send(command)`; the host page sends it as the protocol's `command`
 * message (or answers it locally where that context may not send it).
 */
export type UiCommand = Extract<Command, { type: 'start' | 'set-mode' | 'hangup' | 'monitor-extension' | 'export-log' | 'open-panel' }>;

/** The answer to every command: done, or refused with a plain-language reason. */
export type CommandResult = { ok: true } | { ok: false; reason: string };

/** The answer to `export-log`: the session log as CSV text. */
export type ExportLogResult = { ok: true; filename: string; csv: string } | { ok: false; reason: string };

/** What `send` resolves to for a given command. */
export type UiCommandResult<C extends UiCommand> = C extends { type: 'export-log' } ? ExportLogResult : CommandResult;

/** The function components receive to send commands; they never message directly. */
export type SendCommand = <C extends UiCommand>(command: C) => Promise<UiCommandResult<C>>;

/** The answer to the content script's `portal-config`: the adapter to read the portal with (no secrets). */
export type PortalConfigResult =
  | {
      ok: true;
      adapter: PortalAdapter;
      monitorScopes: readonly Scope[];
      tapping: boolean;
      /** The portal starts monitoring (the PBX calls Earshot): after a start is taken, the content script asks the portal this way. */
      portalRequest?: PortalRequestKind;
    }
  | { ok: false; reason: string };
