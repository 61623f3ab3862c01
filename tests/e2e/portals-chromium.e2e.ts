// The supervisor's story on every portal style the lab serves (NetSapiens
// Agents, FusionPBX Active call centers, FusionPBX Active calls), in real
// Chromium with the built extension, each page driven by the lab's own live
// calls and read by the matching adapter (tests/e2e/support/portal-story.ts).
import type { Page } from 'playwright-core';
import { chromiumOnLab } from './support/chromium-lab';
import { storeSettings, until } from './support/lab-client';
import { describePortalStories, type PanelDriver } from './support/portal-story';
import { playwrightPageDriver } from './support/portal';
import { styleSettings } from './support/portal-styles';

/** The side panel page, open as a tab: its buttons by the real mouse. */
function panelDriver(panel: Page): PanelDriver {
  const mode = (m: string) => panel.locator(`button[data-mode="${m}"]`);
  return {
    modeEnabled: async (m) => (await mode(m).getAttribute('aria-disabled', { timeout: 1000 }).catch(() => null)) === 'false',
    clickMode: (m) => mode(m).click(),
    hangUp: () => panel.getByRole('button', { name: 'Hang up' }).click(),
  };
}

describePortalStories('Chromium', async (style) => {
  const env = await chromiumOnLab(`portal-${style.name.replace(/\W+/g, '-')}`, style.lab);
  await storeSettings(env.s.worker, styleSettings(env.lab, style));
  await until(() => env.panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'Ready');
  return { lab: env.lab, portal: playwrightPageDriver(env.portal), panel: panelDriver(env.panel), close: () => env.close() };
});
