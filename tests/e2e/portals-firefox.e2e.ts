// The supervisor's story on every portal style the lab serves, in real
// Firefox ESR (puppeteer-core over WebDriver BiDi): the portal enabled from
// the options page with a real click, the modes from the visible sidebar page
// (its microphone), each page read by the matching adapter
// (tests/e2e/support/portal-story.ts).
import type { Page } from 'puppeteer-core';
import { startLab } from '../../lab/index';
import { launchFirefox, openExtensionPage } from './support/browsers';
import { puppeteerPageDriver, storeSettingsAndEnableFirefox } from './support/firefox-portal';
import { until } from './support/lab-client';
import { describePortalStories, type PanelDriver } from './support/portal-story';
import { styleSettings } from './support/portal-styles';

/**
 * The sidebar page, open as a tab (getUserMedia needs a visible page): its buttons by the real mouse. Each
 * action brings it to the front and the portal back after: a background tab's timers are throttled (Firefox
 * budgets them after 30 s in the background), which made each click take seconds (hang-up 15 s), and a real
 * sidebar is always visible.
 */
function panelDriver(sidebar: Page, portal: Page): PanelDriver {
  const enabled = (m: string) => sidebar.$(`button[data-mode="${m}"][aria-disabled="false"]`);
  const inFront = async <T>(act: () => Promise<T>): Promise<T> => {
    await sidebar.bringToFront();
    try {
      return await act();
    } finally {
      await portal.bringToFront();
    }
  };
  return {
    modeEnabled: (m) => inFront(async () => (await enabled(m)) !== null),
    clickMode: (m) => inFront(async () => (await until(() => enabled(m), 10_000, `${m} button`)).click()),
    hangUp: () =>
      inFront(async () =>
        (
          await until(async () => {
            for (const b of await sidebar.$$('button')) if ((await b.evaluate((el) => el.textContent?.trim())) === 'Hang up') return b;
            return undefined;
          }, 10_000, 'the Hang up button')
        ).click(),
      ),
  };
}

describePortalStories('Firefox ESR', async (style) => {
  const lab = await startLab({ ...style.lab, sipPort: 0, httpPort: 0, quiet: true });
  const s = await launchFirefox({ fakeMedia: true, prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
  const options = await s.browser.newPage();
  await openExtensionPage(options, `${s.base}/options.html`);
  await storeSettingsAndEnableFirefox(options, `${s.base}/options.html`, styleSettings(lab, style));
  const sidebar = await s.browser.newPage();
  await openExtensionPage(sidebar, `${s.base}/sidepanel.html`);
  const portal = await s.browser.newPage();
  // The portal in front, as the supervisor sees it (a background tab gets no intersection updates).
  await portal.bringToFront();
  return {
    lab,
    portal: puppeteerPageDriver(portal),
    panel: panelDriver(sidebar, portal),
    async close() {
      await s.close();
      await lab.close();
    },
  };
});
