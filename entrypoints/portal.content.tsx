// The portal content script: registered at run time for the configured
// portal origin only. Reads agent rows through the portal adapter, puts
// Earshot's speaker icon on rows of agents on a call, and shows the Audio
// Monitoring panel. The background sends it the adapter and state snapshots,
// no settings; and the storage it could read itself (storage.local, like
// every content script) holds no secret: they are kept in the extension's
// own IndexedDB (lib/platform/secret-vault.ts, docs/privacy.md).
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { ContentScriptContext } from 'wxt/utils/content-script-context';
import { IN_PAGE_CSS, InPagePanel } from '@/components/app/in-page-panel';
import { MONITOR_PANEL_CSS } from '@/components/monitor/monitor-panel-css';
import { STATE_PORT_NAME } from '@/lib/messaging/protocol';
import {
  contentCommandSender,
  reportVisibleAgents,
  requestOpenPanel,
  requestPortalConfig,
  requestStartFromClick,
} from '@/lib/messaging/senders-client';
import { createStateClient, type PortLike } from '@/lib/messaging/state-port';
import { canStartMonitoring } from '@/lib/monitor/rules';
import { isLive } from '@/lib/monitor/session-machine';
import { extensionContextGone, watchContentLifetime } from '@/lib/platform/content-lifetime';
import { IconManager } from '@/lib/portals/icons';
import { compileAdapter, readUser, type AgentRow } from '@/lib/portals/scan';
import type { EarshotState } from '@/lib/state/snapshot';

const LOADED = Symbol.for('earshot.portal');
/**
 * Copies of this script evaluated in this world so far. Counted here, at
 * evaluation, before WXT's context announces the copy on the shared document:
 * an announcement with no new count is a page's (content-lifetime.ts).
 */
const COPIES = Symbol.for('earshot.portal.copies');
const world = globalThis as Record<symbol, unknown>;
world[COPIES] = ((world[COPIES] as number | undefined) ?? 0) + 1;
/** How long the in-page panel stays after a session ends, so its last message can be read. */
const PANEL_LINGER_MS = 4000;

export default defineContentScript({
  registration: 'runtime',
  async main(ctx) {
    // Injected at registration into open tabs and again by the registered script: one runs, until a newer copy takes over.
    const copy = world[COPIES] as number;
    if (world[LOADED]) return;
    world[LOADED] = true;
    // Until the UI exists, leaving only has to let the newer copy run.
    let tearDown = () => {
      delete world[LOADED];
    };
    // A page can invalidate WXT's context at will (see content-lifetime.ts): it only makes us look.
    const lifetime = watchContentLifetime({
      doc: document,
      // WXT's own name for it (private in its types): `<runtime.id>:portal:wxt:content-script-started`.
      startedEventName: (ContentScriptContext as unknown as { SCRIPT_STARTED_MESSAGE_TYPE: string }).SCRIPT_STARTED_MESSAGE_TYPE,
      isAlive: () => !extensionContextGone(() => browser.runtime),
      isSuperseded: () => (world[COPIES] as number) > copy,
      onLeave: () => tearDown(),
    });
    ctx.onInvalidated(() => lifetime.check());

    const config = await requestPortalConfig();
    // A newer copy may have taken over while we waited.
    if (lifetime.check()) return;
    if (!config.ok) {
      console.warn(`[earshot] ${config.reason}`);
      return;
    }
    const compiled = compileAdapter(config.adapter);

    let state: EarshotState | undefined;
    let connected = false;
    let panelOpen = false;
    let notice: string | undefined;
    let noticeShown = false;

    // One closed shadow root for everything Earshot shows on the page.
    const host = document.createElement('earshot-audio-monitoring');
    const shadow = host.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = IN_PAGE_CSS + MONITOR_PANEL_CSS;
    const mount = document.createElement('div');
    shadow.append(style, mount);
    document.documentElement.append(host);

    const send = contentCommandSender(() => state);
    const draw = () =>
      render(
        <InPagePanel
          state={state}
          connected={connected}
          send={send}
          open={panelOpen}
          onClose={() => {
            panelOpen = false;
            draw();
          }}
          notice={notice}
          onDismissNotice={() => {
            notice = undefined;
            draw();
          }}
        />,
        mount,
      );

    const isOnCall = (agent: AgentRow): boolean => {
      const known = state?.agents[agent.extension];
      if (known && known.dialog !== 'unknown') return known.dialog === 'confirmed';
      return agent.portalOnCall ?? false;
    };

    let reportTimer: ReturnType<typeof setTimeout> | undefined;
    let closeTimer: ReturnType<typeof setTimeout> | undefined;
    const icons = new IconManager({
      doc: document,
      compiled,
      isOnCall,
      onActivate: (agent, event) => {
        // Open the browser's panel first: Chrome keeps the click's gesture only for the first call.
        void requestOpenPanel().then((result) => {
          if (!result.ok) console.warn(`[earshot] could not open the side panel: ${result.reason}`);
        });
        panelOpen = true;
        draw();
        void requestStartFromClick(event, agent.extension, agent.name).then((result) => {
          if (!result.ok) {
            notice = result.reason;
            draw();
          }
        });
      },
      // Every report replaces this frame's list at the background (the engine watches only those).
      onAgentsChanged: (agents) => {
        clearTimeout(reportTimer);
        reportTimer = setTimeout(() => void reportVisibleAgents(agents.slice(0, 500)), 300);
      },
      // A single-page portal signs in (or switches user) without a reload: read who it is again.
      onPageChange: () => {
        if (applyRules()) draw();
      },
    });

    /**
     * Who is signed in: the portal's header when it shows it, else Earshot's settings.
     * Returns whether the notice changed (the caller redraws).
     */
    let rulesNotice: string | undefined;
    const applyRules = (): boolean => {
      const user = { ...state?.user, ...readUser(document, config.adapter) };
      const verdict = canStartMonitoring({ dtmfMonitoringGranted: false, ...user }, config);
      icons.setEnabled(verdict.allowed);
      if (!verdict.allowed && !noticeShown) {
        noticeShown = true;
        notice = rulesNotice = verdict.reason;
        return true;
      }
      if (verdict.allowed && notice !== undefined && notice === rulesNotice) {
        // Someone allowed signed in since: the refusal no longer applies.
        notice = rulesNotice = undefined;
        noticeShown = false;
        return true;
      }
      return false;
    };

    const client = createStateClient({
      connect: () => {
        // The port may drop before runtime.id does: each reconnect looks again, and an orphan stops here.
        if (lifetime.check()) throw new Error('Earshot was reloaded or removed.');
        return browser.runtime.connect({ name: STATE_PORT_NAME }) as unknown as PortLike;
      },
      onState: (next) => {
        const wasLive = state?.session ? isLive(state.session.status) : false;
        const live = next.session ? isLive(next.session.status) : false;
        state = next;
        if (!wasLive && live) panelOpen = true;
        // Out of the way of the agent list once the session is over (the side panel keeps the log).
        clearTimeout(closeTimer);
        if (wasLive && !live) closeTimer = setTimeout(() => {
          panelOpen = false;
          draw();
        }, PANEL_LINGER_MS);
        applyRules();
        icons.refresh();
        draw();
      },
      onConnection: (up) => {
        // A dropped port: the worker stopped (it reconnects), or the extension is going.
        if (!up && lifetime.portDropped()) return;
        connected = up;
        // A new connection may be a restarted background, or one that forgot this frame: tell it what is shown.
        if (up) icons.reportAgain();
        draw();
      },
    });
    applyRules();
    draw();

    let down = false;
    tearDown = () => {
      if (down) return;
      down = true;
      delete world[LOADED];
      clearTimeout(reportTimer);
      clearTimeout(closeTimer);
      // The page first: in an orphaned context extension calls may throw.
      icons.destroy();
      render(null, mount);
      host.remove();
      client.close();
    };
    // Left while the UI was being made (a newer copy, or the extension went): take it down now.
    if (lifetime.check()) tearDown();
  },
});
