// Outside a store, Firefox: the organization's own package (`npm run pack --
// --browser firefox`, scripts/pack-firefox.ts) force-installed by
// policies.json (ExtensionSettings, install_url on a local HTTP server on a
// free port) in real Firefox ESR, whose /etc/firefox/policies exists only in
// its private mount namespace (support/policy-sandbox.ts).
//
// The packages are unsigned: Firefox ESR installs them only with
// xpinstall.signatures.required=false, set here in the test profile alone
// (release Firefox ignores that pref: there the admin signs the package as
// unlisted on AMO, docs/admin-guide.md section 8). Measured below: without
// the pref, ESR refuses the same package; ESR also takes the pref from the
// policy's Preferences (Firefox allows that policy the pref only in builds
// that do not require signing).
// - With --portal, the portal origin is a required host permission: Firefox
//   grants it at the policy install and the portal gets its icons without
//   anyone clicking "Enable on this portal".
// Each case starts its own Firefox: up to three minutes each on a loaded machine.
// - The store-style package (optional host permission) force-installed with
//   ExtensionSettings.runtime_allowed_hosts naming the portal: not granted.
//   In Firefox, as in Chrome, that policy only carves exceptions out of
//   runtime_blocked_hosts; no ExtensionSettings field grants a host.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/index';
import { packFirefox, type FirefoxPackResult } from '../../scripts/pack-firefox';
import { launchFirefoxPolicyInstalled, openExtensionPage, type FirefoxSession } from './support/browsers';
import { signInFirefox } from './support/firefox-portal';
import { labApi, labSettings, until } from './support/lab-client';
import { servePackages, type PackageServer } from './support/package-server';
import { createPolicySandbox, mountsLeftBy, withExecutable, type PolicySandbox } from './support/policy-sandbox';

const POLICY_FILE = 'policies.json';
const POLICY_DIR = process.env.FIREFOX_POLICY_DIR ?? '/etc/firefox/policies';
const work = mkdtempSync(join(tmpdir(), 'earshot-self-hosted-firefox-'));
const UNSIGNED_OK = { 'xpinstall.signatures.required': false };
let lab: Lab;
let server: PackageServer;
let sandbox: PolicySandbox;
let s: FirefoxSession | undefined;
const packages: Partial<Record<'org' | 'store', FirefoxPackResult>> = {};

/** The organization package (portal required) or the store-style one (optional permissions only), packed once. */
async function packFor(kind: 'org' | 'store'): Promise<FirefoxPackResult> {
  packages[kind] ??= await packFirefox({
    installUrl: `${server.base}/${kind}/`,
    out: join(work, kind),
    output: join(work, `build-${kind}`),
    ...(kind === 'org' ? { portal: lab.httpUrl } : { geckoId: 'earshot-store-style@example.com' }),
  });
  return packages[kind];
}

/** The audit trail set by the same policy (nothing is sent: no session is monitored here). */
const AUDIT_TOKEN = 'firefox-policy-audit-token';
const audit = () => ({ endpoint: `${server.base}/audit/events`, token: AUDIT_TOKEN });

function policyFor(result: FirefoxPackResult, extra: Record<string, unknown> = {}): void {
  sandbox.writePolicy(POLICY_FILE, {
    policies: {
      ExtensionSettings: { [result.id]: { installation_mode: 'force_installed', install_url: result.installUrl, ...extra } },
      '3rdparty': { Extensions: { [result.id]: { ...labSettings(lab), audit: audit() } } },
    },
  });
}

function launchPolicyInstalled(id: string, prefs: Record<string, unknown>): Promise<FirefoxSession> {
  return withExecutable('FIREFOX_PATH', sandbox.executablePath, () => launchFirefoxPolicyInstalled({ id, prefs }));
}

/** The options page, once Firefox has installed the add-on (the policy installs it after start, from the URL). */
async function optionsWhenInstalled(session: FirefoxSession, timeoutMs = 45_000): Promise<Page> {
  const page = await session.browser.newPage();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await openExtensionPage(page, `${session.base}/options.html`, 5_000);
      return page;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the policy did not install the add-on within ${timeoutMs} ms (${String(error)}); see about:policies`);
    }
  }
}

/** Asks the add-on's own page (browser.* as the add-on sees it). */
function ask<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

const portalPattern = () => `${new URL(lab.httpUrl).protocol}//${new URL(lab.httpUrl).hostname}/*`;
const registered = () => until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === '2001'), 30_000, 'registration from policy');

beforeAll(async () => {
  lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
  server = await servePackages(work);
  sandbox = createPolicySandbox({ browser: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', target: POLICY_DIR });
}, 240_000);

afterEach(async () => {
  await s?.close();
  s = undefined;
});

afterAll(async () => {
  sandbox?.dispose();
  await server?.close();
  await lab?.close();
  rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

describe('Firefox ESR: the organization package, force-installed from its own server', () => {
  it('installs from install_url with the organization gecko id, portal granted, icons without a click', async () => {
    const org = await packFor('org');
    expect(org.id).toBe(`earshot@${new URL(lab.httpUrl).hostname}`);
    policyFor(org);
    s = await launchPolicyInstalled(org.id, UNSIGNED_OK);
    const options = await optionsWhenInstalled(s);
    expect(server.served).toContain(`/org/earshot-${org.version}.xpi`);
    expect(await ask(options, 'browser.runtime.id')).toBe(org.id);
    expect(await ask(options, 'browser.management.getSelf().then((self) => self.installType)')).toBe('admin');
    expect(await ask(options, `browser.permissions.contains({ origins: [${JSON.stringify(portalPattern())}] })`)).toBe(true);
    // Nothing was asked for: the grant is the manifest's, not a request's.
    expect(await ask<{ origins: string[] }>(options, 'browser.permissions.getAll()')).toMatchObject({ origins: expect.arrayContaining([portalPattern()]) });
    // The settings from the same policy: it registers, and the portal gets its icons with nobody enabling anything.
    await registered();
    const scripts = await until(async () => {
      const list = await ask<{ matches?: string[] }[]>(options, 'browser.scripting.getRegisteredContentScripts()');
      return list.length > 0 ? list : undefined;
    }, 15_000, 'the portal script registered');
    expect(scripts.flatMap((c) => c.matches ?? [])).toContain(portalPattern());
    const portal = await s.browser.newPage();
    await signInFirefox(portal, lab.httpUrl, '2001');
    await portal.waitForSelector('earshot-monitor-icon', { timeout: 20_000 });
    // The options page: the audit trail fields from policy, read-only, the token not in the page, and the
    // queue's status from the background page over the state port.
    await options.reload().catch(() => undefined);
    await openExtensionPage(options, `${s.base}/options.html`);
    const auditView = () =>
      options.evaluate(() => {
        const field = (id: string) => document.getElementById(id) as HTMLInputElement | null;
        return {
          endpoint: field('field-audit-endpoint')?.value,
          endpointReadOnly: field('field-audit-endpoint')?.readOnly,
          token: field('field-audit-token')?.value,
          tokenReadOnly: field('field-audit-token')?.readOnly,
          status: document.querySelector('.audit-queue')?.textContent,
          html: document.documentElement.outerHTML,
        };
      });
    const view = await until(async () => {
      const v = await auditView();
      return v.status === 'Audit trail: all events delivered.' ? v : undefined;
    }, 20_000, 'the audit queue status in the options page').catch(async (error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify({ ...(await auditView()), html: undefined })}`);
    });
    expect(view).toMatchObject({ endpoint: audit().endpoint, endpointReadOnly: true, token: '', tokenReadOnly: true });
    expect(view.html).not.toContain(AUDIT_TOKEN);
  }, 180_000);

  it('the store-style package with runtime_allowed_hosts for the portal: the permission is not granted (a click stays needed)', async () => {
    const store = await packFor('store');
    policyFor(store, { runtime_allowed_hosts: [`${new URL(lab.httpUrl).protocol}//${new URL(lab.httpUrl).hostname}`] });
    s = await launchPolicyInstalled(store.id, UNSIGNED_OK);
    const options = await optionsWhenInstalled(s);
    expect(await ask(options, 'browser.runtime.id')).toBe(store.id);
    expect(await ask(options, `browser.permissions.contains({ origins: [${JSON.stringify(portalPattern())}] })`)).toBe(false);
    // The policy's settings were read (it registers with them), and still no portal script: nothing runs
    // on the portal until someone grants the origin.
    await registered();
    expect(await ask(options, 'browser.scripting.getRegisteredContentScripts()')).toEqual([]);
    // The options page offers the one-click grant that stays needed.
    await until(async () => (await options.evaluate(() => [...document.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'Enable on this portal'))) || undefined, 15_000, 'the Enable button');
  }, 180_000);

  it('without xpinstall.signatures.required=false, Firefox ESR refuses the unsigned package', async () => {
    const org = await packFor('org');
    policyFor(org);
    const before = server.served.length;
    s = await launchPolicyInstalled(org.id, {});
    // Downloaded, then refused: wait until Firefox fetched it, and give the install the time the first test's took.
    await until(async () => server.served.slice(before).includes(`/org/earshot-${org.version}.xpi`) || undefined, 30_000, 'the download of the package');
    await expect(optionsWhenInstalled(s, 15_000)).rejects.toThrow(/did not install/);
  }, 180_000);

  it('Firefox ESR: the same policies.json may allow it instead (Preferences policy, xpinstall.signatures.required locked false)', async () => {
    const org = await packFor('org');
    sandbox.writePolicy(POLICY_FILE, {
      policies: {
        Preferences: { 'xpinstall.signatures.required': { Value: false, Status: 'locked' } },
        ExtensionSettings: { [org.id]: { installation_mode: 'force_installed', install_url: org.installUrl } },
      },
    });
    s = await launchPolicyInstalled(org.id, {});
    const options = await optionsWhenInstalled(s);
    expect(await ask(options, `browser.permissions.contains({ origins: [${JSON.stringify(portalPattern())}] })`)).toBe(true);
  }, 180_000);

  it('leaves no mount behind', () => {
    expect(mountsLeftBy(sandbox)).toEqual([]);
  });
});
