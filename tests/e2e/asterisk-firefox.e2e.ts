// Earshot in real Firefox ESR (puppeteer-core over WebDriver BiDi) against the
// real Asterisk 22 of ../shared/pbx/asterisk: the same cases as the Chromium
// suite (support/asterisk-cases.ts), with the engine in Firefox's background
// page. Listen sends a silent track that produces frames there (so RFC 4733
// digits leave from Listen); the microphone for Whisper and Join is taken
// from the visible sidebar page, never the background page.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ami, asteriskSettings, startAsterisk, type Asterisk } from './support/asterisk';
import {
  applySettings,
  formatMatrix,
  iconFollowsDialogInfo,
  MATRIX_CASES,
  matrixProblems,
  registersOverWs,
  runMatrix,
  whisperOffForCallUpBeforeWatching,
  type AsteriskCaseContext,
  type MatrixCase,
  type MatrixRun,
} from './support/asterisk-cases';
import { startStaticPortal, type StaticPortal } from './support/asterisk-portal';
import { launchFirefox, openExtensionPage, type FirefoxSession } from './support/browsers';
import { until } from './support/lab-client';
import { buttonByText, firefoxAgentState, firefoxPanel, firefoxPortal, storeSettingsFirefox } from './support/static-portal-firefox';

const AGENTS = [
  { ext: '1001', name: 'Alice Agent' },
  { ext: '1002', name: 'Bob Agent' },
];
/** SIP INFO first: the first case runs on the settings stored at the start. */
const CASES = [...MATRIX_CASES].sort((a, b) => Number(b.profile.dtmfMethod === 'info') - Number(a.profile.dtmfMethod === 'info'));
const FIRST = CASES[0]!;
/** Firefox's fake microphone (media.navigator.streams.fake) is a 1 kHz sine. */
const FIREFOX_FAKE_TONE_HZ = 1000;

let pbx: Asterisk;
let ami: Ami;
let site: StaticPortal;
let s: FirefoxSession;
let sidebar: Page;
let portal: Page;
let ctx: AsteriskCaseContext;
let stored = '';
const runs: MatrixRun[] = [];

async function storeSettings(settings: object): Promise<void> {
  await storeSettingsFirefox(sidebar, settings);
}

async function configure(profile: MatrixCase['profile']): Promise<void> {
  const settings = asteriskSettings(pbx.info, site.origin, profile);
  if (JSON.stringify(settings) === stored) return;
  await applySettings(ctx, () => storeSettings(settings), AGENTS.map((a) => a.ext));
  stored = JSON.stringify(settings);
}

beforeAll(async () => {
  pbx = await startAsterisk('firefox');
  ami = await Ami.connect(pbx.info);
  site = await startStaticPortal(AGENTS);
  // Optional permission requests are granted without the doorhanger (the click itself is real);
  // the fake microphone answers getUserMedia, which runs in the visible sidebar page.
  // This Asterisk offers one ICE candidate, 127.0.0.1 (its README): Firefox pairs with it only when it
  // gathers loopback candidates too (a test PBX on loopback; a real PBX offers a routable address).
  s = await launchFirefox({ fakeMedia: true, prefs: { 'extensions.webextOptionalPermissionPrompts': false, 'media.peerconnection.ice.loopback': true } });
  sidebar = await s.browser.newPage();
  await openExtensionPage(sidebar, `${s.base}/options.html`);
  ctx = {
    pbx,
    ami,
    panel: firefoxPanel(sidebar),
    portal: firefoxPortal((portal = await s.browser.newPage())),
    agentState: firefoxAgentState(sidebar),
    portalUrl: site.url,
    emptyPortalUrl: site.emptyUrl,
    supervisor: '2001',
    voiceHz: FIREFOX_FAKE_TONE_HZ,
  };
}, 300_000);

afterAll(async () => {
  if (runs.length > 0) console.log('[asterisk matrix, firefox]', `dB per party and tone (present > -35, absent < -45)\n${formatMatrix(runs)}`);
  ami?.close();
  await s?.close();
  await site?.close();
  await pbx?.stop();
});

describe('Firefox ESR against the real Asterisk 22', () => {
  it('is set up as a user would: settings stored, the portal enabled with a real click, registered over ws', async () => {
    await storeSettings(asteriskSettings(pbx.info, site.origin, FIRST.profile));
    await sidebar.reload().catch(() => undefined);
    await openExtensionPage(sidebar, `${s.base}/options.html`);
    await (await buttonByText(sidebar, 'Enable on this portal')).click();
    await until(
      () => sidebar.evaluate(() => (globalThis as unknown as { browser: { permissions: { contains(p: object): Promise<boolean> } } }).browser.permissions.contains({ origins: ['http://127.0.0.1/*'] })),
      10_000,
      'the portal host permission',
    );
    await openExtensionPage(sidebar, `${s.base}/sidepanel.html`);
    await portal.goto(site.url);
    await registersOverWs(ctx);
    stored = JSON.stringify(asteriskSettings(pbx.info, site.origin, FIRST.profile));
  });

  it("shows the icon from Asterisk's dialog-info: none while idle, on 1001 only during its call, gone after", async () => {
    await iconFollowsDialogInfo(ctx, '1001', '1002');
  });

  describe.each(CASES)('Listen → Whisper → Join → Listen on *…1001, $label', (c) => {
    // One retry: in Firefox, the first customer call after a change of settings sometimes leaves
    // Whisper off although Asterisk's early NOTIFY named the customer (cause not found yet; see the
    // closing note of issue 11). The failure message says so; a retry places a new call.
    it('each party hears what the mode says, measured in the recordings', { retry: 1, timeout: 120_000 }, async () => {
      await configure(c.profile);
      const run = await runMatrix(ctx, c, '1001');
      runs.push(run);
      console.log('[asterisk matrix, firefox]', `${c.label}\n${formatMatrix([run])}`);
      expect(matrixProblems(run)).toEqual([]);
    });
  });

  it('a call that was up before Earshot watched: Whisper is off and says why', async () => {
    await whisperOffForCallUpBeforeWatching(ctx, '1002');
  }, 90_000);
});
