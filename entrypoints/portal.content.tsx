// The portal content script: registered at run time for the configured
// portal origin only. Reads agent rows through the portal adapter, puts
// Earshot's speaker icon on rows of agents on a call, and shows the Audio
// Monitoring panel. It never sees a secret: the background sends it the
// adapter and state snapshots, nothing else.
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { IN_PAGE_CSS, InPagePanel } from '@/components/app/in-page-panel';
import { MONITOR_PANEL_CSS } from '@/components/monitor/monitor-panel-css';
import { messenger, STATE_PORT_NAME } from '@/lib/messaging/protocol';
import { contentCommandSender, reportVisibleAgents, requestStartFromClick } from '@/lib/messaging/senders-client';
import { createStateClient, type PortLike } from '@/lib/messaging/state-port';
import { canStartMonitoring } from '@/lib/monitor/rules';
import { isLive } from '@/lib/monitor/session-machine';
import { IconManager } from '@/lib/portals/icons';
import { compileAdapter, readUser, type AgentRow } from '@/lib/portals/scan';
import type { EarshotState } from '@/lib/state/snapshot';

const LOADED = Symbol.for('earshot.portal');
/** How long the in-page panel stays after a session ends, so its last message can be read. */
const PANEL_LINGER_MS = 4000;

export default defineContentScript({
  registration: 'runtime',
  async main(ctx) {
    // Injected at registration into open tabs and again by the registered script: run once.
    const scope = globalThis as Record<symbol, unknown>;
    if (scope[LOADED]) return;
    scope[LOADED] = true;
    ctx.onInvalidated(() => delete scope[LOADED]);

    const config = await messenger.sendMessage('cs-to-bg:portal-config').catch((error: unknown) => ({
      ok: false as const,
      reason: String(error),
    }));
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
        void messenger.sendMessage('cs-to-bg:open-panel').catch(() => undefined);
        panelOpen = true;
        draw();
        void requestStartFromClick(event, agent.extension, agent.name).then((result) => {
          if (!result.ok) {
            notice = result.reason;
            draw();
          }
        });
      },
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
      connect: () => browser.runtime.connect({ name: STATE_PORT_NAME }) as unknown as PortLike,
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
        connected = up;
        draw();
      },
    });
    applyRules();
    draw();

    ctx.onInvalidated(() => {
      clearTimeout(reportTimer);
      clearTimeout(closeTimer);
      client.close();
      icons.destroy();
      render(null, mount);
      host.remove();
    });
  },
});
