// Earshot in real Firefox ESR (puppeteer-core over WebDriver BiDi) against the
// real FreeSWITCH 1.10.12 of ../shared/pbx/freeswitch: the cases of the
// Chromium suite (support/freeswitch-cases.ts), with the engine in Firefox's
// background page and the microphone for Whisper and Join from the visible
// sidebar page (Firefox's fake device: a 1 kHz tone). FreeSWITCH, Firefox and
// this test run in one network namespace with only loopback.
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERIC_PORTAL } from './support/asterisk';
import { formatMatrix, matrixProblems } from './support/asterisk-cases';
import { startStaticPortal, type StaticPortal } from './support/asterisk-portal';
import { launchFirefox, openExtensionPage, type FirefoxSession } from './support/browsers';
import { freeSwitchSettings, loopbackOnly, runInLoopbackNamespace, startFreeSwitch, type FreeSwitch } from './support/freeswitch';
import { eavesdropOnCallSeenUp, expectG711, noCallToEavesdrop, registersOverWs, type EavesdropRun, type FreeSwitchCaseContext } from './support/freeswitch-cases';
import { until } from './support/lab-client';
import { buttonByText, firefoxAgentState, firefoxPanel, firefoxPortal, storeSettingsFirefox } from './support/static-portal-firefox';

const AGENTS = [
  { ext: '1001', name: 'Alice Agent' },
  { ext: '1002', name: 'Bob Agent' },
];
/** Firefox's fake microphone (media.navigator.streams.fake) is a 1 kHz sine. */
const FIREFOX_FAKE_TONE_HZ = 1000;

if (!loopbackOnly()) {
  describe('Firefox ESR against the real FreeSWITCH 1.10.12', () => {
    it('runs inside a network namespace with only loopback (netns.sh)', async () => {
      await runInLoopbackNamespace(fileURLToPath(import.meta.url), { defaultRoute: true });
    }, 900_000);
  });
} else {
  let pbx: FreeSwitch;
  let site: StaticPortal;
  let s: FirefoxSession;
  let sidebar: Page;
  let portal: Page;
  let ctx: FreeSwitchCaseContext;
  let run: EavesdropRun | undefined;

  beforeAll(async () => {
    pbx = await startFreeSwitch('firefox');
    site = await startStaticPortal(AGENTS);
    // FreeSWITCH offers one ICE candidate, 127.0.0.1: Firefox pairs with it only when it gathers loopback candidates too.
    s = await launchFirefox({
      fakeMedia: true,
      prefs: {
        'extensions.webextOptionalPermissionPrompts': false,
        'media.peerconnection.ice.loopback': true,
      },
    });
    sidebar = await s.browser.newPage();
    await openExtensionPage(sidebar, `${s.base}/options.html`);
    portal = await s.browser.newPage();
    ctx = {
      pbx,
      panel: firefoxPanel(sidebar),
      portal: firefoxPortal(portal),
      agentState: firefoxAgentState(sidebar),
      portalUrl: site.url,
      emptyPortalUrl: site.emptyUrl,
      supervisor: '2001',
      voiceHz: FIREFOX_FAKE_TONE_HZ,
    };
  }, 300_000);

  afterAll(async () => {
    if (run) console.log('[freeswitch matrix, firefox]', `dB per party and tone (present > -35, absent < -45)\n${formatMatrix([run])}`);
    await s?.close();
    await site?.close();
    await pbx?.stop();
  });

  describe('Firefox ESR against the real FreeSWITCH 1.10.12', () => {
    it('is set up as a user would: settings stored, the portal enabled with a real click, 2001 registered over ws', async () => {
      await storeSettingsFirefox(sidebar, freeSwitchSettings(pbx.info, { origin: site.origin, generic: GENERIC_PORTAL }));
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
    });

    it('Listen → Whisper → Join → Listen on *331001, a call first seen up: who hears whom in the recordings, G.711, no eavesdrop channel after', async () => {
      run = await eavesdropOnCallSeenUp(ctx, '1001');
      console.log('[freeswitch matrix, firefox]', `offer ${run.offer} (${run.offeredCodecs.join(', ')}), answer ${run.answer}, leg ${run.legCodec}\n${formatMatrix([run])}`);
      expectG711(run);
      expect(matrixProblems(run)).toEqual([]);
    }, 150_000);

    it('*33 on an agent FreeSWITCH finds no call for: it hangs up at once and the panel says it found no call', async () => {
      console.log('[freeswitch no call, firefox]', JSON.stringify(await noCallToEavesdrop(ctx, '1002')));
    }, 90_000);
  });
}
