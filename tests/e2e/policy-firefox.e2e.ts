// Enterprise deployment in real Firefox ESR: policies.json with Earshot's
// settings under 3rdparty.Extensions, read at browser start.
//
// Debian's firefox-esr reads /etc/firefox/policies/policies.json, not
// /etc/firefox-esr/policies (measured with firefox-esr 153 in a private mount
// namespace: the same policies.json in /etc/firefox/policies shows in
// about:policies and in the extension's storage.managed; in
// /etc/firefox-esr/policies, about:policies says "The Enterprise Policies
// service is inactive" and storage.managed throws "Managed storage manifest
// not found"). /etc/firefox-esr only holds Debian's firefox-esr.js prefs.
//
// The file exists only inside the policy browser's private mount namespace
// (support/policy-sandbox.ts): every other Firefox on the machine keeps its
// own policy. Two Earshots outside prove it: one started before the policy is
// written, one started while the policy browser runs (Firefox reads policies
// at start, so that one would read a file left in the system folder); both
// must see no policy, and /etc must be exactly as it was.
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/index';
import { GECKO_ID, launchFirefox, openExtensionPage, type FirefoxSession } from './support/browsers';
import { labApi, until } from './support/lab-client';
import { createPolicySandbox, mountsLeftBy, snapshotFolders, withExecutable, type PolicySandbox } from './support/policy-sandbox';

/** Where the policy browser finds policies.json, inside its namespace only. */
const POLICY_FILE = process.env.FIREFOX_POLICY_FILE ?? '/etc/firefox/policies/policies.json';
/** The machine's Firefox configuration: the system policy folder (and its Debian sibling), the install's distribution folder. */
const SYSTEM_FOLDERS = [...new Set(['/etc/firefox', '/etc/firefox-esr', '/usr/share/firefox-esr/distribution', dirname(POLICY_FILE)])];
let lab: Lab;
let sandbox: PolicySandbox;
let s: FirefoxSession | undefined;
/** The same build in plain Firefox ESR outside the sandbox: started before the policy is written, and during the test. */
let outsideBefore: FirefoxSession | undefined;
let outsideDuring: FirefoxSession | undefined;
let systemBefore: string[];

/** What the extension reads as its policy: the values, or the error Firefox throws without one. */
function managedStorage(page: Page): Promise<{ values?: Record<string, unknown>; error?: string }> {
  return page.evaluate(async () => {
    try {
      const area = (globalThis as unknown as { browser: { storage: { managed: { get(keys: null): Promise<Record<string, unknown>> } } } }).browser.storage.managed;
      return { values: await area.get(null) };
    } catch (error) {
      return { error: String(error) };
    }
  });
}

/** The options page's view of the PBX WebSocket URL field. */
function optionsState(page: Page) {
  return page.evaluate(() => {
    const label = [...document.querySelectorAll('label')].find((l) => l.textContent?.includes('PBX WebSocket URL'));
    const input = (label?.htmlFor ? document.getElementById(label.htmlFor) : label?.querySelector('input')) as HTMLInputElement | null;
    return { value: input?.value, readOnly: Boolean(input?.readOnly || input?.disabled), managed: document.body.textContent?.includes('Set by your organization') };
  });
}

async function optionsPage(session: FirefoxSession): Promise<Page> {
  const page = await session.browser.newPage();
  await openExtensionPage(page, `${session.base}/options.html`);
  return page;
}

/** An outside Firefox has no Earshot policy: storage.managed finds none, the options page shows nothing managed. */
async function expectNoPolicy(session: FirefoxSession | undefined): Promise<void> {
  if (!session) throw new Error('the outside browser is not running');
  const page = await optionsPage(session);
  const managed = await managedStorage(page);
  expect(managed.values ?? {}).toEqual({});
  if (managed.values === undefined) expect(managed.error).toMatch(/Managed storage manifest not found/);
  // The form renders once the settings, policy included, have been read.
  await until(async () => (await optionsState(page)).value !== undefined, 15_000, 'the options page of the outside browser');
  const state = await optionsState(page);
  expect(state.value).not.toBe(lab.wsUrl);
  expect(state.readOnly).toBe(false);
  expect(state.managed).toBe(false);
  await page.close();
}

beforeAll(async () => {
  lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
  systemBefore = snapshotFolders(SYSTEM_FOLDERS);
  outsideBefore = await launchFirefox();
  sandbox = createPolicySandbox({ browser: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', target: dirname(POLICY_FILE) });
  sandbox.writePolicy(basename(POLICY_FILE), {
    policies: {
      '3rdparty': {
        Extensions: {
          [GECKO_ID]: {
            pbx: { wsUrl: lab.wsUrl, domain: 'lab.earshot.test', username: '2001', password: 'lab-2001' },
            portal: { origin: lab.httpUrl, adapter: 'earshot-lab' },
            lockUserOverrides: true,
          },
        },
      },
    },
  });
});

afterAll(async () => {
  await s?.close();
  await outsideDuring?.close();
  await outsideBefore?.close();
  sandbox?.dispose();
  await lab?.close();
});

describe('Firefox ESR: configured by policies.json', () => {
  it('shows the managed settings locked and registers without user setup', async () => {
    s = await withExecutable('FIREFOX_PATH', sandbox.executablePath, () => launchFirefox());
    const page = await optionsPage(s);
    const seen = await until(async () => {
      const v = await optionsState(page);
      return v.value === lab.wsUrl ? v : undefined;
    }, 15_000, 'the policy value in the options page');
    expect(seen.readOnly).toBe(true);
    expect(seen.managed).toBe(true);
    await until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === '2001'), 20_000, 'registration from policy');
    // The probe used on the outside browsers does see the policy here...
    expect(await managedStorage(page)).toMatchObject({ values: { pbx: { wsUrl: lab.wsUrl }, lockUserOverrides: true } });
  });

  it('configures no other Firefox: one started before, one started while the policy browser runs', async () => {
    expect(s, 'the policy browser is running').toBeDefined();
    outsideDuring = await launchFirefox();
    await expectNoPolicy(outsideBefore);
    await expectNoPolicy(outsideDuring);
    expect(snapshotFolders(SYSTEM_FOLDERS)).toEqual(systemBefore);
  });

  it('loads docs/policies/firefox-policies.json (npm run policies): the settings arrive as they are', async () => {
    await s?.close();
    s = undefined;
    const generated = JSON.parse(readFileSync('docs/policies/firefox-policies.json', 'utf8')) as {
      policies: { ExtensionSettings: unknown; '3rdparty': { Extensions: Record<string, unknown> } };
    };
    // All of it but the install block: this Firefox installs the test build itself (over WebDriver BiDi), and
    // the example's install URL is not reachable from here.
    const { ExtensionSettings: _install, ...rest } = generated.policies;
    sandbox.writePolicy(basename(POLICY_FILE), { policies: rest });
    s = await withExecutable('FIREFOX_PATH', sandbox.executablePath, () => launchFirefox());
    const page = await optionsPage(s);
    const expected = generated.policies['3rdparty'].Extensions[GECKO_ID] as { pbx: { wsUrl: string } };
    await until(async () => isDeepStrictEqual((await managedStorage(page)).values, expected), 15_000, 'the generated policy in storage.managed').catch(async (error: unknown) => {
      expect((await managedStorage(page)).values).toEqual(expected);
      throw error;
    });
    await until(async () => (await optionsState(page)).value === expected.pbx.wsUrl, 15_000, 'the generated policy in the options page');
    expect((await optionsState(page)).readOnly).toBe(true);
  });

  it('leaves the machine as it was: no policy file, no mount left behind', async () => {
    await s?.close();
    s = undefined;
    expect(snapshotFolders(SYSTEM_FOLDERS)).toEqual(systemBefore);
    // The namespace died with the browser: the host has no mount from the sandbox.
    expect(mountsLeftBy(sandbox)).toEqual([]);
  });
});
