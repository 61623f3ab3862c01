import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  launchFirefox,
  openExtensionPage,
  type ChromiumSession,
  type FirefoxSession,
} from './support/browsers';

const CHROME_DEV_ID = 'lfflkhoalddonjjnoilhplmibgemjeal';

describe('Chromium loads the built extension', () => {
  let s: ChromiumSession;
  beforeAll(async () => {
    s = await launchChromium();
  });
  afterAll(async () => s?.close());

  it('has the fixed development id', () => {
    expect(s.extensionId).toBe(CHROME_DEV_ID);
  });

  it('renders the side panel page', async () => {
    const page = await s.context.newPage();
    await page.goto(`chrome-extension://${s.extensionId}/sidepanel.html`);
    // The panel renders the background's snapshot: nobody has set Earshot up yet.
    await expect.poll(() => page.locator('.earshot-reg-label').textContent(), { timeout: 15_000 }).toBe('Phone not set up');
    await page.close();
  });
});


describe('Firefox ESR installs the built extension', () => {
  let s: FirefoxSession;
  beforeAll(async () => {
    s = await launchFirefox();
  });
  afterAll(async () => s?.close());

  it('renders the sidebar page at the fixed moz-extension origin', async () => {
    const page = await s.browser.newPage();
    await openExtensionPage(page, `${s.base}/sidepanel.html`);
    await expect
      .poll(() => page.evaluate(() => document.querySelector('.earshot-reg-label')?.textContent ?? null), { timeout: 15_000 })
      .toBe('Phone not set up');
    await page.close();
  });
});
