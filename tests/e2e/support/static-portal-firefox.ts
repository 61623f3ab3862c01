// Earshot's sidebar page and the static portal tab in Firefox ESR
// (puppeteer-core over WebDriver BiDi), as the drivers of the real-PBX cases
// (support/asterisk-cases.ts and support/freeswitch-cases.ts) read and click them.
import type { Page } from 'puppeteer-core';
import type { AgentStateReader, Mode, PortalDriver } from './asterisk-cases';
import { until } from './lab-client';
import type { StatusPanelDriver } from './static-portal-chromium';

type BrowserApi = { browser: { storage: { local: { set(v: object): Promise<void> }; session: { get(k: string): Promise<Record<string, unknown>> } } } };

/** A button of the page whose text is `text`. */
export async function buttonByText(page: Page, text: string) {
  return until(async () => {
    for (const b of await page.$$('button')) if ((await b.evaluate((el) => el.textContent?.trim())) === text) return b;
    return undefined;
  }, 10_000, `the ${text} button`);
}

/** The sidebar page (opened as a tab: visible, so getUserMedia works there), brought to the front for every click. */
export function firefoxPanel(page: Page): StatusPanelDriver {
  const attr = (selector: string, name: string) => page.evaluate((sel, n) => document.querySelector(sel)?.getAttribute(n) ?? null, selector, name);
  return {
    registration: () => page.evaluate(() => document.querySelector('.earshot-reg-label')?.textContent ?? null),
    statusText: () => page.evaluate(() => document.querySelector('.earshot-live')?.textContent ?? ''),
    session: () => attr('.earshot-panel[data-session]', 'data-session'),
    async pressedMode() {
      return ((await attr('button.earshot-mode-button[aria-pressed="true"]', 'data-mode')) ?? undefined) as Mode | undefined;
    },
    modeAvailability: (mode) =>
      page.evaluate((m) => {
        const button = document.querySelector(`button.earshot-mode-button[data-mode="${m}"]`);
        const described = button?.getAttribute('aria-describedby');
        const reason = described ? document.getElementById(described)?.textContent ?? undefined : undefined;
        return { disabled: button?.getAttribute('aria-disabled') === 'true', ...(reason !== undefined ? { reason } : {}) };
      }, mode),
    async clickMode(mode) {
      await page.bringToFront();
      // puppeteer's click moves the mouse and presses it: trusted input events.
      await page.click(`button.earshot-mode-button[data-mode="${mode}"]`);
    },
    async hangUp() {
      await page.bringToFront();
      await (await buttonByText(page, 'Hang up')).click();
    },
  };
}

/** The portal tab on the static portal page (support/asterisk-portal.ts). */
export function firefoxPortal(page: Page): PortalDriver {
  return {
    async open(url) {
      await page.goto(url);
    },
    iconShown: (agent) =>
      page.evaluate((ext) => document.querySelector(`tr[data-ext="${ext}"] earshot-monitor-icon[data-extension="${ext}"]:not([hidden])`) !== null, agent),
    /** The portal in front (a background tab gets no hover), aiming until the icon is what the mouse hits. */
    async clickIcon(agent) {
      await page.bringToFront();
      const centre = await until(async () => {
        await page.hover(`tr[data-ext="${agent}"] td.name`);
        return page.evaluate((ext) => {
          const icon = document.querySelector(`tr[data-ext="${ext}"] earshot-monitor-icon[data-extension="${ext}"]:not([hidden])`);
          if (!icon) return null;
          const r = icon.getBoundingClientRect();
          const point: [number, number] = [r.x + r.width / 2, r.y + r.height / 2];
          return document.elementFromPoint(...point)?.tagName === 'EARSHOT-MONITOR-ICON' ? point : null;
        }, agent);
      }, 20_000, `the icon of ${agent}`);
      const at = Date.now();
      await page.mouse.click(centre[0], centre[1]);
      return at;
    },
  };
}

/** Earshot's idea of an agent's call, from the background's persisted state (storage.session, read by the sidebar page). */
export function firefoxAgentState(sidebar: Page): AgentStateReader {
  return (agent) => sidebar.evaluate(async (ext) => {
    const record = (await (globalThis as unknown as BrowserApi).browser.storage.session.get('earshot:coordinator'))['earshot:coordinator'] as
      | { state?: { agents?: Record<string, { dialog?: string }> } }
      | undefined;
    return record?.state?.agents?.[ext]?.dialog;
  }, agent);
}

/** Stores Earshot's settings in storage.local from an extension page (as the options page does). */
export async function storeSettingsFirefox(page: Page, settings: object): Promise<void> {
  await page.evaluate((value) => (globalThis as unknown as BrowserApi).browser.storage.local.set({ 'earshot:settings': value }), settings);
}
