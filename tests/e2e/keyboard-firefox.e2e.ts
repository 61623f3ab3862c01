// The keyboard in real Firefox ESR with a real window (a private Xvfb
// display, keys sent by xdotool as a keyboard would): the four shortcuts
// acting from the portal tab (none taken by a Firefox menu), the toolbar badge
// saying who hears the supervisor, the Heard meter moving, and push-to-talk
// released off the button returning to Listen, each checked at the lab.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/index';
import { launchFirefox, openExtensionPage, type FirefoxSession } from './support/browsers';
import { startDisplay, type VirtualDisplay } from './support/display';
import { clickIconFirefox, signInFirefox, storeSettingsAndEnableFirefox } from './support/firefox-portal';
import { audible, hearing, labApi, labEvents, labSettings, lastEventSeq, sessionOf, until } from './support/lab-client';

let screen: VirtualDisplay;
let lab: Lab;
let s: FirefoxSession;
let options: Page;
let sidebar: Page;
let portal: Page;

type ActionApi = { browser: { browserAction: { getBadgeText(d: object): Promise<string>; getTitle(d: object): Promise<string> } } };

beforeAll(async () => {
  screen = await startDisplay();
  lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
  s = await launchFirefox({ fakeMedia: true, display: screen.display, prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
  options = await s.browser.newPage();
  await openExtensionPage(options, `${s.base}/options.html`);
  await storeSettingsAndEnableFirefox(options, `${s.base}/options.html`, labSettings(lab));
  // The microphone for Whisper comes from the visible sidebar page (the background page cannot open it).
  sidebar = await s.browser.newPage();
  await openExtensionPage(sidebar, `${s.base}/sidepanel.html`);
  portal = await s.browser.newPage();
});

afterAll(async () => {
  await s?.close();
  await lab?.close();
  await screen?.close();
});

const badge = () =>
  options.evaluate(async () => {
    const action = (globalThis as unknown as ActionApi).browser.browserAction;
    return { text: await action.getBadgeText({}), title: await action.getTitle({}) };
  });
const atThePbx = (mode: string) => until(async () => (await sessionOf(lab, '2001'))?.mode === mode, 15_000, `${mode} at the PBX`);

describe('Firefox ESR with a real window: the keyboard', () => {
  it('each shortcut acts from the portal tab, and the toolbar says who hears the supervisor', async () => {
    await until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === '2001'), 20_000, 'registration');
    const since = await lastEventSeq(lab);
    await portal.bringToFront();
    await signInFirefox(portal, lab.httpUrl, '2001');
    await portal.type('input[name="filter"]', '1008');
    await until(async () => (await labEvents(lab, since)).some((e) => e.text === '2001 watches 1008'), 15_000, 'watching 1008');
    await labApi(lab, 'POST', '/api/calls', { agent: '1008', customer: '5550188', answerAfterMs: 500 });
    await clickIconFirefox(portal, '1008');
    await atThePbx('listen');
    await until(async () => (await badge()).text === 'ON', 10_000, 'badge ON');
    expect((await badge()).title).toBe('Earshot: Listen Only on Hank Agent (1008). Nobody hears you.');
    // The Heard meter moves in Firefox too: its background page cannot run Web Audio, the call's stats say the level.
    await until(
      async () => Number(await sidebar.evaluate(() => document.querySelector('.earshot-meters [aria-valuenow]')?.getAttribute('aria-valuenow') ?? '0')) > 0,
      15_000,
      'the Heard meter moving in the sidebar',
    );
    const leg = (await sessionOf(lab, '2001'))!.legId;
    const agentHears = async () => audible(await hearing(lab, 'agent:1008'), leg);
    const customerHears = async () => audible(await hearing(lab, 'customer:5550188'), leg);

    await portal.bringToFront();
    await screen.press('alt+shift+k');
    await atThePbx('whisper');
    await until(agentHears, 15_000, 'the agent hears the supervisor');
    expect(await customerHears()).toBe(false);
    await until(async () => (await badge()).text === 'MIC', 10_000, 'badge MIC');

    await screen.press('alt+shift+j');
    await atThePbx('barge');
    await until(async () => (await agentHears()) && (await customerHears()), 15_000, 'both hear the supervisor');
    expect((await badge()).title).toMatch(/The agent and the other party hear you/);

    await screen.press('alt+shift+l');
    await atThePbx('listen');
    await until(async () => (await badge()).text === 'ON', 10_000, 'badge ON again');
  });

  it('push-to-talk released off the button returns to Listen: the agent no longer hears the supervisor', async () => {
    await sidebar.bringToFront();
    // The button's box from the page itself: puppeteer's ElementHandle.boundingBox adopts the handle into an
    // isolated realm, and on a moz-extension page Firefox's Xray wrappers refused that once in CI (an
    // unhandled rejection inside puppeteer), so this suite stays in the page's main realm.
    const box = await until(
      () =>
        sidebar.evaluate(() => {
          const r = document.querySelector('button.earshot-ptt[aria-disabled="false"]')?.getBoundingClientRect();
          return r ? { x: r.x, y: r.y, width: r.width, height: r.height } : undefined;
        }),
      15_000,
      'the push-to-talk button',
    );
    await sidebar.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await sidebar.mouse.down();
    await atThePbx('whisper');
    const leg = (await sessionOf(lab, '2001'))!.legId;
    await until(async () => audible(await hearing(lab, 'agent:1008'), leg), 15_000, 'the agent hears the supervisor while held');
    await sidebar.mouse.move(box.x + box.width / 2, box.y + box.height + 200, { steps: 5 });
    await sidebar.mouse.move(2, 2, { steps: 5 });
    await sidebar.mouse.up();
    await atThePbx('listen');
    await until(async () => !audible(await hearing(lab, 'agent:1008'), leg), 15_000, 'the agent no longer hears the supervisor');
  });

  it('Alt+Shift+U hangs up from the portal tab; the badge goes away', async () => {
    await portal.bringToFront();
    await screen.press('alt+shift+u');
    await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'session ended at the PBX');
    await until(async () => (await badge()).text === '', 10_000, 'no badge');
  });
});
