// Click-to-audio and mode-switch figures (issue 6) in real Chromium with the
// built extension against the lab, next to a plain sip.js page dialling the
// same code on the same lab in the same browser. "Audio" is the first heard
// level at or above 0.005 RMS, watched every 20 ms by Earshot's engine and by
// the plain page alike; both are timed from the moment the mouse clicks.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startLab, type Lab } from '../lab/index';
import { CHROME_E2E_OUT, launchChromium } from '../tests/e2e/support/browsers';
import { labEvents, labSettings, lastEventSeq, sessionOf, storeSettings, toneWav, until } from '../tests/e2e/support/lab-client';
import { clickIcon, signIn } from '../tests/e2e/support/portal';
import { servePlainPage } from './plain-sipjs/serve';
import { summarize, type Summary } from './stats';

export interface ClickToAudio {
  /** Click → the lab receiving the INVITE. */
  toInvite: number;
  /** Click → first audio heard. */
  toAudio: number;
}

export interface MonitorFigures {
  earshotCold: ClickToAudio[];
  earshotWarm: ClickToAudio[];
  plainCold: ClickToAudio[];
  plainWarm: ClickToAudio[];
  /** Per browser session: median warm Earshot / median warm plain page. */
  warmRatios: number[];
  modeSwitch: Record<'info' | 'rfc4733', Summary>;
  /** Mode clicks the lab never acted on within 5 s. */
  modeSwitchMissed: Record<'info' | 'rfc4733', number>;
  modeSwitchRaw: Record<'info' | 'rfc4733', number[]>;
}

async function inviteAt(lab: Lab, since: number, user: string): Promise<number> {
  const event = await until(async () => (await labEvents(lab, since)).find((e) => e.kind === 'invite' && e.text.startsWith(`${user} `)), 10_000, `INVITE from ${user}`);
  return event.at;
}

async function hangUpEarshot(panel: Page, lab: Lab): Promise<void> {
  await panel.getByRole('button', { name: 'Hang up' }).click();
  await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'hang up');
}

async function earshotClick(lab: Lab, portal: Page, panel: Page): Promise<ClickToAudio> {
  const since = await lastEventSeq(lab);
  const at = await clickIcon(portal, '1001');
  const heardAt = await until(async () => {
    const value = Number(await panel.locator('.earshot-panel').getAttribute('data-heard-at'));
    return value > at ? value : undefined;
  }, 20_000, 'Earshot hearing the call');
  return { toInvite: (await inviteAt(lab, since, '2001')) - at, toAudio: heardAt - at };
}

type PlainApi = { plainSip: { state: { registered: boolean; heardAt?: number; error?: string }; register(c: object): Promise<void>; hangUp(): Promise<void> } };

async function plainClick(lab: Lab, page: Page): Promise<ClickToAudio> {
  const since = await lastEventSeq(lab);
  const box = await page.locator('#dial').boundingBox();
  if (!box) throw new Error('the plain page has no dial button');
  const at = Date.now();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const heardAt = await until(async () => {
    const state = await page.evaluate(() => (globalThis as unknown as PlainApi).plainSip.state);
    if (state.error) throw new Error(`plain sip.js page: ${state.error}`);
    return state.heardAt !== undefined && state.heardAt > at ? state.heardAt : undefined;
  }, 20_000, 'the plain page hearing the call');
  const result = { toInvite: (await inviteAt(lab, since, '2002')) - at, toAudio: heardAt - at };
  await page.evaluate(() => (globalThis as unknown as PlainApi).plainSip.hangUp());
  await until(async () => (await sessionOf(lab, '2002')) === undefined, 15_000, 'plain hang up');
  return result;
}

const median = (values: number[]) => summarize(values).median;

/** One browser session: the first click is cold (fresh browser), the next ones warm, alternating with the plain page. */
async function session(lab: Lab, plainUrl: string, dtmfMethod: 'info' | 'rfc4733', warmRuns: number, switches: number) {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-'));
  const s = await launchChromium({ extensionDir: CHROME_E2E_OUT, fakeAudio: toneWav(dir, 900) });
  try {
    await storeSettings(s.worker, labSettings(lab, dtmfMethod));
    const panel = await s.context.newPage();
    await panel.goto(`chrome-extension://${s.extensionId}/sidepanel.html`);
    await until(() => panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'Ready');
    const portal = await s.context.newPage();
    await signIn(portal, lab.httpUrl, '2001');
    const plain = await s.context.newPage();
    await plain.goto(plainUrl);
    await plain.evaluate(
      (config) => (globalThis as unknown as PlainApi).plainSip.register(config),
      { wsUrl: lab.wsUrl, domain: 'lab.earshot.test', username: '2002', password: 'lab-2002' },
    );
    const earshot: ClickToAudio[] = [];
    const baseline: ClickToAudio[] = [];
    for (let i = 0; i <= warmRuns; i++) {
      await portal.bringToFront();
      earshot.push(await earshotClick(lab, portal, panel));
      await hangUpEarshot(panel, lab);
      await plain.bringToFront();
      baseline.push(await plainClick(lab, plain));
    }
    await portal.bringToFront();
    await earshotClick(lab, portal, panel);
    // The supervisor now works in the side panel.
    await panel.bringToFront();
    const switchMs: number[] = [];
    let missed = 0;
    const modes = ['barge', 'listen'] as const;
    for (let i = 0; i < switches; i++) {
      const mode = modes[i % 2] ?? 'listen';
      const since = await lastEventSeq(lab);
      // The real mouse on the button, timed from the press (not from Playwright's actionability waits).
      const box = await panel.locator(`button[data-mode="${mode}"]`).boundingBox();
      if (!box) throw new Error(`no ${mode} button in the panel`);
      const at = Date.now();
      await panel.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      const event = await until(async () => (await labEvents(lab, since)).find((e) => e.kind === 'mode' && e.data?.to === mode), 5_000, `mode ${mode}`).catch(() => undefined);
      if (!event) {
        // The lab did not hear the switch: counted, and the bench goes on from where the PBX is.
        missed += 1;
        const status = await panel.locator('.earshot-live').textContent();
        console.warn(`bench: the lab did not switch to ${mode} (${dtmfMethod}); the panel says "${status}"`);
        continue;
      }
      switchMs.push(event.at - at);
      await new Promise((r) => setTimeout(r, 300));
    }
    await hangUpEarshot(panel, lab);
    const warm = earshot.slice(1);
    const plainWarm = baseline.slice(1);
    return {
      earshotCold: earshot.slice(0, 1),
      earshotWarm: warm,
      plainCold: baseline.slice(0, 1),
      plainWarm,
      ratio: median(warm.map((r) => r.toAudio)) / median(plainWarm.map((r) => r.toAudio)),
      switchMs,
      missed,
    };
  } finally {
    await s.close();
  }
}

export async function benchMonitor(options: { browsers?: number; warmRuns?: number; switches?: number } = {}): Promise<MonitorFigures> {
  const lab = await startLab({ sipPort: 0, httpPort: 0, quiet: process.env.EARSHOT_BENCH_VERBOSE !== '1' });
  const plainPage = await servePlainPage('1001', 'lab.earshot.test');
  try {
    const figures: MonitorFigures = { earshotCold: [], earshotWarm: [], plainCold: [], plainWarm: [], warmRatios: [], modeSwitch: { info: summarize([]), rfc4733: summarize([]) }, modeSwitchMissed: { info: 0, rfc4733: 0 }, modeSwitchRaw: { info: [], rfc4733: [] } };
    const switches: Record<'info' | 'rfc4733', number[]> = { info: [], rfc4733: [] };
    for (let b = 0; b < (options.browsers ?? 2); b++) {
      for (const method of ['info', 'rfc4733'] as const) {
        const run = await session(lab, plainPage.url, method, options.warmRuns ?? 4, options.switches ?? 8);
        figures.earshotCold.push(...run.earshotCold);
        figures.earshotWarm.push(...run.earshotWarm);
        figures.plainCold.push(...run.plainCold);
        figures.plainWarm.push(...run.plainWarm);
        figures.warmRatios.push(run.ratio);
        switches[method].push(...run.switchMs);
        figures.modeSwitchMissed[method] += run.missed;
      }
    }
    figures.modeSwitch = { info: summarize(switches.info), rfc4733: summarize(switches.rfc4733) };
    figures.modeSwitchRaw = switches;
    return figures;
  } finally {
    await plainPage.close();
    await lab.close();
  }
}

// `tsx bench/monitor.ts`: this part alone, printed.
if (process.argv[1]?.endsWith('bench/monitor.ts')) {
  const figures = await benchMonitor({ browsers: Number(process.env.EARSHOT_BENCH_BROWSERS ?? 1) });
  console.log(JSON.stringify(figures, null, 1));
}
