// What a portal page can do to Earshot's UI, and what the background keeps
// watching, in real Chromium against the lab.
//
// WXT's content-script context invalidates itself on a CustomEvent the page
// can dispatch on its own document (`<extension id>:portal:wxt:content-script-
// started`): Earshot used to take its icons and in-page panel down then, with
// the session going on. Now only a gone extension context (or a newer copy of
// the script, which a page cannot make) takes the UI down: a real reload of
// the extension still does.
//
// The engine subscribes (SIP dialog-info) to the agents a portal frame shows:
// once the frame's document is gone, nobody is watched for it, whether the
// worker was running then or stopped.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/index';
import type { ChromiumSession } from './support/browsers';
import { chromiumOnLab, type ChromiumOnLab } from './support/chromium-lab';
import { labSettings, sessionOf, storeSettings, until } from './support/lab-client';
import { clickIcon, clickInPagePanel, inPagePanelText, signIn } from './support/portal';

let env: ChromiumOnLab;
let lab: Lab;
let s: ChromiumSession;
let panel: Page;
let portal: Page;

/** What a page script can do: announce a "newer copy" of Earshot's content script, both ways WXT does. */
function forgeScriptStarted(page: Page, extensionId: string): Promise<void> {
  return page.evaluate((id) => {
    const type = `${id}:portal:wxt:content-script-started`;
    document.dispatchEvent(new CustomEvent(type, { detail: { contentScriptName: 'portal', messageId: 'x' } }));
    window.postMessage({ type, contentScriptName: 'portal', messageId: 'x' }, '*');
  }, extensionId);
}

/** Earshot's elements on the portal page. */
function earshotOnPage(page: Page) {
  return page.evaluate(() => ({
    panels: document.querySelectorAll('earshot-audio-monitoring').length,
    icons: [...document.querySelectorAll('earshot-monitor-icon')].map((i) => i.getAttribute('data-extension')),
  }));
}

/** The agents each portal frame reported, and those the engine watches, from the background's state (storage.session, read by an extension page). */
async function watchState(page: Page): Promise<{ frames: Record<string, string[]>; engine: string[] }> {
  return page.evaluate(async () => {
    const chromeApi = (globalThis as unknown as { chrome: { storage: { session: { get(key: string): Promise<Record<string, unknown>> } } } }).chrome;
    const record = (await chromeApi.storage.session.get('earshot:coordinator'))['earshot:coordinator'] as
      | { visible: Record<string, { extension: string }[]>; state: { agents: Record<string, unknown> } }
      | undefined;
    const frames = Object.fromEntries(Object.entries(record?.visible ?? {}).map(([frame, agents]) => [frame, agents.map((a) => a.extension)]));
    return { frames, engine: Object.keys(record?.state.agents ?? {}).sort() };
  });
}

async function killWorker(): Promise<void> {
  const cdp = await s.context.newCDPSession(panel);
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
    const worker = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${s.extensionId}/`));
    if (!worker) throw new Error('no service worker to stop');
    await cdp.send('Target.closeTarget', { targetId: worker.targetId });
  } finally {
    await cdp.detach();
  }
}

beforeAll(async () => {
  env = await chromiumOnLab('page-events');
  ({ lab, s, panel, portal } = env);
  await storeSettings(s.worker, labSettings(lab, 'info'));
  await until(() => panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'Ready');
});

afterAll(async () => {
  await env?.close();
});

describe('Chromium: a portal page cannot take Earshot down', () => {
  it("a page's forged 'content script started' event leaves the icons and the in-page panel working mid-session", async () => {
    await signIn(portal, lab.httpUrl, '2001');
    await clickIcon(portal, '1001');
    await until(() => sessionOf(lab, '2001'), 15_000, 'monitor session');
    await until(async () => (await inPagePanelText(portal, '.earshot-agent-name')) === 'Alice Agent', 10_000, 'the in-page panel shows the session');
    const before = await earshotOnPage(portal);
    expect(before).toEqual({ panels: 1, icons: ['1001'] });

    await forgeScriptStarted(portal, s.extensionId);
    await portal.waitForTimeout(1500);

    expect(await earshotOnPage(portal)).toEqual(before);
    expect(await inPagePanelText(portal, '.earshot-agent-name')).toBe('Alice Agent');
    // Still wired to the background: the in-page Hang up ends the session at the PBX.
    await clickInPagePanel(portal, 'button.earshot-hangup');
    await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'hung up from the in-page panel');
    await until(async () => (await inPagePanelText(portal, '.earshot-live')).includes('ended'), 10_000, 'the in-page panel says the session ended');
  });
});

describe('Chromium: Earshot watches only the agents a portal page shows', () => {
  it('the agents of a document that went away are not watched any more (navigation, no URL in the tab update)', async () => {
    await signIn(portal, lab.httpUrl, '2001');
    await portal.fill('input[name="filter"]', '1008');
    await until(async () => JSON.stringify(Object.values((await watchState(panel)).frames)) === '[["1008"]]', 10_000, 'the portal frame reports 1008');
    await until(async () => (await watchState(panel)).engine.join() === '1008', 10_000, 'the engine watches 1008');
    // Chrome's tabs.onUpdated gives no URL for this navigation: the frame leaves with its state port.
    await portal.goto('about:blank');
    await until(async () => {
      const now = await watchState(panel);
      return Object.keys(now.frames).length === 0 && now.engine.length === 0;
    }, 10_000, 'nobody watched once the portal page is gone');
  });

  it('nor when the document goes away across a service-worker restart', async () => {
    await signIn(portal, lab.httpUrl, '2001');
    await portal.fill('input[name="filter"]', '1008');
    await until(async () => (await watchState(panel)).engine.join() === '1008', 10_000, 'the engine watches 1008');
    await killWorker();
    await portal.goto('about:blank');
    // The ports bring the worker back at once: the frame leaves with its port, or, gone before the
    // worker restarted, is restored from storage.session and never reports again (dropped after 10 s).
    await until(async () => {
      const now = await watchState(panel);
      return Object.keys(now.frames).length === 0 && now.engine.length === 0;
    }, 30_000, 'the restored frame forgotten, nobody watched');
  });
});

describe('Chromium: a real invalidation still takes the UI down', () => {
  it('reloading the extension orphans the content script: its icons and panel leave the page', async () => {
    await signIn(portal, lab.httpUrl, '2001');
    await until(async () => (await earshotOnPage(portal)).icons.length === 5, 15_000, 'the icons');
    // The running worker (Playwright keeps one handle across the restart above).
    const worker = await until(() => s.context.serviceWorkers().findLast((w) => w.url().startsWith(`chrome-extension://${s.extensionId}/`)), 10_000, 'the service worker');
    // Here (Chromium with --load-extension) the extension does not come back after runtime.reload():
    // its pages answer ERR_BLOCKED_BY_CLIENT (measured). So this is the extension going away, as on
    // removal; a newer copy taking over is in tests/unit/content-lifetime.test.ts.
    await worker.evaluate(() => (globalThis as unknown as { chrome: { runtime: { reload(): void } } }).chrome.runtime.reload()).catch(() => undefined);
    // Chrome drops the port first and clears runtime.id just after: the content script looks again.
    await until(async () => {
      const now = await earshotOnPage(portal);
      return now.panels === 0 && now.icons.length === 0;
    }, 10_000, 'the orphaned UI gone');
  });
});
