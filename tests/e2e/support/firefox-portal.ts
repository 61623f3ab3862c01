import type { Page } from 'puppeteer-core';
import { openExtensionPage } from './browsers';
import { until } from './lab-client';
import type { PageDriver } from './portal-styles';

// The lab portal's sign-in and a trusted click on Earshot's icon in Firefox
// (puppeteer-core), as support/portal.ts does them for Playwright.

/** Signs in to the lab's demo portal as a seeded user (password lab-<extension>). */
export async function signInFirefox(page: Page, portalUrl: string, extension: string): Promise<void> {
  await page.goto(`${portalUrl}/`);
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.type('input[name="extension"]', extension);
  await page.type('input[name="password"]', `lab-${extension}`);
  await page.click('.sign-in button[type="submit"]');
  await page.waitForSelector('tr.agent-row');
}

/** A trusted click on the agent's icon with the real mouse, aiming until the icon is what it hits. */
export async function clickIconFirefox(page: Page, extension: string): Promise<void> {
  const centre = await until(async () => {
    await page.hover(`tr[data-agent-id="${extension}"] td.agent-name`);
    // One round trip: the portal re-renders its rows every second.
    return page.evaluate((ext) => {
      const icon = document.querySelector(`earshot-monitor-icon[data-extension="${ext}"]:not([hidden])`);
      if (!icon) return null;
      const r = icon.getBoundingClientRect();
      const point: [number, number] = [r.x + r.width / 2, r.y + r.height / 2];
      return document.elementFromPoint(...point)?.tagName === 'EARSHOT-MONITOR-ICON' ? point : null;
    }, extension);
  }, 20_000, `the icon of ${extension}`).catch(async (error: unknown) => {
    const icons = await page.evaluate(() => [...document.querySelectorAll('earshot-monitor-icon')].map((i) => `${i.getAttribute('data-extension')}${i.hasAttribute('hidden') ? ' hidden' : ''}`));
    throw new Error(`${String(error)} (icons on the page: ${icons.join(', ') || 'none'})`);
  });
  await page.mouse.click(centre[0], centre[1]);
}

/**
 * On the options page: stores Earshot's settings (what the page would save),
 * reloads it, and clicks "Enable on this portal" with a real click (the
 * profile grants optional permissions without the doorhanger).
 */
export async function storeSettingsAndEnableFirefox(options: Page, optionsUrl: string, settings: object): Promise<void> {
  await options.evaluate(
    (value) => (globalThis as unknown as { browser: { storage: { local: { set(v: object): Promise<void> } } } }).browser.storage.local.set({ 'earshot:settings': value }),
    settings,
  );
  await options.reload().catch(() => undefined);
  await openExtensionPage(options, optionsUrl);
  const enable = await until(async () => {
    for (const b of await options.$$('button')) if ((await b.evaluate((el) => el.textContent?.trim())) === 'Enable on this portal') return b;
    return undefined;
  }, 15_000, 'the Enable button');
  await enable.click();
}

/** A puppeteer page as the portal stories drive it (support/portal-story.ts). */
export function puppeteerPageDriver(page: Page): PageDriver {
  return {
    goto: async (url) => void (await page.goto(url)),
    type: async (selector, text) => {
      await page.$eval(selector, (el) => ((el as HTMLInputElement).value = ''));
      await page.type(selector, text);
    },
    waitFor: async (selector, timeout = 15_000) => void (await page.waitForSelector(selector, { timeout })),
    hover: (selector) => page.hover(selector),
    mouseClick: (x, y) => page.mouse.click(x, y),
    press: (key) => page.keyboard.press(key as Parameters<Page['keyboard']['press']>[0]),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    url: () => page.url(),
  };
}
