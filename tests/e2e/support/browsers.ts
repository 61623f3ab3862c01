import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Worker } from 'playwright-core';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { browserSession, targets, TargetSession, type TargetInfo } from '../../../bench/support/cdp-target';

/** Where the builds are: .output, or EARSHOT_OUTPUT (the same variable wxt.config.ts reads). */
const OUTPUT = resolve(process.env.EARSHOT_OUTPUT ?? '.output');
export const CHROME_OUT = resolve(OUTPUT, 'chrome-mv3');
export const FIREFOX_OUT = resolve(OUTPUT, 'firefox-mv2');
/** The Chrome build with the lab origin granted (headless Chromium cannot answer the permission prompt). */
export const CHROME_E2E_OUT = resolve(OUTPUT, 'e2e/chrome-mv3');
export const GECKO_ID = 'earshot@earshot.dev';
/** Fixed moz-extension UUID (pref extensions.webextensions.uuids) so tests can open pages. */
export const FIREFOX_UUID = '6a1d3f5e-0b7c-4c1e-9a7e-0e5a27e5ea70';

/** Flags Chromium needs here: root, offline, no GPU (platform-facts.md). */
export const CHROMIUM_BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export interface ChromiumSession {
  context: BrowserContext;
  worker: Worker;
  extensionId: string;
  close(): Promise<void>;
}

/**
 * Real Chromium with the built extension loaded. `fakeAudio` feeds a WAV file
 * as the microphone and grants media without a prompt (test-only flags).
 */
export async function launchChromium(
  opts: {
    fakeAudio?: string;
    extraArgs?: string[];
    userDataDir?: string;
    extensionDir?: string;
    /** Flags of CHROMIUM_BASE_ARGS (and Playwright's own defaults) to leave out. */
    without?: string[];
    /** An X display (support/display.ts): a real window instead of headless, for the keyboard shortcuts. */
    display?: string;
  } = {},
): Promise<ChromiumSession> {
  const dir = opts.userDataDir ?? mkdtempSync(join(tmpdir(), 'earshot-chromium-'));
  const media = opts.fakeAudio
    ? [
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${opts.fakeAudio}`,
        '--autoplay-policy=no-user-gesture-required',
      ]
    : ['--autoplay-policy=no-user-gesture-required'];
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: opts.display === undefined,
    ...(opts.display !== undefined ? { env: { ...process.env, DISPLAY: opts.display } } : {}),
    ...(opts.without ? { ignoreDefaultArgs: opts.without } : {}),
    args: [
      ...CHROMIUM_BASE_ARGS.filter((flag) => !opts.without?.includes(flag)),
      `--disable-extensions-except=${opts.extensionDir ?? CHROME_OUT}`,
      `--load-extension=${opts.extensionDir ?? CHROME_OUT}`,
      ...media,
      ...(opts.extraArgs ?? []),
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    worker,
    extensionId,
    async close() {
      await context.close();
      if (!opts.userDataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PolicyInstalledChromium {
  context: BrowserContext;
  extensionId: string;
  /** The extension's service worker over CDP (Playwright does not list the workers of a policy install). */
  worker: TargetSession;
  close(): Promise<void>;
}

/**
 * Real Chromium with no extension loaded by flag: its policy installs one
 * (ExtensionSettings force_installed from an update URL). Playwright's
 * --disable-extensions and the background networking a forced install
 * downloads with are left out. Waits until the extension's service worker runs.
 */
export async function launchChromiumPolicyInstalled(opts: { id: string; userDataDir: string; timeoutMs?: number }): Promise<PolicyInstalledChromium> {
  const without = ['--disable-extensions', '--disable-background-networking'];
  const context = await chromium.launchPersistentContext(opts.userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    ignoreDefaultArgs: without,
    args: CHROMIUM_BASE_ARGS.filter((flag) => !without.includes(flag)),
  });
  try {
    const browser = await browserSession(context);
    const url = `chrome-extension://${opts.id}/`;
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    let target: TargetInfo | undefined;
    while (!(target = (await targets(browser)).find((t) => t.type === 'service_worker' && t.url.startsWith(url)))) {
      if (Date.now() > deadline) throw new Error(`the policy did not install ${opts.id} within ${opts.timeoutMs ?? 60_000} ms (see chrome://policy and chrome://extensions-internals)`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const worker = await TargetSession.attach(browser, target);
    // Attached as the worker starts: its extension APIs come a moment later.
    while ((await worker.evaluate<boolean>("typeof chrome === 'object' && typeof chrome.runtime?.id === 'string'").catch(() => false)) !== true) {
      if (Date.now() > deadline) throw new Error(`${opts.id}'s service worker never had its extension APIs`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { context, extensionId: opts.id, worker, close: () => context.close() };
  } catch (error) {
    await context.close();
    throw error;
  }
}

export interface FirefoxSession {
  browser: Browser;
  /** moz-extension://<uuid> origin of the installed extension. */
  base: string;
  close(): Promise<void>;
}

/**
 * Real Firefox ESR over WebDriver BiDi with the built extension installed
 * temporarily. Fake media prefs only when asked: they hide the real
 * microphone path (platform-facts.md).
 */
/** How Firefox starts: fake media, extra prefs, and an X display for a real window (the keyboard shortcuts). */
type FirefoxOptions = { fakeMedia?: boolean; prefs?: Record<string, unknown>; display?: string };

export async function launchFirefox(opts: FirefoxOptions = {}): Promise<FirefoxSession> {
  const session = await startFirefox(GECKO_ID, opts);
  await session.browser.installExtension(FIREFOX_OUT);
  return session;
}

/**
 * Real Firefox ESR with no extension installed over BiDi: its policy
 * installs one (ExtensionSettings force_installed from an install_url). The
 * add-on `id` gets the fixed moz-extension UUID, so `base` opens its pages
 * once Firefox has installed it.
 */
export function launchFirefoxPolicyInstalled(opts: { id: string; prefs?: Record<string, unknown> }): Promise<FirefoxSession> {
  return startFirefox(opts.id, { prefs: opts.prefs ?? {} });
}

async function startFirefox(id: string, opts: FirefoxOptions): Promise<FirefoxSession> {
  const profile = mkdtempSync(join(tmpdir(), 'earshot-firefox-'));
  writeFileSync(join(profile, 'user.js'), '');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
    headless: opts.display === undefined,
    ...(opts.display !== undefined ? { env: { ...process.env, DISPLAY: opts.display } } : {}),
    // puppeteer's default 30 s to see Firefox's WebDriver endpoint was missed once in CI on the loaded 2 cores.
    timeout: 90_000,
    userDataDir: profile,
    args: ['-remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [id]: FIREFOX_UUID }),
      'media.autoplay.default': 0,
      // The lab answers with 127.0.0.1 candidates only; Firefox's mDNS-obfuscated
      // host candidates cannot pair with them (lab/media/README.md).
      'media.peerconnection.ice.obfuscate_host_addresses': false,
      'media.autoplay.blocking_policy': 0,
      'datareporting.policy.dataSubmissionEnabled': false,
      'app.update.enabled': false,
      ...(opts.fakeMedia
        ? { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true }
        : {}),
      ...(opts.prefs ?? {}),
    },
  });
  return {
    browser,
    base: `moz-extension://${FIREFOX_UUID}`,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens an extension page in Firefox. `page.goto('moz-extension://…')` never
 * resolves and `page.url()` keeps saying about:blank, so start the navigation
 * and poll the document's own location.
 */
export async function openExtensionPage(page: Page, url: string, timeoutMs = 15_000): Promise<void> {
  void page.goto(url).catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const href = await page.evaluate(() => location.href).catch(() => '');
    if (href === url && (await page.evaluate(() => document.readyState).catch(() => '')) === 'complete') return;
    if (Date.now() > deadline) throw new Error(`Firefox did not open ${url} (at ${href || 'nothing'})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
