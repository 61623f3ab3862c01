// Where Earshot's secrets are, measured in real Chromium against the lab.
//
// Content scripts can read all of storage.local (and storage.managed): a
// password there is one the portal content script's world can read. Earshot
// keeps secrets in its own origin's IndexedDB (content scripts run with the
// page's origin and its IndexedDB); storage.session is closed to content
// scripts. The probe runs in the extension's content-script world of the
// portal tab itself (the isolated world the DevTools protocol lists for it).
//
// The policy part runs its browser in a private mount namespace
// (support/policy-sandbox.ts, needs root), like the policy suites.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/index';
import { CHROME_E2E_OUT, launchChromium, type ChromiumSession } from './support/browsers';
import { labApi, labEvents, labSettings, lastEventSeq, storeSettings, until } from './support/lab-client';
import { createPolicySandbox, withExecutable, type PolicySandbox } from './support/policy-sandbox';
import { evaluateInContentScript, signIn } from './support/portal';

/** What the content script's world can read: every storage area it may open, and the IndexedDB databases of its origin. */
interface ContentWorldView {
  local: string;
  session: string;
  managed: string;
  databases: string[];
}

const CONTENT_WORLD_PROBE = `(async () => {
  const area = async (name) => {
    try { return JSON.stringify(await chrome.storage[name].get(null)); } catch (error) { return 'refused: ' + (error && error.message); }
  };
  return {
    local: await area('local'),
    session: await area('session'),
    managed: await area('managed'),
    databases: (await indexedDB.databases()).map((d) => d.name),
  };
})()`;

/** Everything in storage.local, as an extension page reads it. */
function localStorageArea(page: Page): Promise<string> {
  return page.evaluate(async () => JSON.stringify(await (globalThis as unknown as { chrome: { storage: { local: { get(k: null): Promise<object> } } } }).chrome.storage.local.get(null)));
}

/** A part of Earshot's secret vault (IndexedDB `earshot-secrets`), read from an extension page. */
function vaultPart(page: Page, part: 'user' | 'lastGoodManaged'): Promise<Record<string, unknown> | undefined> {
  return page.evaluate(
    (key) =>
      new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
        const open = indexedDB.open('earshot-secrets');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('secrets')) return resolve(undefined);
          const get = db.transaction('secrets').objectStore('secrets').get(key);
          get.onsuccess = () => resolve(get.result as Record<string, unknown> | undefined);
          get.onerror = () => reject(get.error);
        };
      }),
    part,
  );
}

async function registeredSince(lab: Lab, extension: string, since: number): Promise<boolean> {
  return (await labEvents(lab, since)).some((e) => e.kind === 'register' && e.text.startsWith(`${extension} registered`));
}

describe('Chromium: secrets typed by the user', () => {
  let lab: Lab;
  let s: ChromiumSession | undefined;
  let page: Page;
  const profile = mkdtempSync(join(tmpdir(), 'earshot-secrets-'));
  /** What an earlier Earshot left in storage.local in plain text (wrong for the lab: replaced below). */
  const OLD_PASSWORD = 'left-by-an-earlier-earshot';
  const PASSWORD = 'lab-2001';

  beforeAll(async () => {
    lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
    s = await launchChromium({ extensionDir: CHROME_E2E_OUT, userDataDir: profile });
    page = await s.context.newPage();
    await page.goto(`chrome-extension://${s.extensionId}/options.html`);
  });

  afterAll(async () => {
    await s?.close();
    rmSync(profile, { recursive: true, force: true });
    await lab?.close();
  });

  it("moves a plain-text password an earlier Earshot left in storage.local into its IndexedDB, and deletes it there", async () => {
    const settings = labSettings(lab);
    await storeSettings(s!.worker, { ...settings, pbx: { ...settings.pbx, password: OLD_PASSWORD } });
    await until(async () => !(await localStorageArea(page)).includes(OLD_PASSWORD), 10_000, 'the plain-text password gone from storage.local');
    expect(await vaultPart(page, 'user')).toEqual({ 'pbx.password': OLD_PASSWORD });
    // The rest of the settings stay where they were.
    expect(await localStorageArea(page)).toContain('lab.earshot.test');
  });

  it('keeps a password saved in the options page out of storage.local; the background takes it at once', async () => {
    const since = await lastEventSeq(lab);
    await page.reload();
    const password = page.getByLabel('Password', { exact: true });
    await password.fill(PASSWORD);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor({ timeout: 10_000 });
    // Only the password changed (storage.local's settings are the same): the background still re-registers.
    await until(() => registeredSince(lab, '2001', since), 20_000, 'registered with the saved password');
    expect(await vaultPart(page, 'user')).toEqual({ 'pbx.password': PASSWORD });
    expect(await localStorageArea(page)).not.toContain(PASSWORD);
  });

  it("the portal content script's world can read no secret: not in storage.local, not in storage.session, not in its IndexedDB", async () => {
    const portal = await s!.context.newPage();
    await signIn(portal, lab.httpUrl, '2001');
    await portal.locator('earshot-monitor-icon').first().waitFor({ state: 'attached', timeout: 15_000 });
    const view = await evaluateInContentScript<ContentWorldView>(portal, s!.extensionId, CONTENT_WORLD_PROBE);
    console.log(`[e2e] content-script world of the portal: ${JSON.stringify({ ...view, local: `${view.local.length} chars` })}`);
    // The probe does read Earshot's storage.local (the settings are there)...
    expect(view.local).toContain('lab.earshot.test');
    // ...and finds no password in anything it can open.
    for (const text of [view.local, view.session, view.managed, view.databases.join(',')]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(OLD_PASSWORD);
    }
    expect(view.session).toMatch(/^refused: .*not allowed/);
    expect(view.databases).not.toContain('earshot-secrets');
    await portal.close();
  });

  it('a browser restart keeps the password (IndexedDB is on disk): Earshot registers with nothing typed again', async () => {
    await s?.close();
    s = undefined;
    const since = await lastEventSeq(lab);
    s = await launchChromium({ extensionDir: CHROME_E2E_OUT, userDataDir: profile });
    await until(() => registeredSince(lab, '2001', since), 20_000, 'registered after the restart');
    page = await s.context.newPage();
    await page.goto(`chrome-extension://${s.extensionId}/options.html`);
    expect(await localStorageArea(page)).not.toContain(PASSWORD);
  });
});

describe('Chromium: a password from policy', () => {
  const POLICY_DIR = '/etc/chromium/policies/managed';
  const ID = 'lfflkhoalddonjjnoilhplmibgemjeal';
  const PASSWORD = 'lab-2002';
  let lab: Lab;
  let sandbox: PolicySandbox;
  let s: ChromiumSession | undefined;
  const profile = mkdtempSync(join(tmpdir(), 'earshot-secrets-policy-'));

  beforeAll(async () => {
    lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
    sandbox = createPolicySandbox({ browser: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', target: POLICY_DIR });
    sandbox.writePolicy('earshot-secrets-e2e.json', {
      '3rdparty': {
        extensions: {
          [ID]: {
            pbx: { wsUrl: lab.wsUrl, domain: 'lab.earshot.test', username: '2002', password: PASSWORD },
            portal: { origin: lab.httpUrl, adapter: 'earshot-lab' },
            profile: { id: 'asterisk-chanspy', dtmfMethod: 'info' },
          },
        },
      },
    });
    s = await withExecutable('CHROMIUM_PATH', sandbox.executablePath, () => launchChromium({ extensionDir: CHROME_E2E_OUT, userDataDir: profile }));
  });

  afterAll(async () => {
    await s?.close();
    sandbox?.dispose();
    rmSync(profile, { recursive: true, force: true });
    await lab?.close();
  });

  it('Earshot adds no readable copy: storage.local and storage.session have none; storage.managed, the policy itself, does', async () => {
    await until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === '2002'), 20_000, 'registration from policy');
    const page = await s!.context.newPage();
    await page.goto(`chrome-extension://${s!.extensionId}/options.html`);
    // The last good policy values: in storage.local without the password, which the vault keeps.
    await until(async () => (await localStorageArea(page)).includes('earshot:lastGoodManaged'), 10_000, 'the last good policy snapshot');
    expect(await localStorageArea(page)).not.toContain(PASSWORD);
    expect(await vaultPart(page, 'lastGoodManaged')).toEqual({ 'pbx.password': PASSWORD });

    const portal = await s!.context.newPage();
    await signIn(portal, lab.httpUrl, '2002');
    await portal.locator('earshot-monitor-icon').first().waitFor({ state: 'attached', timeout: 15_000 });
    const view = await evaluateInContentScript<ContentWorldView>(portal, s!.extensionId, CONTENT_WORLD_PROBE);
    expect(view.local).toContain('lab.earshot.test');
    expect(view.local).not.toContain(PASSWORD);
    expect(view.session).toMatch(/^refused: /);
    expect(view.databases).not.toContain('earshot-secrets');
    // Measured, and nothing an extension can change: content scripts read storage.managed, so a
    // password the admin puts in the policy is readable there (docs/privacy.md says so).
    expect(view.managed).toContain(PASSWORD);
  });
});
