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
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { InPagePanel } from '@/components/app/in-page-panel';
// As minified strings for the shadow root: a plain CSS import would be injected into the portal page itself.
import dockCss from '@/components/app/in-page-panel.css?inline';
import monitorCss from '@/components/monitor/monitor-core.css?inline';
import { STATE_PORT_NAME } from '@/lib/messaging/protocol';
import {
  contentCommandSender,
  reportPortalUser,
  reportVisibleAgents,
  requestOpenPanel,
  requestPortalConfig,
  reportPortalRefusal,
  requestStartFromClick,
} from '@/lib/messaging/senders-client';
import { askPortal } from '@/lib/platform/portal-fetch';
import { portalMonitorRequest } from '@/lib/portals/portal-request';
import { createStateClient, type PortLike } from '@/lib/messaging/state-port';
import { extensionContextGone, watchContentLifetime } from '@/lib/platform/content-lifetime';
import { IconManager } from '@/lib/portals/icons';
import { createInPageModel, type InPageModel } from '@/lib/portals/in-page-model';
import { compileAdapter } from '@/lib/portals/scan';

const LOADED = Symbol.for('earshot.portal');
/**
 * Copies of this script evaluated in this world so far. Counted here, at
 * evaluation, before WXT's context announces the copy on the shared document:
 * an announcement with no new count is a page's (content-lifetime.ts).
 */
const COPIES = Symbol.for('earshot.portal.copies');
const world = globalThis as Record<symbol, unknown>;
world[COPIES] = ((world[COPIES] as number | undefined) ?? 0) + 1;
/** How long the portal may change rows before the list of agents shown is reported (ms). */
const REPORT_DEBOUNCE_MS = 300;

export default defineContentScript({
  registration: 'runtime',
  async main(wxtContext) {
    // Injected at registration into open tabs and again by the registered script: one runs, until a newer copy takes over.
    const copy = world[COPIES] as number;
    if (world[LOADED]) return;
    world[LOADED] = true;
    // WXT's context can be invalidated by the page (content-lifetime.ts): it only makes us look. Everything
    // below hangs on the lifetime's own context instead, which ends only when Earshot really leaves.
    const { ctx, check, portDropped } = watchContentLifetime({
      doc: document,
      // WXT's own name for it (private in its types): `<runtime.id>:portal:wxt:content-script-started`.
      startedEventName: (ContentScriptContext as unknown as { SCRIPT_STARTED_MESSAGE_TYPE: string }).SCRIPT_STARTED_MESSAGE_TYPE,
      isAlive: () => !extensionContextGone(() => browser.runtime),
      isSuperseded: () => (world[COPIES] as number) > copy,
      scriptName: 'portal',
      scriptOptions: wxtContext.options,
    });
    ctx.onInvalidated(() => delete world[LOADED]);
    wxtContext.onInvalidated(() => check());

    const config = await requestPortalConfig();
    // A newer copy may have taken over while we waited.
    if (check()) return;
    if (!config.ok) {
      console.warn(`[earshot] ${config.reason}`);
      return;
    }

    const send = contentCommandSender(() => model.view.state);
    // One closed shadow root for everything Earshot shows on the page; WXT resets the page's inherited styles.
    const ui = await createShadowRootUi(ctx, {
      name: 'earshot-audio-monitoring',
      mode: 'closed',
      position: 'inline',
      // The root element, not <body>: a portal that re-renders its body keeps the panel.
      anchor: () => document.documentElement,
      css: dockCss + monitorCss,
      onMount: (container) => container,
      onRemove: (container) => container && render(null, container),
    });
    if (check()) return;
    ui.mount();
    const draw = () =>
      render(
        <InPagePanel
          {...model.view}
          send={send}
          onClose={() => model.setOpen(false)}
          onDismissNotice={() => model.setNotice(undefined)}
        />,
        ui.uiContainer,
      );

    const model: InPageModel = createInPageModel({
      root: document,
      config,
      setIconsEnabled: (enabled) => icons.setEnabled(enabled),
      onChange: draw,
      setTimer: (callback, ms) => ctx.setTimeout(callback, ms),
      clearTimer: (id) => ctx.clearTimeout(id),
      onDisagreement: (text) => console.info(`[earshot] ${text}`),
      // The page's signed-in user becomes the one user of the side panel, this panel and the rules.
      onPortalUser: (user) =>
        void reportPortalUser(user).then((result) => result.ok || console.warn(`[earshot] the portal's signed-in user was not reported: ${result.reason}`)),
    });

    let reportTimer: number | undefined;
    const icons: IconManager = new IconManager({
      doc: document,
      compiled: compileAdapter(config.adapter),
      isOnCall: model.isOnCall,
      signal: ctx.signal,
      onActivate: (agent, event, row) => {
        // A row the portal says this user may not monitor has no icon; should one be clicked anyway, say why.
        const verdict = model.startVerdict(agent);
        // Where the portal starts monitoring (the PBX calls Earshot), its request comes from the row as it is now.
        const request = config.portalRequest ? portalMonitorRequest(config.portalRequest, row, location.href, agent.extension) : undefined;
        if (!verdict.allowed || (request && !request.ok)) {
          model.setOpen(true);
          model.setNotice(!verdict.allowed ? verdict.reason : `Earshot cannot ask the portal to monitor ${agent.name ?? agent.extension}: ${request && !request.ok ? request.reason : ''}`);
          return;
        }
        // Open the browser's panel first: Chrome keeps the click's gesture only for the first call.
        void requestOpenPanel().then(
          (result) => result.ok || console.warn(`[earshot] the side panel did not open: ${result.reason}`),
          // The in-page panel below still has the session's controls.
          (error: unknown) => console.warn('[earshot] the side panel did not open', error),
        );
        model.setOpen(true);
        void requestStartFromClick(event, agent.extension, agent.name).then(async (result) => {
          if (!result.ok) return model.setNotice(result.reason);
          if (!request?.ok) return;
          // The session now waits for the PBX's call: only now is the portal asked to have the PBX place it.
          const answer = await askPortal(request.url);
          if (answer.ok) return;
          model.setNotice(`The portal refused: ${answer.reason}`);
          const reported = await reportPortalRefusal(agent.extension, answer.reason);
          if (!reported.ok) console.warn(`[earshot] the portal's refusal was not reported: ${reported.reason}`);
        });
      },
      // Every report replaces this frame's list at the background (the engine watches only those).
      onAgentsChanged: (agents) => {
        ctx.clearTimeout(reportTimer);
        reportTimer = ctx.setTimeout(
          () =>
            void reportVisibleAgents(agents.slice(0, 500)).then(
              (result) => result.ok || console.warn(`[earshot] the agents shown were not reported: ${result.reason}`),
            ),
          REPORT_DEBOUNCE_MS,
        );
      },
      onPageChange: () => model.pageChanged(),
    });

    const client = createStateClient({
      connect: () => {
        // The port may drop before runtime.id does: each reconnect looks again, and an orphan stops here.
        if (check()) throw new Error('Earshot was reloaded or removed.');
        return browser.runtime.connect({ name: STATE_PORT_NAME }) as unknown as PortLike;
      },
      onState: (next) => {
        model.receive(next);
        icons.refresh();
      },
      onConnection: (up) => {
        // A dropped port: the worker stopped (it reconnects), or the extension is going.
        if (!up && portDropped()) return;
        model.setConnected(up);
        // A new connection may be a restarted background, or one that forgot this frame: tell it what is shown.
        if (up) {
          icons.reportAgain();
          model.reportUserAgain();
        }
      },
      setTimer: (callback, ms) => ctx.setTimeout(callback, ms),
      clearTimer: (id) => ctx.clearTimeout(id as number),
    });
    ctx.onInvalidated(() => client.close());
    model.applyRules();
    draw();
  },
});
