// Earshot in real Chromium (the e2e build) against the real FreeSWITCH 1.10.12
// of ../shared/pbx/freeswitch with the `*33<ext>` eavesdrop profile:
// registration over ws, a call Earshot first saw already up (FreeSWITCH's
// confirmed NOTIFY names the customer, so Whisper is on), Listen → Whisper →
// Join → Listen with digits 2 / 3 / 0 over RFC 4733 and every party's hearing
// measured in FreeSWITCH's and baresip's recordings, the monitor call in G.711
// (offered by Earshot, negotiated at FreeSWITCH), no eavesdrop channel left
// after the hang-up, and `*33` finding no call hanging up at once with the
// panel saying so. FreeSWITCH, Chromium and this test run in one network
// namespace with only loopback (support/freeswitch.ts runInLoopbackNamespace).
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERIC_PORTAL } from './support/asterisk';
import { formatMatrix, matrixProblems } from './support/asterisk-cases';
import { startStaticPortal, type StaticPortal } from './support/asterisk-portal';
import { CHROME_E2E_OUT, launchChromium, type ChromiumSession } from './support/browsers';
import { freeSwitchSettings, loopbackOnly, runInLoopbackNamespace, startFreeSwitch, type FreeSwitch } from './support/freeswitch';
import { eavesdropOnCallSeenUp, expectG711, noCallToEavesdrop, registersOverWs, type EavesdropRun, type FreeSwitchCaseContext } from './support/freeswitch-cases';
import { storeSettings } from './support/lab-client';
import { chromiumAgentState, chromiumPanel, chromiumPortal } from './support/static-portal-chromium';

const AGENTS = [
  { ext: '1001', name: 'Alice Agent' },
  { ext: '1002', name: 'Bob Agent' },
];

if (!loopbackOnly()) {
  describe('Chromium against the real FreeSWITCH 1.10.12', () => {
    it('runs inside a network namespace with only loopback (netns.sh)', async () => {
      await runInLoopbackNamespace(fileURLToPath(import.meta.url));
    }, 900_000);
  });
} else {
  let pbx: FreeSwitch;
  let site: StaticPortal;
  let s: ChromiumSession;
  let panel: Page;
  let ctx: FreeSwitchCaseContext;
  const figures: Record<string, unknown> = {};
  let run: EavesdropRun | undefined;

  beforeAll(async () => {
    const startedAt = Date.now();
    pbx = await startFreeSwitch('chromium');
    figures.freeswitchBootMs = Date.now() - startedAt;
    site = await startStaticPortal(AGENTS);
    s = await launchChromium({
      extensionDir: CHROME_E2E_OUT,
      fakeAudio: `${pbx.info.tone_files}/tone-900.wav`,
      // FreeSWITCH offers and accepts 127.0.0.1 candidates only, and loopback is all there is here.
      extraArgs: ['--allow-loopback-in-peer-connection'],
    });
    panel = await s.context.newPage();
    await panel.goto(`chrome-extension://${s.extensionId}/sidepanel.html`);
    const portal = await s.context.newPage();
    ctx = {
      pbx,
      panel: chromiumPanel(panel),
      portal: chromiumPortal(portal),
      agentState: chromiumAgentState(panel),
      portalUrl: site.url,
      emptyPortalUrl: site.emptyUrl,
      supervisor: '2001',
      voiceHz: 900,
    };
  }, 300_000);

  afterAll(async () => {
    if (run) {
      console.log('[freeswitch matrix]', `dB per party and tone (present > -35, absent < -45)\n${formatMatrix([run])}`);
      console.log('[freeswitch matrix]', JSON.stringify({ figures, offer: run.offer, offeredCodecs: run.offeredCodecs, legCodec: run.legCodec, digits: run.digits, notifies: run.notifies, files: run.supervisorFiles }));
    }
    await s?.close();
    await site?.close();
    await pbx?.stop();
  });

  describe('Chromium against the real FreeSWITCH 1.10.12', () => {
    it('registers 2001 over ws: the panel says Ready and FreeSWITCH holds the ws registration', async () => {
      await ctx.portal.open(site.url);
      await storeSettings(s.context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${s.extensionId}/`)) ?? s.worker, freeSwitchSettings(pbx.info, { origin: site.origin, generic: GENERIC_PORTAL }));
      figures.registration = await registersOverWs(ctx);
    });

    it('Listen → Whisper → Join → Listen on *331001, a call first seen up: who hears whom in the recordings, G.711, no eavesdrop channel after', async () => {
      run = await eavesdropOnCallSeenUp(ctx, '1001');
      console.log('[freeswitch matrix]', `offer ${run.offer} (${run.offeredCodecs.join(', ')}), answer ${run.answer}, leg ${run.legCodec}\n${formatMatrix([run])}`);
      expectG711(run);
      expect(matrixProblems(run)).toEqual([]);
    }, 150_000);

    it('*33 on an agent FreeSWITCH finds no call for: it hangs up at once and the panel says it found no call', async () => {
      const result = await noCallToEavesdrop(ctx, '1002');
      figures.noCall = result;
      console.log('[freeswitch no call]', JSON.stringify(result));
    }, 90_000);
  });
}
