// axe-core (pinned) over Earshot's pages in real Chromium against the lab:
// the side panel idle and during a session, the options page, and the
// in-page "Audio Monitoring" panel. The in-page panel lives in a closed shadow
// root axe cannot enter: DevTools reads its markup and styles (they pierce it),
// and axe checks that copy in an open shadow root on a page of its own.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AXE_SOURCE, describeFindings, RUN_AXE, type AxeFinding } from './support/axe';
import { chromiumOnLab, type ChromiumOnLab } from './support/chromium-lab';
import { labSettings, sessionOf, storeSettings, until } from './support/lab-client';
import { clickIcon, signIn } from './support/portal';

let env: ChromiumOnLab;

beforeAll(async () => {
  env = await chromiumOnLab('a11y');
  await storeSettings(env.s.worker, labSettings(env.lab, 'info'));
  await until(() => env.panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'Ready');
});

afterAll(async () => {
  await env?.close();
});

async function violations(page: Page, script = RUN_AXE): Promise<AxeFinding[]> {
  await page.evaluate(AXE_SOURCE);
  return (await page.evaluate(script)) as AxeFinding[];
}

async function expectClean(page: Page, script?: string): Promise<void> {
  const found = await violations(page, script);
  expect(found, describeFindings(found)).toEqual([]);
}

describe('Chromium: axe finds no violations', () => {
  it('in the side panel before any session', async () => {
    await expectClean(env.panel);
  });

  it('in the options page', async () => {
    const options = await env.s.context.newPage();
    await options.goto(`chrome-extension://${env.s.extensionId}/options.html`);
    await options.locator('h1').waitFor();
    await expectClean(options);
    await options.close();
  });

  it('in the side panel during a session, with the log', async () => {
    await signIn(env.portal, env.lab.httpUrl, '2001');
    await clickIcon(env.portal, '1001');
    await until(() => sessionOf(env.lab, '2001'), 15_000, 'monitor session');
    await env.panel.locator('.earshot-modes').waitFor();
    await expectClean(env.panel);
  });

  it('in the in-page panel on the portal', async () => {
    const cdp = await env.s.context.newCDPSession(env.portal);
    // The host with its closed shadow root serialized as declarative shadow DOM (DevTools pierces it).
    const { root } = (await cdp.send('DOM.getDocument', { depth: 0 })) as { root: { nodeId: number } };
    const { nodeId } = (await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'earshot-audio-monitoring' })) as { nodeId: number };
    const { outerHTML } = (await cdp.send('DOM.getOuterHTML', { nodeId, includeShadowDOM: true })) as { outerHTML: string };
    const markup = outerHTML.replace('shadowrootmode="closed"', 'shadowrootmode="open"');
    expect(markup).toContain('Audio Monitoring');
    const copy = await env.s.context.newPage();
    await copy.setContent('<!doctype html><html lang="en"><head><title>Portal</title></head><body><main><h1>Portal</h1><div id="host"></div></main></body></html>');
    await copy.evaluate((html) => document.getElementById('host')!.setHTMLUnsafe(html), markup);
    expect(await copy.evaluate(() => document.querySelector('earshot-audio-monitoring')?.shadowRoot?.textContent ?? '')).toContain('Audio Monitoring');
    // Only the panel: the page around it is the test's, not Earshot's.
    await expectClean(copy, RUN_AXE.replace('axe.run(document,', "axe.run({ include: [['#host']] },"));
    await copy.close();
  });
});
