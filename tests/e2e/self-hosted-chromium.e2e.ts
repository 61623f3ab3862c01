// Outside a store: the organization's own package (`npm run pack`,
// scripts/pack.ts), force-installed by policy from a web server of the
// organization's (here a local HTTP server on a free port), in real Chromium
// whose policy folder exists only in its private mount namespace
// (support/policy-sandbox.ts).
// - With --portal, the portal origin is a required host permission: Chrome
//   grants it at the forced install, and the icons come without anyone
//   clicking "Enable on this portal".
// - The store-style package (optional host permission) force-installed with
//   ExtensionSettings.runtime_allowed_hosts for the portal: the permission is
//   NOT granted. That policy only lifts runtime_blocked_hosts; it grants
//   nothing. Measured here so the admin guide can say it as a fact.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/index';
import { pack, type PackResult } from '../../scripts/pack';
import { launchChromiumPolicyInstalled, type PolicyInstalledChromium } from './support/browsers';
import { labApi, labSettings, until } from './support/lab-client';
import { servePackages, type PackageServer } from './support/package-server';
import { signIn } from './support/portal';
import { createPolicySandbox, mountsLeftBy, withExecutable, type PolicySandbox } from './support/policy-sandbox';

const POLICY_DIR = '/etc/chromium/policies/managed';
const work = mkdtempSync(join(tmpdir(), 'earshot-self-hosted-'));
let lab: Lab;
let server: PackageServer;
let sandbox: PolicySandbox;
let s: PolicyInstalledChromium | undefined;

function packFor(kind: 'org' | 'store'): PackResult {
  return pack({
    key: join(work, `${kind}.pem`),
    newKey: true,
    updateUrl: `${server.base}/${kind}/updates.xml`,
    out: join(work, kind),
    output: join(work, `build-${kind}`),
    ...(kind === 'org' ? { portal: lab.httpUrl } : {}),
  });
}

function policyFor(result: PackResult, extra: Record<string, unknown> = {}) {
  sandbox.writePolicy('earshot.json', {
    ExtensionSettings: { [result.id]: { installation_mode: 'force_installed', update_url: `${server.base}/${basenameOf(result.updatesXml)}`, ...extra } },
    AudioCaptureAllowedUrls: [`chrome-extension://${result.id}`],
    // Test only: by default DevTools (so CDP, so this test) may not attach to a force-installed extension.
    DeveloperToolsAvailability: 1,
    '3rdparty': {
      extensions: {
        [result.id]: labSettings(lab),
      },
    },
  });
}
const basenameOf = (path: string) => path.slice(work.length + 1);

/** Chromium with no extension loaded by flag: the policy installs Earshot. */
function launchPolicyInstalled(id: string, profile: string): Promise<PolicyInstalledChromium> {
  return withExecutable('CHROMIUM_PATH', sandbox.executablePath, () => launchChromiumPolicyInstalled({ id, userDataDir: profile }));
}

/** Asks the extension's own service worker (chrome.* as the extension sees it). */
const ask = <T>(expression: string): Promise<T> => {
  if (!s) throw new Error('no browser');
  return s.worker.evaluate<T>(expression);
};

beforeAll(async () => {
  lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
  server = await servePackages(work);
  sandbox = createPolicySandbox({ browser: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', target: POLICY_DIR });
}, 240_000);

afterEach(async () => {
  await s?.close();
  s = undefined;
});

afterAll(async () => {
  sandbox?.dispose();
  await server?.close();
  await lab?.close();
  // Chromium's last writes into its profile can trail its exit by a moment.
  rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

describe('Chromium: the organization package, force-installed from its own server', () => {
  it('installs from the update manifest with the id of the organization key, portal granted, icons without a click', async () => {
    const org = packFor('org');
    expect(org.id).toMatch(/^[a-p]{32}$/);
    policyFor(org);
    s = await launchPolicyInstalled(org.id, join(work, 'profile-org'));
    // Chrome fetched the manifest and the package from the organization's server.
    expect(server.served).toEqual(expect.arrayContaining(['/org/updates.xml', `/org/earshot-${org.version}.crx`]));
    expect(s.extensionId).toBe(org.id);
    expect(await ask('chrome.management.getSelf()')).toMatchObject({ installType: 'admin', mayDisable: false });
    expect(await ask(`chrome.permissions.contains({ origins: [${JSON.stringify(`${lab.httpUrl}/*`)}] })`)).toBe(true);
    // Configured by the same policy: it registers, and the portal gets its icons with nobody enabling anything.
    await until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === '2001'), 30_000, 'registration from policy');
    const portal = await s.context.newPage();
    await signIn(portal, lab.httpUrl, '2001');
    await portal.locator('earshot-monitor-icon').first().waitFor({ state: 'attached', timeout: 20_000 });
    const scripts = await ask<{ matches?: string[] }[]>('chrome.scripting.getRegisteredContentScripts()');
    const portalUrl = new URL(lab.httpUrl);
    expect(scripts.flatMap((c) => c.matches ?? [])).toContain(`${portalUrl.protocol}//${portalUrl.hostname}/*`);
  });

  it('the store-style package with runtime_allowed_hosts for the portal: the permission is not granted (a click stays needed)', async () => {
    const store = packFor('store');
    policyFor(store, { runtime_allowed_hosts: [`${new URL(lab.httpUrl).protocol}//${new URL(lab.httpUrl).hostname}`] });
    s = await launchPolicyInstalled(store.id, join(work, 'profile-store'));
    expect(s.extensionId).toBe(store.id);
    expect(await ask(`chrome.permissions.contains({ origins: [${JSON.stringify(`${lab.httpUrl}/*`)}] })`)).toBe(false);
    // The policy's settings were read (it registers with them), and still no portal script is registered:
    // nothing is injected into the portal until someone grants the origin.
    await until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === '2001'), 30_000, 'registration from policy');
    expect(await ask('chrome.scripting.getRegisteredContentScripts()')).toEqual([]);
  });

  it('leaves no mount behind', async () => {
    expect(mountsLeftBy(sandbox)).toEqual([]);
  });
});
