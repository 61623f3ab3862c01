import { browser } from 'wxt/browser';
import { Coordinator, DEFAULT_LOG_LIMIT } from '@/lib/coordinator/coordinator';
import { SessionHistory } from '@/lib/coordinator/session-history';
import { historyCsvFilename, historyToCsv } from '@/lib/log/history';
import { indexedDbHistoryStore } from '@/lib/platform/history-store';
import type { EngineLink } from '@/lib/coordinator/engine-link';
import type { CoordinatorSettings } from '@/lib/settings/source';
import { DEFAULT_RULE_OPTIONS } from '@/lib/monitor/rules';
import { frameSource, type PersistedCoordinator } from '@/lib/coordinator/store';
import { createBackgroundHandlers } from '@/lib/messaging/background-handlers';
import { listen } from '@/lib/messaging/listen';
import { ENGINE_PORT_NAME, messenger } from '@/lib/messaging/protocol';
import { createRouter } from '@/lib/messaging/router';
import { classifySender, type SenderContext } from '@/lib/messaging/senders';
import { createStateHub } from '@/lib/messaging/state-port';
import { AuditTrail } from '@/lib/coordinator/audit-trail';
import { auditWakeUps, fetchAuditTransport, indexedDbAuditStore } from '@/lib/platform/audit-delivery';
import { audioOutputStore, followAudioOutput } from '@/lib/platform/audio-output';
import { onPortConnect } from '@/lib/platform/ports';
import { indexedDbDialogStore, markDialogEndLogged } from '@/lib/platform/dialog-store';
import { createInPageEngineLink } from '@/lib/platform/in-page-engine-link';
import { chromeOffscreenDocuments, OFFSCREEN_PATH, OffscreenEngineLink } from '@/lib/platform/offscreen-engine-link';
import { onHostPermissionsChanged, syncPortalRegistration } from '@/lib/platform/portal-registration';
import { extensionBaseUrl, runtimeId } from '@/lib/platform/runtime';
import { restrictSessionStorage, sessionStore } from '@/lib/platform/session-store';
import { createSettingsStore } from '@/lib/platform/settings-store';
import { toolbarIndicator } from '@/components/monitor/toolbar-indicator';
import { shortcutAction } from '@/lib/monitor/shortcuts';
import { toolbarBadge } from '@/lib/platform/toolbar-badge';
import { openPanelForTab, openPanelOnActionClick, openSidebarOnActionClick } from '@/lib/platform/side-panel';

export default defineBackground(() => {
  // Everything below runs synchronously: an MV3 worker woken by an event only
  // delivers it to listeners registered in this first turn.
  // Chrome: the engine lives in the offscreen document (the worker has no WebRTC);
  // Firefox: in this persistent background page. The build-time constant lets
  // each build drop the other branch (sip.js stays out of Chrome's worker).
  // Link trouble nobody's command is waiting for: the session log every UI shows says it.
  let linkError = (message: string) => console.warn(`[earshot] ${message}`);
  const offscreen = import.meta.env.FIREFOX
    ? undefined
    : new OffscreenEngineLink({
        documents: chromeOffscreenDocuments(),
        wake: () => messenger.sendMessage('engine-connect'),
        onLinkError: (message) => linkError(message),
        sessionEndLogged: (sessionId) => markDialogEndLogged(indexedDbDialogStore(), sessionId),
      });
  const link: EngineLink = import.meta.env.FIREFOX ? createInPageEngineLink() : (offscreen as OffscreenEngineLink);
  // The audit trail (settings.audit): session events to the organization's endpoint, queued in IndexedDB.
  let audit: AuditTrail | undefined = undefined;
  const coordinator = new Coordinator({
    link,
    store: sessionStore<PersistedCoordinator>('earshot:coordinator'),
    onCommandSent: (command, session) => {
      audit?.commandSent(command, session);
      history.commandSent(command, session);
    },
  });
  linkError = (message) => {
    console.warn(`[earshot] ${message}`);
    coordinator.note('error', message);
  };
  const settings = createSettingsStore();
  let current: CoordinatorSettings | undefined;
  const wake = auditWakeUps(() => audit?.kick());
  audit = new AuditTrail({
    store: indexedDbAuditStore(),
    send: fetchAuditTransport(() => current?.audit),
    newId: () => crypto.randomUUID(),
    scheduleWake: wake.scheduleWake,
    // Not inside the coordinator's publication that brought the event: a snapshot of its own, after it.
    onStatus: (status) => queueMicrotask(() => coordinator.setAudit(status)),
    onWarning: (text) => coordinator.note('error', text),
  });
  coordinator.subscribe((publication) => {
    if (publication.type === 'state') audit?.observe(publication.state);
  });
  // The session record across browser restarts (settings.history), in the extension origin's IndexedDB.
  const history = new SessionHistory({
    store: indexedDbHistoryStore(),
    limits: () => ({
      enabled: current?.history?.enabled ?? true,
      days: current?.history?.days ?? 90,
      logEntries: current?.logLimit ?? DEFAULT_LOG_LIMIT,
    }),
    onWarning: (text) => coordinator.note('error', text),
  });
  coordinator.subscribe((publication) => {
    if (publication.type === 'state') history.observe(publication.state);
  });

  let portalOrigins: string[] | null = null;
  const registerPortal = () =>
    syncPortalRegistration(portalOrigins ?? []).catch((error: unknown) =>
      console.warn('[earshot] could not register the portal script', error),
    );
  const applySettings = (loaded: CoordinatorSettings) => {
    // A write that changed nothing in force (e.g. the settings store moving a secret out of
    // storage.local): re-registering would only replace every open portal tab's content script.
    if (current && JSON.stringify(current) === JSON.stringify(loaded)) return;
    current = loaded;
    portalOrigins = loaded.portalOrigins;
    void registerPortal();
    coordinator.setSettings(loaded.view, loaded.logLimit);
    audit?.configure(loaded.audit);
    history.settingsChanged();
    if (loaded.rules) coordinator.setRuleOptions(loaded.rules);
    coordinator.setPartyRules(
      loaded.engine ? { onNetPattern: loaded.engine.onNetPattern, domain: loaded.engine.sip.domain, rule: loaded.portalAdapter?.onNetRule } : undefined,
    );
    void coordinator.configureEngine(loaded.engine);
  };
  const settingsFailed = (error: unknown) => {
    console.warn('[earshot] could not read the settings', error);
    coordinator.note('error', `Could not read Earshot’s settings: ${error instanceof Error ? error.message : String(error)}`);
  };
  const settingsReady = settings.load().then(applySettings, (error: unknown) => {
    portalOrigins = [];
    settingsFailed(error);
  });
  settings.onChange(() => void settings.load().then(applySettings, settingsFailed));

  const senderContext = (): SenderContext => ({
    runtimeId: runtimeId(),
    extensionBaseUrl: extensionBaseUrl(),
    portalOrigins,
    enginePagePath: OFFSCREEN_PATH,
  });

  const router = createRouter(createBackgroundHandlers(coordinator, {
      openPanel: openPanelForTab,
      exportLog: () => {
        const sessions = history.sessions();
        if (sessions.length === 0) return { ok: false, reason: 'No monitoring session is recorded yet.' };
        const at = Date.now();
        return { ok: true, filename: historyCsvFilename(at), csv: historyToCsv(sessions, at) };
      },
      portalConfig: () =>
        current?.portalAdapter
          ? {
              ok: true,
              adapter: current.portalAdapter,
              monitorScopes: current.rules?.monitorScopes ?? DEFAULT_RULE_OPTIONS.monitorScopes,
              tapping: current.rules?.tapping ?? false,
              ...(current.portalRequest ? { portalRequest: current.portalRequest } : {}),
            }
          : { ok: false, reason: current?.portalAdapterError ?? 'No portal adapter is configured in Earshot’s options.' },
    }), {
    senderContext,
    ready: () => settingsReady,
    onRefused: (name, reason) => console.warn(`[earshot] refused ${name}: ${reason}`),
  });
  listen(messenger, router);

  const hub = createStateHub({
    current: () => coordinator.publication(),
    authorize: (sender) => classifySender(sender, senderContext()),
    ready: () => Promise.all([settingsReady, coordinator.ready()]).then(() => undefined),
    // The frame's content script is gone: its agents stop being watched unless a newer copy reports.
    onContentGone: ({ tabId, frameId }) => coordinator.frameGone(frameSource(tabId, frameId)),
    onPostError: (error) => console.warn('[earshot] could not post to a UI', error),
  });
  onPortConnect((port) => {
    if (port.name !== ENGINE_PORT_NAME) return void hub.accept(port);
    // The engine port: only our offscreen document (no tab), checked on what the browser says.
    const verdict = classifySender(port.sender ?? {}, senderContext());
    if (offscreen && verdict.ok && verdict.role === 'engine') offscreen.attach(port);
    else {
      console.warn(`[earshot] refused an engine port: ${verdict.ok ? `from ${verdict.role}` : verdict.reason}`);
      port.disconnect();
    }
  });
  coordinator.subscribe((publication) => hub.publish(publication));
  // The supervisor's volume and output device (side panel) reach the engine with each session.
  followAudioOutput({
    store: audioOutputStore(),
    getState: () => coordinator.getState(),
    subscribe: (callback) => coordinator.subscribe(() => callback(coordinator.getState())),
    send: (command) => link.send(command),
    onError: (error) => coordinator.note('error', `The audio output was not applied: ${error instanceof Error ? error.message : String(error)}`),
  });

  // The toolbar button says in every tab whether a session is live and who hears the supervisor.
  const showBadge = toolbarBadge((error) => console.warn('[earshot] toolbar badge', error));
  coordinator.subscribe(() => showBadge(toolbarIndicator(coordinator.getState().session)));
  onHostPermissionsChanged(() => void registerPortal());
  // Keyboard shortcuts: the same checked paths as the panel's buttons.
  browser.commands.onCommand.addListener((command) => {
    const action = shortcutAction(command);
    if (!action) return;
    const done = action.type === 'mode' ? coordinator.setMode(action.mode) : coordinator.hangup();
    void done.then((result) => {
      // No panel may be open: the refusal goes to the session log every UI shows.
      if (!result.ok) coordinator.note('error', `Keyboard shortcut refused: ${result.reason}`);
    });
  });
  // Frames leave with their state port (above). Not tabs.onUpdated: Chrome says "loading" with a url
  // for a single-page portal's pushState (the frame lives on) and without one for a reload (it does not).
  browser.tabs.onRemoved.addListener((tabId) => coordinator.forgetTab(tabId));

  if (import.meta.env.FIREFOX) openSidebarOnActionClick();
  else void openPanelOnActionClick().catch((error: unknown) => console.warn('[earshot] side panel behaviour', error));

  // The log rows kept across a browser restart, once the settings (their limits) and the worker's own state are in.
  void coordinator
    .restore()
    .then(() => settingsReady)
    .then(() => history.load())
    .then((kept) => coordinator.restoreLog(kept.log))
    .catch((error: unknown) => console.warn('[earshot] could not restore the session record', error));
  // Start-up (a browser start, a worker woken): what waits is sent now.
  void audit.start().catch((error: unknown) => console.warn('[earshot] could not read the audit trail queue', error));
  browser.runtime.onStartup.addListener(() => audit?.kick());
  // storage.session holds the session log and, in 'prompt' mode, the typed credentials: not for content scripts.
  void restrictSessionStorage().catch((error: unknown) => console.warn('[earshot] storage.session access level', error));
});
