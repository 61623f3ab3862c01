import type { Page } from 'puppeteer-core';
import { openExtensionPage } from './browsers';
import { until } from './lab-client';
import { clickIconAt, type PageDriver } from './portal-styles';

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
  await clickIconAt(puppeteerPageDriver(page), `tr[data-agent-id="${extension}"] td.agent-name`, extension);
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
    // At the element's centre by coordinates from one evaluate: puppeteer's hover takes a handle first, and a
    // page that re-renders wholesale (FusionPBX's call-center page, every 1.5 s) may detach it before the move.
    hover: async (selector) => {
      const at = await page.evaluate((s) => {
        const el = document.querySelector(s);
        if (!el) return undefined;
        el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
        const r = el.getBoundingClientRect();
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      }, selector);
      if (!at) throw new Error(`nothing to hover matches ${selector}`);
      await page.mouse.move(at.x, at.y);
    },
    mouseClick: (x, y) => page.mouse.click(x, y),
    press: (key) => page.keyboard.press(key as Parameters<Page['keyboard']['press']>[0]),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    url: () => page.url(),
  };
}
