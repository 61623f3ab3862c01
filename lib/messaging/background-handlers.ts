import type { Coordinator } from '../coordinator/coordinator';
import { frameSource } from '../coordinator/store';
import type { CommandResult, ExportLogResult, PortalConfigResult } from './commands';
import type { Handlers } from './router';

/** What the background handlers need besides the coordinator (platform calls, injected). */
export interface BackgroundHandlerDeps {
  /** Opens the side panel for a tab. Called synchronously, first thing in its handler. */
  openPanel: (tabId: number) => Promise<void>;
  /** The portal adapter from settings, for the content script (never any secret). */
  portalConfig: () => PortalConfigResult;
  /** The side panel's "Export CSV": the session record (lib/coordinator/session-history.ts); without it, the log rows. */
  exportLog?: () => ExportLogResult;
}

const done = (): CommandResult => ({ ok: true });
const failed = (error: unknown): CommandResult => ({
  ok: false,
  reason: error instanceof Error ? error.message : String(error),
});

/**
 * The background's behaviour per command: thin calls into the coordinator.
 * Sender, role and payload are already checked by the router.
 */
export function createBackgroundHandlers(coordinator: Coordinator, deps: BackgroundHandlerDeps): Handlers {
  return {
    start: ({ agent, name }) => coordinator.start(agent, name),
    'set-mode': ({ mode }) => coordinator.setMode(mode),
    hangup: () => coordinator.hangup(),
    'monitor-extension': ({ extension }) => coordinator.monitorExtension(extension),
    'export-log': () => deps.exportLog?.() ?? coordinator.exportLog(),
    'report-agents': ({ agents }, sender) => {
      coordinator.reportAgents(frameSource(sender.tabId, sender.frameId), agents);
      return done();
    },
    'report-portal-user': ({ user }, sender) => {
      coordinator.reportPortalUser(frameSource(sender.tabId, sender.frameId), user);
      return done();
    },
    'open-panel': (_command, sender) => {
      if (sender.tabId === undefined) return failed(new Error('No tab to open the panel for.'));
      // First call, no await before it: Chrome keeps the click's user gesture only so long.
      return deps.openPanel(sender.tabId).then(done, failed);
    },
    'portal-config': () => deps.portalConfig(),
    'portal-refused': ({ agent, reason }) => coordinator.portalRefused(agent, reason),
  };
}
