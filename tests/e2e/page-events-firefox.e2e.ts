// The same two holes in Firefox ESR (puppeteer-core over WebDriver BiDi),
// against the lab.
//
// A portal page can dispatch WXT's "content script started" event: in
// Firefox its name is `earshot@earshot.dev:portal:wxt:content-script-started`
// (runtime.id is the gecko id). Earshot's icons and in-page panel stay.
//
// Firefox content scripts read the extension's storage.local too (measured),
// so it must hold no password: read here from an extension page, which sees
// exactly what a content script would. (BiDi does not list content-script
// realms, so the probe from the content script's own world is Chromium's,
// secrets-chromium.e2e.ts.)
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/index';
import { GECKO_ID, launchFirefox, openExtensionPage, type FirefoxSession } from './support/browsers';
import { clickIconFirefox, signInFirefox, storeSettingsAndEnableFirefox } from './support/firefox-portal';
import { labApi, labSettings, sessionOf, until } from './support/lab-client';

let lab: Lab;
let s: FirefoxSession;
let options: Page;
let portal: Page;

const PASSWORD = 'lab-2001';

function localStorageArea(page: Page): Promise<string> {
  return page.evaluate(async () => JSON.stringify(await (globalThis as unknown as { browser: { storage: { local: { get(k: null): Promise<object> } } } }).browser.storage.local.get(null)));
}

/** Earshot's elements on the portal page, and whether the page's find-in-page still sees the panel's Hang up (a closed shadow root hides its nodes, not its text). */
function earshotOnPage(page: Page) {
  return page.evaluate(() => {
    const found = (window as unknown as { find(text: string): boolean }).find('Hang up');
    getSelection()?.removeAllRanges();
    return {
      panels: document.querySelectorAll('earshot-audio-monitoring').length,
      icons: [...document.querySelectorAll('earshot-monitor-icon')].map((i) => i.getAttribute('data-extension')),
      hangUpShown: found,
    };
  });
}

beforeAll(async () => {
  lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
  s = await launchFirefox({ fakeMedia: true, prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
  options = await s.browser.newPage();
  await openExtensionPage(options, `${s.base}/options.html`);
  // The settings in plain text, as an earlier Earshot kept them (password included).
  await storeSettingsAndEnableFirefox(options, `${s.base}/options.html`, labSettings(lab));
  await until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === '2001'), 20_000, 'registration');
  portal = await s.browser.newPage();
});

afterAll(async () => {
  await s?.close();
  await lab?.close();
});

describe('Firefox ESR: no secret where content scripts read, no teardown by the page', () => {
  it('storage.local holds no password once Earshot has read its settings (moved to its IndexedDB)', async () => {
    await until(async () => !(await localStorageArea(options)).includes(PASSWORD), 10_000, 'the password gone from storage.local');
    expect(await localStorageArea(options)).toContain('lab.earshot.test');
    const vault = await options.evaluate(
      () =>
        new Promise<unknown>((resolve, reject) => {
          const open = indexedDB.open('earshot-secrets');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('secrets').objectStore('secrets').get('user');
            get.onsuccess = () => resolve(get.result);
            get.onerror = () => reject(get.error);
          };
        }),
    );
    expect(vault).toEqual({ 'pbx.password': PASSWORD });
  });

  it(`a page's forged '${GECKO_ID}:portal:wxt:content-script-started' leaves the icons and the in-page panel up mid-session`, async () => {
    // The portal in front: Firefox gives background tabs no intersection updates.
    await portal.bringToFront();
    await signInFirefox(portal, lab.httpUrl, '2001');
    await clickIconFirefox(portal, '1001');
    await until(() => sessionOf(lab, '2001'), 15_000, 'monitor session');
    await until(async () => (await earshotOnPage(portal)).hangUpShown, 10_000, 'the in-page panel with Hang up');
    const before = await earshotOnPage(portal);
    expect(before).toMatchObject({ panels: 1, hangUpShown: true });
    expect(before.icons.length).toBeGreaterThan(0);

    await portal.evaluate((type) => {
      document.dispatchEvent(new CustomEvent(type, { detail: { contentScriptName: 'portal', messageId: 'x' } }));
      window.postMessage({ type, contentScriptName: 'portal', messageId: 'x' }, '*');
    }, `${GECKO_ID}:portal:wxt:content-script-started`);
    await new Promise((r) => setTimeout(r, 1500));

    expect(await earshotOnPage(portal)).toEqual(before);
    expect((await sessionOf(lab, '2001'))?.agent).toBe('1001');
    // Hang up from the sidebar page; the in-page panel follows the state (it is still connected).
    const sidebar = await s.browser.newPage();
    await openExtensionPage(sidebar, `${s.base}/sidepanel.html`);
    const hangup = await until(async () => {
      for (const b of await sidebar.$$('button')) if ((await b.evaluate((el) => el.textContent?.trim())) === 'Hang up') return b;
      return undefined;
    }, 10_000, 'the Hang up button');
    await hangup.click();
    await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'session ended');
    await until(async () => !(await earshotOnPage(portal)).hangUpShown, 10_000, 'the in-page panel shows the session over');
  });
});
