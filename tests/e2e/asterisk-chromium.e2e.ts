// Earshot in real Chromium (the e2e build) against the real Asterisk 22 of
// ../shared/pbx/asterisk: registration over ws, the agents' call state from
// Asterisk's dialog-info, Listen → Whisper → Join → Listen with ChanSpy
// (DTMF by RFC 4733 and by SIP INFO) and with one code per mode, every
// party's hearing measured in Asterisk's and baresip's recordings, and
// Whisper's rule on the remote identity that only Asterisk's early NOTIFY
// carries. The steps and verdicts are support/asterisk-cases.ts (shared with
// other browsers); this file is the Chromium drivers.
import type { Page } from 'playwright-core';
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
import { CHROME_E2E_OUT, launchChromium, type ChromiumSession } from './support/browsers';
import { storeSettings } from './support/lab-client';
import { chromiumAgentState, chromiumPanel, chromiumPortal } from './support/static-portal-chromium';

const AGENTS = [
  { ext: '1001', name: 'Alice Agent' },
  { ext: '1002', name: 'Bob Agent' },
];

let pbx: Asterisk;
let ami: Ami;
let site: StaticPortal;
let s: ChromiumSession;
let panel: Page;
let portal: Page;
let ctx: AsteriskCaseContext;
let stored = '';
const runs: MatrixRun[] = [];
const figures: Record<string, unknown> = {};

/** The extension's service worker now (MV3 may have restarted it since launch). */
function worker() {
  return s.context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${s.extensionId}/`)) ?? s.worker;
}

/** Earshot's settings for one profile, stored as the options page would; waits until Earshot re-registered with them. */
async function configure(profile: MatrixCase['profile']): Promise<void> {
  const settings = asteriskSettings(pbx.info, site.origin, profile);
  if (JSON.stringify(settings) === stored) return;
  await applySettings(ctx, () => storeSettings(worker(), settings), AGENTS.map((a) => a.ext));
  stored = JSON.stringify(settings);
}

beforeAll(async () => {
  const startedAt = Date.now();
  pbx = await startAsterisk('chromium');
  figures.asteriskBootMs = Date.now() - startedAt;
  ami = await Ami.connect(pbx.info);
  site = await startStaticPortal(AGENTS);
  s = await launchChromium({ extensionDir: CHROME_E2E_OUT, fakeAudio: `${pbx.info.tone_files}/tone-900.wav` });
  panel = await s.context.newPage();
  await panel.goto(`chrome-extension://${s.extensionId}/sidepanel.html`);
  portal = await s.context.newPage();
  ctx = {
    pbx,
    ami,
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
  if (runs.length > 0) {
    console.log('[asterisk matrix]', `dB per party and tone (present > -35, absent < -45)\n${formatMatrix(runs)}`);
    console.log('[asterisk matrix]', JSON.stringify({ figures, runs: runs.map((r) => ({ case: r.case.id, digits: r.digits, notifies: r.notifies, files: r.supervisorFiles, phases: r.phases })) }));
  }
  ami?.close();
  await s?.close();
  await site?.close();
  await pbx?.stop();
});

describe('Chromium against the real Asterisk 22', () => {
  it('registers over ws: the panel says Ready and Asterisk has the contact of 2001', async () => {
    await portal.goto(site.url);
    await configure(MATRIX_CASES[0]!.profile);
    await registersOverWs(ctx);
  });

  it("shows the icon from Asterisk's dialog-info: none while idle, on 1001 only during its call, gone after", async () => {
    await iconFollowsDialogInfo(ctx, '1001', '1002');
  });

  describe.each(MATRIX_CASES)('Listen → Whisper → Join → Listen on *…1001, $label', (c) => {
    it('each party hears what the mode says, measured in the recordings', async () => {
      await configure(c.profile);
      const run = await runMatrix(ctx, c, '1001');
      runs.push(run);
      console.log('[asterisk matrix]', `${c.label}\n${formatMatrix([run])}`);
      expect(matrixProblems(run)).toEqual([]);
    }, 120_000);
  });

  it('a call that was up before Earshot watched: Whisper is off and says why', async () => {
    const reason = await whisperOffForCallUpBeforeWatching(ctx, '1002');
    figures.whisperOffReason = reason;
  }, 90_000);
});
