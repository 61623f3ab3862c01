// `npm run demo`: the lab (PBX simulator + demo portal), Earshot built and
// loaded in Chromium (or Firefox with `-- --browser firefox`), configured for
// the lab and signed in to the portal as a supervisor. `-- --portal
// netsapiens|fusionpbx|fusionpbx-active-calls` opens the lab's page in that
// portal's style instead, with Earshot set to the matching adapter (and, for
// FusionPBX, the lab speaking FreeSWITCH's eavesdrop). Without a display it
// runs a scripted headless tour and prints what each party heard in each mode.
// Ctrl-C stops everything it started.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { toneOf } from '../lab/directory';
import { startLab, type Lab } from '../lab/index';
import { CHROME_E2E_OUT, CHROMIUM_BASE_ARGS, launchFirefox, openExtensionPage } from '../tests/e2e/support/browsers';
import { hearing, labApi, labSettings, sessionOf, storeSettings, toneWav, until } from '../tests/e2e/support/lab-client';
import { clickIcon, playwrightPageDriver, signIn } from '../tests/e2e/support/portal';
import { clickIconAt, PORTAL_STYLES, styleSettings, type PortalStyle } from '../tests/e2e/support/portal-styles';
import { PORTAL_STYLE_PATHS } from '../lab/portal/routes';

const { values } = parseArgs({
  options: { browser: { type: 'string', default: 'chromium' }, headless: { type: 'boolean', default: false }, portal: { type: 'string', default: 'lab' } },
});
/** `--portal`: the lab's own portal, or a real portal's style the lab serves (lab/portal/<style>). */
const PORTALS: Record<string, PortalStyle | undefined> = {
  lab: undefined,
  netsapiens: PORTAL_STYLES.find((p) => p.id === 'netsapiens'),
  fusionpbx: PORTAL_STYLES.find((p) => p.id === 'fusionpbx-call-center'),
  'fusionpbx-active-calls': PORTAL_STYLES.find((p) => p.id === 'fusionpbx-active-calls'),
};

const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) && !values.headless;


function build(browser: string): void {
  console.log('demo: building Earshot…');
  if (browser === 'firefox') execFileSync('npx', ['wxt', 'build', '-b', 'firefox'], { stdio: 'ignore' });
  // The demo build declares the lab's origin as granted (see TEST_HOSTS in wxt.config.ts).
  else execFileSync('npx', ['wxt', 'build'], { stdio: 'ignore', env: { ...process.env, EARSHOT_TEST_HOSTS: 'http://127.0.0.1/*' } });
}

function describeHearing(label: string, sources: Record<string, number>, names: Record<string, string>): string {
  const parts = Object.entries(sources)
    .filter(([, energy]) => energy > 0.01)
    .map(([id]) => names[id] ?? id);
  return `  ${label.padEnd(22)} hears ${parts.length ? parts.join(' + ') : 'nothing'}`;
}

async function tour(lab: Lab, style: PortalStyle | undefined): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-demo-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_BASE_ARGS, `--disable-extensions-except=${CHROME_E2E_OUT}`, `--load-extension=${CHROME_E2E_OUT}`, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${toneWav(dir, 900)}`, '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const id = new URL(worker.url()).host;
    await storeSettings(worker, style ? styleSettings(lab, style) : labSettings(lab));
    const panel = await context.newPage();
    await panel.goto(`chrome-extension://${id}/sidepanel.html`);
    await until(() => panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'registration');
    console.log('demo: Earshot registered with the lab as 2001 (Sam Supervisor).');
    const portal = await context.newPage();
    let agent = '1008';
    let customer = '5550108';
    if (style) {
      // A call that was up before Earshot watched: the portal's page names the customer, so Whisper is on.
      ({ agent, customer } = style);
      await style.signIn(playwrightPageDriver(portal), lab, '2001');
      console.log(`demo: signed in to the ${style.id} page; ${agent} is on a call with Customer ${customer} since the lab started.`);
      await clickIconAt(playwrightPageDriver(portal), (await style.rowCell(lab, agent))!, agent);
    } else {
      await signIn(portal, lab.httpUrl, '2001');
      await portal.fill('input[name="filter"]', '1008');
      await until(async () => (await labApi<{ text: string }[]>(lab, 'GET', '/api/events')).some((e) => e.text === '2001 watches 1008'), 15_000, 'watch');
      await labApi(lab, 'POST', '/api/calls', { agent: '1008', customer: '5550108', answerAfterMs: 500 });
      console.log('demo: Hank Agent (1008) takes a call from Customer 5550108; the speaker icon appears on his row.');
      await clickIcon(portal, '1008');
    }
    const session = await until(() => sessionOf(lab, '2001'), 15_000, 'session');
    const names = {
      [`agent:${agent}`]: `${lab.pbx.users.get(agent)?.name ?? agent} (agent, ${toneOf(`agent:${agent}`)} Hz)`,
      [`customer:${customer}`]: `Customer ${customer} (${toneOf(`customer:${customer}`)} Hz)`,
      [session.legId]: 'the supervisor (900 Hz)',
    };
    for (const [mode, button] of [['Listen Only', null], ['Whisper', /^Whisper/], ['Join (Barge-In)', /^Join/], ['Listen Only again', /^Listen Only/]] as const) {
      if (button) await panel.getByRole('button', { name: button }).click();
      const want = mode.startsWith('Listen') ? 'listen' : mode === 'Whisper' ? 'whisper' : 'barge';
      await until(async () => (await sessionOf(lab, '2001'))?.mode === want, 15_000, want);
      await new Promise((r) => setTimeout(r, 1200));
      console.log(`\n${mode}:`);
      console.log(describeHearing('Supervisor (2001)', await hearing(lab, '2001', 800), names));
      console.log(describeHearing(`Agent (${agent})`, await hearing(lab, `agent:${agent}`, 800), names));
      console.log(describeHearing(`Customer (${customer})`, await hearing(lab, `customer:${customer}`, 800), names));
    }
    await panel.getByRole('button', { name: 'Hang up' }).click();
    console.log('\ndemo: hung up. Tour done.');
  } finally {
    await context.close();
  }
}

async function interactive(lab: Lab, browser: string, style: PortalStyle | undefined): Promise<() => Promise<void>> {
  const settings = style ? styleSettings(lab, style) : labSettings(lab);
  const page = lab.httpUrl + (style ? PORTAL_STYLE_PATHS[style.id] : '/');
  if (browser === 'firefox') {
    const s = await launchFirefox({ prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
    const options = await s.browser.newPage();
    await openExtensionPage(options, `${s.base}/options.html`);
    await options.evaluate((v) => (globalThis as unknown as { browser: { storage: { local: { set(x: object): Promise<void> } } } }).browser.storage.local.set({ 'earshot:settings': v }), settings);
    console.log(`demo: Firefox is up. In Earshot's options, click "Enable on this portal", then open ${page} and sign in as 2001 / lab-2001.`);
    return () => s.close();
  }
  const dir = mkdtempSync(join(tmpdir(), 'earshot-demo-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: false,
    viewport: null,
    args: [...CHROMIUM_BASE_ARGS, `--disable-extensions-except=${CHROME_E2E_OUT}`, `--load-extension=${CHROME_E2E_OUT}`],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  await storeSettings(worker, settings);
  const portal = context.pages()[0] ?? (await context.newPage());
  if (style) await style.signIn(playwrightPageDriver(portal), lab, '2001');
  else await signIn(portal, lab.httpUrl, '2001');
  console.log(`demo: Chromium is up, signed in to ${page} as Sam Supervisor. Hover an agent on a call and click the speaker icon.`);
  return () => context.close();
}

async function main(): Promise<void> {
  const browser = values.browser === 'firefox' ? 'firefox' : 'chromium';
  if (!(values.portal in PORTALS)) throw new Error(`--portal must be one of ${Object.keys(PORTALS).join(', ')} (not "${values.portal}").`);
  const style = PORTALS[values.portal];
  build(browser);
  const lab = await startLab({ ...style?.lab, quiet: true }).catch(() => startLab({ ...style?.lab, sipPort: 0, httpPort: 0, quiet: true }));
  console.log(`demo: the lab is up. Portal ${lab.httpUrl}${style ? PORTAL_STYLE_PATHS[style.id] : '/'} · SIP ${lab.wsUrl} · users 2001 (supervisor), 3001 (office manager), 4001 (basic); password lab-<extension>.`);
  let stop: () => Promise<void> = async () => undefined;
  const shutdown = async (code: number) => {
    await stop().catch(() => undefined);
    await lab.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  if (!hasDisplay) {
    console.log('demo: no display here, so this is the scripted headless tour (Chromium). Run it on a desktop for the interactive demo.');
    await tour(lab, style);
    await shutdown(0);
    return;
  }
  stop = await interactive(lab, browser, style);
  console.log('demo: Ctrl-C stops the browser and the lab.');
}

main().catch((error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
