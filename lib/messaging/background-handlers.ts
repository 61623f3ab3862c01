import type { Coordinator } from '../coordinator/coordinator';
import { frameSource } from '../coordinator/store';
import type { CommandResult, PortalConfigResult } from './commands';
import type { Handlers } from './router';

/** What the background handlers need besides the coordinator (platform calls, injected). */
export interface BackgroundHandlerDeps {
  /** Opens the side panel for a tab. Called synchronously, first thing in its handler. */
  openPanel: (tabId: number) => Promise<void>;
  /** The portal adapter from settings, for the content script (never any secret). */
  portalConfig: () => PortalConfigResult;
  /** Receives engine events arriving by message (Chrome offscreen document). */
  onEngineEvent?: Handlers<'background'>['engine-to-bg:event'];
}

const done = (): CommandResult => ({ ok: true });
const failed = (error: unknown): CommandResult => ({
  ok: false,
  reason: error instanceof Error ? error.message : String(error),
});

/**
 * The background's behaviour per message: thin calls into the coordinator.
 * Sender and payload are already checked by the router.
 */
export function createBackgroundHandlers(coordinator: Coordinator, deps: BackgroundHandlerDeps): Handlers<'background'> {
  return {
    'ui-to-bg:start': ({ agent, name }) => coordinator.start(agent, name),
    'ui-to-bg:set-mode': ({ mode }) => coordinator.setMode(mode),
    'ui-to-bg:hangup': () => coordinator.hangup(),
    'ui-to-bg:monitor-extension': ({ extension }) => coordinator.monitorExtension(extension),
    'ui-to-bg:export-log': () => coordinator.exportLog(),
    'cs-to-bg:start': ({ agent, name }) => coordinator.start(agent, name),
    'cs-to-bg:set-mode': ({ mode }) => coordinator.setMode(mode),
    'cs-to-bg:hangup': () => coordinator.hangup(),
    'cs-to-bg:report-agents': ({ agents }, sender) => {
      coordinator.reportAgents(frameSource(sender.tabId, sender.frameId), agents);
      return done();
    },
    'cs-to-bg:open-panel': (_data, sender) => {
      if (sender.tabId === undefined) return failed(new Error('No tab to open the panel for.'));
      // First call, no await before it: Chrome keeps the click's user gesture only so long.
      return deps.openPanel(sender.tabId).then(done, failed);
    },
    'cs-to-bg:portal-config': () => deps.portalConfig(),
    'engine-to-bg:event':
      deps.onEngineEvent ??
      ((event) => {
        coordinator.applyEngineEvent(event);
        return done();
      }),
  };
}
