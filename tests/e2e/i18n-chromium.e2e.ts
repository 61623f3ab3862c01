// The panels in the browser's language: Chromium started in French (--lang=fr,
// LANGUAGE=fr) shows the side panel from public/_locales/fr through the real
// chrome.i18n.getMessage, placeholders and all. Screenshots of the French side
// panel and options page land in <output>/screenshots for a look at overflow.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/index';
import { CHROME_E2E_OUT, launchChromium, type ChromiumSession } from './support/browsers';
import { labSettings, sessionOf, storeSettings, toneWav, until } from './support/lab-client';
import { clickIcon, inPagePanelText, signIn } from './support/portal';

const SHOTS = resolve(process.env.EARSHOT_OUTPUT ?? '.output', 'screenshots');

/** Chromium in French: --lang=fr, and LANGUAGE=fr in its environment (Linux reads both). */
async function frenchChromium(opts: Parameters<typeof launchChromium>[0] = {}): Promise<ChromiumSession> {
  const language = process.env.LANGUAGE;
  process.env.LANGUAGE = 'fr';
  try {
    return await launchChromium({ ...opts, extraArgs: ['--lang=fr'] });
  } finally {
    if (language === undefined) delete process.env.LANGUAGE;
    else process.env.LANGUAGE = language;
  }
}

describe('Chromium in French', () => {
  let s: ChromiumSession;
  beforeAll(async () => {
    s = await frenchChromium();
  });
  afterAll(async () => s?.close());

  it('renders the side panel in French', async () => {
    const page = await s.context.newPage();
    await page.setViewportSize({ width: 360, height: 640 });
    await page.goto(`chrome-extension://${s.extensionId}/sidepanel.html`);
    await expect.poll(() => page.locator('.earshot-reg-label').textContent(), { timeout: 15_000 }).toBe('Téléphone non configuré');
    expect(await page.getByRole('heading', { name: 'Journal des sessions' }).count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    expect(await page.getByRole('button', { name: 'Exporter en CSV' }).count()).toBe(1);
    expect(await page.locator('.earshot-muted').first().textContent()).toMatch(/^Aucune écoute en cours\./);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: resolve(SHOTS, 'sidepanel-fr.png'), fullPage: true });
    await page.close();
  });

  it('titles and labels the options page in French', async () => {
    const page = await s.context.newPage();
    await page.setViewportSize({ width: 800, height: 900 });
    await page.goto(`chrome-extension://${s.extensionId}/options.html`);
    await expect.poll(() => page.title(), { timeout: 15_000 }).toBe('Paramètres d’Earshot');
    expect(await page.getByRole('button', { name: 'Enregistrer' }).count()).toBe(1);
    await page.screenshot({ path: resolve(SHOTS, 'options-fr.png'), fullPage: true });
    await page.close();
  });
});

describe('Chromium in French: a monitor session against the lab', () => {
  let lab: Lab;
  let s: ChromiumSession;
  beforeAll(async () => {
    lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
    s = await frenchChromium({ extensionDir: CHROME_E2E_OUT, fakeAudio: toneWav(mkdtempSync(join(tmpdir(), 'earshot-e2e-fr-')), 900) });
    await storeSettings(s.worker, labSettings(lab, 'info'));
  });
  afterAll(async () => {
    await s?.close();
    await lab?.close();
  });

  it('shows the session in French in the side panel and the in-page panel (the content script reads chrome.i18n too)', async () => {
    const panel = await s.context.newPage();
    await panel.setViewportSize({ width: 360, height: 800 });
    await panel.goto(`chrome-extension://${s.extensionId}/sidepanel.html`);
    await expect.poll(() => panel.locator('.earshot-reg-label').textContent(), { timeout: 20_000 }).toBe('Prêt');
    const portal = await s.context.newPage();
    await signIn(portal, lab.httpUrl, '2001');
    await clickIcon(portal, '1001');
    await until(() => sessionOf(lab, '2001'), 15_000, 'monitor session');
    await expect.poll(() => panel.getByRole('button', { name: /^Écoute seule/ }).getAttribute('aria-pressed'), { timeout: 15_000 }).toBe('true');
    expect(await panel.getByRole('button', { name: /^Chuchoter/ }).count()).toBe(1);
    expect(await panel.getByRole('button', { name: /^Intervenir \(Barge-In\)/ }).count()).toBe(1);
    expect(await panel.getByRole('button', { name: 'Raccrocher' }).count()).toBe(1);
    await expect.poll(() => panel.locator('.earshot-live').textContent(), { timeout: 10_000 }).toMatch(/^Écoute seule : /);
    await until(async () => (await inPagePanelText(portal, '.earshot-inpage-header h2').catch(() => '')) === 'Écoute des appels', 10_000, 'the in-page panel in French');
    mkdirSync(SHOTS, { recursive: true });
    await panel.screenshot({ path: resolve(SHOTS, 'sidepanel-fr-session.png'), fullPage: true });
    await portal.screenshot({ path: resolve(SHOTS, 'portal-fr-session.png') });
    await panel.getByRole('button', { name: 'Raccrocher' }).click();
    await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'session ended');
  });
});
