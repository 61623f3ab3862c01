import type { Mode } from './modes';

/** A keyboard command Earshot declares in its manifest. */
export type ShortcutCommand = 'mode-listen' | 'mode-whisper' | 'mode-barge' | 'hang-up';

/** What a command does: a mode, or hanging up. */
export type ShortcutAction = { type: 'mode'; mode: Mode } | { type: 'hangup' };

/**
 * Earshot's keyboard shortcuts and the keys suggested for them. Measured in
 * real Chromium 156 and Firefox ESR 140 under a display (the keys sent by
 * xdotool, tests/e2e/shortcuts-*.e2e.ts):
 * - Chromium binds at most four suggested keys and silently refuses some:
 *   Alt+Shift+W and Alt+Shift+X stay "Not set" (chrome.commands.getAll()
 *   says shortcut ""), so Whisper and hang-up cannot use them;
 * - Firefox keeps Alt+Shift+<menu letter> for its menus (Alt+Shift+H opens
 *   Help: F, E, V, S, B, T and H are taken) and never fires the command.
 * J, K and L sit together under the right hand (Join, whisper, Listen), and U
 * is "hang Up"; all four are bound by default in both browsers. Four is
 * Chromium's limit, so there is no fifth.
 */
export const SHORTCUTS: Record<ShortcutCommand, { key: string; action: ShortcutAction }> = {
  'mode-listen': { key: 'Alt+Shift+L', action: { type: 'mode', mode: 'listen' } },
  'mode-whisper': { key: 'Alt+Shift+K', action: { type: 'mode', mode: 'whisper' } },
  'mode-barge': { key: 'Alt+Shift+J', action: { type: 'mode', mode: 'barge' } },
  'hang-up': { key: 'Alt+Shift+U', action: { type: 'hangup' } },
};

/** The action of a command name the browser reports; undefined for one Earshot does not declare. */
export function shortcutAction(command: string): ShortcutAction | undefined {
  return Object.hasOwn(SHORTCUTS, command) ? SHORTCUTS[command as ShortcutCommand].action : undefined;
}

/** A command's key as the browser reports it now (the supervisor may change it): '' when it is not set. */
export interface BoundShortcut {
  command: ShortcutCommand;
  shortcut: string;
}

/**
 * The commands the browser reports (`commands.getAll()`), kept to Earshot's
 * own, in the order of {@link SHORTCUTS}; a command the browser does not list
 * shows as not set.
 */
export function boundShortcuts(reported: readonly { name?: string; shortcut?: string }[]): BoundShortcut[] {
  return (Object.keys(SHORTCUTS) as ShortcutCommand[]).map((command) => ({
    command,
    shortcut: reported.find((entry) => entry.name === command)?.shortcut ?? '',
  }));
}
