// Earshot's side panel and the static portal tab in Chromium (Playwright), as
// the drivers of the real-PBX cases (support/asterisk-cases.ts and
// support/freeswitch-cases.ts) read and click them.
import type { Page } from 'playwright-core';
import type { AgentStateReader, Mode, PanelDriver, PortalDriver } from './asterisk-cases';
import { until } from './lab-client';

/** A panel driver that also reads the panel's live status line (the session's status and message). */
export interface StatusPanelDriver extends PanelDriver {
  statusText(): Promise<string>;
}

/** The side panel page, read and clicked with the real mouse. */
export function chromiumPanel(page: Page): StatusPanelDriver {
  const button = (mode: Mode) => page.locator(`button.earshot-mode-button[data-mode="${mode}"]`);
  return {
    registration: () => page.locator('.earshot-reg-label').textContent({ timeout: 1000 }),
    statusText: async () => (await page.locator('.earshot-live').first().textContent({ timeout: 1000 })) ?? '',
    session: () => page.locator('.earshot-panel[data-session]').first().getAttribute('data-session', { timeout: 1000 }),
    heard: async () => Number(await page.locator('.earshot-panel[data-session]').first().getAttribute('data-heard-at', { timeout: 1000 })) > 0,
    async pressedMode() {
      const pressed = page.locator('button.earshot-mode-button[aria-pressed="true"]');
      if ((await pressed.count()) === 0) return undefined;
      return ((await pressed.first().getAttribute('data-mode', { timeout: 1000 })) ?? undefined) as Mode | undefined;
    },
    async modeAvailability(mode) {
      const disabled = (await button(mode).getAttribute('aria-disabled', { timeout: 1000 })) === 'true';
      const described = await button(mode).getAttribute('aria-describedby', { timeout: 1000 });
      const reason = described ? ((await page.locator(`[id="${described}"]`).textContent({ timeout: 1000 })) ?? undefined) : undefined;
      return { disabled, ...(reason !== undefined ? { reason } : {}) };
    },
    // Playwright's click moves the mouse to the button and presses it (trusted input events).
    clickMode: (mode) => button(mode).click({ timeout: 5000 }),
    hangUp: () => page.getByRole('button', { name: 'Hang up' }).click({ timeout: 5000 }),
  };
}

/** The portal tab on the static portal page (support/asterisk-portal.ts). */
export function chromiumPortal(page: Page): PortalDriver {
  const icon = (agent: string) => page.locator(`tr[data-ext="${agent}"] earshot-monitor-icon[data-extension="${agent}"]:not([hidden])`);
  return {
    async open(url) {
      await page.goto(url);
    },
    iconShown: async (agent) => (await icon(agent).count()) > 0,
    /**
     * The static page's variant of support/portal.ts clickIcon: hover the
     * row (the icon's button shows on hover), aim until the icon is what the
     * mouse will hit, then click with the real mouse.
     */
    async clickIcon(agent) {
      const centre = await until(async () => {
        await page.hover(`tr[data-ext="${agent}"] td.name`, { timeout: 1000 });
        const box = await icon(agent).boundingBox({ timeout: 1000 });
        if (!box) return undefined;
        const point = [box.x + box.width / 2, box.y + box.height / 2] as const;
        const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.tagName === 'EARSHOT-MONITOR-ICON', point);
        return hit ? point : undefined;
      }, 20_000, `the icon of ${agent}`);
      const at = Date.now();
      await page.mouse.click(centre[0], centre[1]);
      return at;
    },
  };
}

/** Earshot's idea of an agent's call, from the background's persisted state (storage.session, read by an extension page). */
export function chromiumAgentState(panel: Page): AgentStateReader {
  return (agent) => panel.evaluate(async (ext) => {
    const chromeApi = (globalThis as unknown as { chrome: { storage: { session: { get(key: string): Promise<Record<string, unknown>> } } } }).chrome;
    const record = (await chromeApi.storage.session.get('earshot:coordinator'))['earshot:coordinator'] as
      | { state?: { agents?: Record<string, { dialog?: string }> } }
      | undefined;
    return record?.state?.agents?.[ext]?.dialog;
  }, agent);
}
