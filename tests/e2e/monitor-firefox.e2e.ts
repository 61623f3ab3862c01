// The monitor flow in real Firefox ESR (puppeteer-core over WebDriver BiDi),
// against the lab: the engine in the persistent background page, the portal
// enabled from the options page, a trusted click on the icon, Listen heard.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/index';
import { launchFirefox, openExtensionPage, type FirefoxSession } from './support/browsers';
import { audible, hearing, labApi, labSettings, sessionOf, until } from './support/lab-client';

let lab: Lab;
let s: FirefoxSession;
let panel: Page;
let portal: Page;

beforeAll(async () => {
  lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
  // Optional permission requests are granted without the doorhanger (the click itself is real).
  // The microphone prompt is auto-accepted with a fake device, but the path is the real one:
  // getUserMedia runs in the visible sidebar page, never in the background page.
  s = await launchFirefox({ fakeMedia: true, prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
  panel = await s.browser.newPage();
  await openExtensionPage(panel, `${s.base}/options.html`);
  await panel.evaluate(
    (settings) => (globalThis as unknown as { browser: { storage: { local: { set(v: object): Promise<void> } } } }).browser.storage.local.set({ 'earshot:settings': settings }),
    labSettings(lab),
  );
  await panel.reload().catch(() => undefined);
  await openExtensionPage(panel, `${s.base}/options.html`);
  portal = await s.browser.newPage();
});

afterAll(async () => {
  await s?.close();
  await lab?.close();
});

describe('Firefox ESR: monitor from the portal', () => {
  it('enables the portal from the options page with a real click', async () => {
    const button = await until(async () => {
      for (const b of await panel.$$('button')) if ((await b.evaluate((el) => el.textContent?.trim())) === 'Enable on this portal') return b;
      return undefined;
    }, 15_000, 'the Enable button');
    await button.click();
    await until(
      () => panel.evaluate(() => (globalThis as unknown as { browser: { permissions: { contains(p: object): Promise<boolean> } } }).browser.permissions.contains({ origins: ['http://127.0.0.1/*'] })),
      10_000,
      'host permission',
    );
  });

  it('registers from the background page', async () => {
    await until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === '2001'), 20_000, 'registration');
  });

  it('a trusted click on the icon starts Listen: the supervisor hears both parties and sends silence', async () => {
    await portal.goto(`${lab.httpUrl}/`);
    await portal.type('input[name="extension"]', '2001');
    await portal.type('input[name="password"]', 'lab-2001');
    await portal.click('.sign-in button[type="submit"]');
    await portal.waitForSelector('tr.agent-row');
    const centre = await until(async () => {
      await portal.hover('tr[data-agent-id="1001"] td.agent-name');
      const handle = await portal.$('earshot-monitor-icon[data-extension="1001"]:not([hidden])');
      const box = await handle?.boundingBox();
      if (!box) return undefined;
      const point = [box.x + box.width / 2, box.y + box.height / 2] as const;
      const hit = await portal.evaluate((x, y) => document.elementFromPoint(x, y)?.tagName === 'EARSHOT-MONITOR-ICON', point[0], point[1]);
      return hit ? point : undefined;
    }, 20_000, 'the icon of 1001');
    await portal.mouse.click(centre[0], centre[1]);
    await until(() => sessionOf(lab, '2001'), 15_000, 'monitor session');
    await until(async () => {
      const heard = await hearing(lab, '2001', 300);
      return audible(heard, 'agent:1001') && audible(heard, 'customer:5550101');
    }, 15_000, 'supervisor leg hears both');
    // Firefox's background page keeps its AudioContext suspended, so the silent
    // track sends no frames at all in Listen (Chromium sends digital silence).
    const sent = await labApi<{ rms: number; frames: number }>(lab, 'GET', '/api/sent/2001?windowMs=1000');
    expect(sent.rms).toBeLessThan(0.001);
  });

  it('Whisper and Join take the microphone from the visible sidebar page', async () => {
    const sidebar = await s.browser.newPage();
    await openExtensionPage(sidebar, `${s.base}/sidepanel.html`);
    await until(() => sidebar.evaluate(() => document.querySelector('.earshot-agent-name')?.textContent === 'Alice Agent'), 15_000, 'session in the sidebar');
    const button = (mode: string) => until(() => sidebar.$(`button[data-mode="${mode}"][aria-disabled="false"]`), 10_000, `${mode} button`);
    const leg = (await sessionOf(lab, '2001'))?.legId ?? '';
    // 1001's call was up before Earshot watched it (counterpart unknown: Whisper is off), so Join, which any call allows.
    await (await button('barge')).click();
    await until(async () => (await sessionOf(lab, '2001'))?.mode === 'barge', 15_000, 'barge at the PBX');
    await until(async () => audible(await hearing(lab, 'customer:5550101'), leg) && audible(await hearing(lab, 'agent:1001'), leg), 15_000, 'both hear the supervisor');
    await (await button('listen')).click();
    await until(async () => (await sessionOf(lab, '2001'))?.mode === 'listen', 15_000, 'listen at the PBX');
    await until(async () => (await labApi<{ rms: number }>(lab, 'GET', '/api/sent/2001?windowMs=300')).rms < 0.001, 15_000, 'silence again');
  });

  it('the sidebar page shows the session and hangs up', async () => {
    const sidebar = await s.browser.newPage();
    await openExtensionPage(sidebar, `${s.base}/sidepanel.html`);
    await until(() => sidebar.evaluate(() => document.querySelector('.earshot-agent-name')?.textContent === 'Alice Agent'), 15_000, 'session in the sidebar');
    const hangup = await until(async () => {
      for (const b of await sidebar.$$('button')) if ((await b.evaluate((el) => el.textContent?.trim())) === 'Hang up') return b;
      return undefined;
    }, 10_000, 'hang up button');
    await hangup.click();
    await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'session ended');
  });
});
