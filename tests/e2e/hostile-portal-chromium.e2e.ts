// A portal page that attacks Earshot (tests/fixtures/hostile-portal/index.html),
// in real Chromium against the lab, read by the generic adapter: markup in
// names, SIP URI tricks in extension fields, 5,000 more rows, synthetic
// clicks on Earshot's icons and the forged WXT teardown event. Every absence
// is asserted once an event shows the path ran: the icons of valid rows are
// drawn (the scan ran), the engine subscribed to the rows on screen (the
// report ran), a real click then starts exactly one session.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/index';
import { GENERIC_PORTAL } from './support/asterisk';
import { startStaticPages } from './support/asterisk-portal';
import type { ChromiumSession } from './support/browsers';
import { chromiumOnLab, type ChromiumOnLab } from './support/chromium-lab';
import { labApi, labSettings, sessionOf, storeSettings, until } from './support/lab-client';
import { clickInPagePanel, inPagePanelText } from './support/portal';

const FIXTURE = readFileSync('tests/fixtures/hostile-portal/index.html', 'utf8');
/** The extension fields that are not extensions (data-case of their rows). */
const TRICKS = ['domain', 'uri-params', 'scheme', 'headers', 'full-width', 'zero-width', 'feature-code', 'markup-ext', 'too-long'];

let env: ChromiumOnLab;
let lab: Lab;
let s: ChromiumSession;
let portal: Page;
let site: { origin: string; close(): Promise<void> };

/** Extensions 2001 (Earshot) subscribes to at the lab, read from the lab's own table. */
function watchedByEarshot(): string[] {
  return [...lab.sip.subscriptions.values()].filter((sub) => sub.subscriber === '2001').map((sub) => sub.target);
}

beforeAll(async () => {
  env = await chromiumOnLab('hostile');
  ({ lab, s, portal } = env);
  site = await startStaticPages({ '/': FIXTURE });
  const settings = labSettings(lab, 'info');
  await storeSettings(s.worker, {
    ...settings,
    portal: {
      origin: site.origin,
      adapter: 'generic',
      // The fixture uses the static portal's markup, so the same selectors read it.
      generic: GENERIC_PORTAL,
    },
  });
  await until(() => env.panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'Ready');
});

afterAll(async () => {
  await env?.close();
  await site?.close();
});

describe('Chromium: a hostile portal page', () => {
  it('draws icons only for real extensions, and watches only real extensions on screen', async () => {
    await portal.goto(`${site.origin}/`);
    // The scan ran: the row of 1001 (on a call at the lab) has its icon.
    await portal.locator('tr[data-case="markup-name"] earshot-monitor-icon').waitFor({ state: 'attached', timeout: 20_000 });
    // The report ran: the engine subscribed to 1001.
    await until(() => watchedByEarshot().includes('1001'), 15_000, 'a subscription to 1001');
    for (const trick of TRICKS) expect(await portal.locator(`tr[data-case="${trick}"] earshot-monitor-icon`).count(), trick).toBe(0);
    const watched = watchedByEarshot();
    expect(watched.every((target) => /^\d{1,15}$/.test(target)), watched.join(',')).toBe(true);
    // 5,010 rows, bounded: only rows on screen are watched, at most 500.
    expect(await portal.locator('table#agents tbody tr').count()).toBe(5010);
    expect(watched.length).toBeGreaterThan(0);
    expect(watched.length).toBeLessThanOrEqual(500);
    expect(watched).not.toContain('30999');
  });

  it("the page's synthetic clicks and forged teardown start nothing and take nothing down; a real click starts exactly one session", async () => {
    const hit = await portal.evaluate(() => (window as unknown as { hostile: { clickEveryIcon(): number } }).hostile.clickEveryIcon());
    expect(hit).toBeGreaterThan(0);
    await portal.evaluate((id) => (window as unknown as { hostile: { forgeStarted(id: string): void } }).hostile.forgeStarted(id), s.extensionId);
    const eventsBefore = (await labApi<{ seq: number }[]>(lab, 'GET', '/api/events')).at(-1)?.seq ?? 0;
    // The UI is still there: a real click on the icon (trusted, through the mouse) starts the session.
    await portal.hover('tr[data-case="markup-name"] td.name');
    const icon = portal.locator('tr[data-case="markup-name"] earshot-monitor-icon');
    const box = await until(async () => (await icon.boundingBox({ timeout: 1000 })) ?? undefined, 10_000, 'the icon after the attacks');
    await portal.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await until(() => sessionOf(lab, '2001'), 15_000, 'the session from the real click');
    const monitorEvents = (await labApi<{ kind: string; text: string }[]>(lab, 'GET', `/api/events?since=0`)).filter((e) => e.kind === 'monitor' && / monitors /.test(e.text));
    // One session in the whole run: the synthetic clicks before started none.
    expect(monitorEvents.map((e) => e.text)).toEqual([expect.stringMatching(/^2001 monitors 1001 /)]);
    expect(eventsBefore).toBeGreaterThan(0);
  });

  it("shows the page's markup as text, never as markup", async () => {
    // The panel's markup with its tags stripped and its entities read: tags Earshot made of the name would be gone.
    const text = await until(async () => (await inPagePanelText(portal, '.earshot-agent-name')) || undefined, 10_000, 'the agent name in the in-page panel');
    const name = text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&amp;', '&');
    expect(name).toContain('<img src=x onerror=');
    expect(name).toContain('<script>');
    // Nothing ran: a name rendered as HTML would have set this in the page.
    expect(await portal.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await portal.screenshot({ path: 'docs/screenshots/hostile-portal.png' });
    await clickInPagePanel(portal, 'button.earshot-hangup');
    await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'session ended');
  });
});
