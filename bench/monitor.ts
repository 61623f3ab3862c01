// Click-to-audio and mode-switch figures (issue 6) in real Chromium with the
// built extension against the lab. "Audio" is the engine's heard level (the
// panel's meter, refreshed every 250 ms: figures carry that granularity).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startLab, type Lab } from '../lab/index';
import { CHROME_E2E_OUT, launchChromium } from '../tests/e2e/support/browsers';
import { labApi, labSettings, sessionOf, storeSettings, toneWav, until } from '../tests/e2e/support/lab-client';
import { clickIcon, signIn } from '../tests/e2e/support/portal';
import { summarize, type Summary } from './stats';

export interface MonitorFigures {
  coldClickToAudio: number[];
  warmClickToAudio: Summary;
  modeSwitch: Record<'info' | 'rfc4733', Summary>;
}

async function heardLevel(panel: Page): Promise<number> {
  return Number(await panel.locator('.earshot-meters [aria-valuenow]').first().getAttribute('aria-valuenow', { timeout: 500 }).catch(() => '0'));
}

async function hangUp(panel: Page, lab: Lab): Promise<void> {
  await panel.getByRole('button', { name: 'Hang up' }).click();
  await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'hang up');
}

/** One browser session: the first click is cold (fresh browser), the next ones warm. */
async function session(lab: Lab, dtmfMethod: 'info' | 'rfc4733', warmRuns: number, switches: number) {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-'));
  const s = await launchChromium({ extensionDir: CHROME_E2E_OUT, fakeAudio: toneWav(dir, 900) });
  try {
    await storeSettings(s.worker, labSettings(lab, dtmfMethod));
    const panel = await s.context.newPage();
    await panel.goto(`chrome-extension://${s.extensionId}/sidepanel.html`);
    await until(() => panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'Ready');
    const portal = await s.context.newPage();
    await signIn(portal, lab.httpUrl, '2001');
    const clickToAudio: number[] = [];
    for (let i = 0; i <= warmRuns; i++) {
      const at = await clickIcon(portal, '1001');
      await until(async () => (await heardLevel(panel)) > 0, 20_000, 'audio');
      clickToAudio.push(Date.now() - at);
      if (i < warmRuns) await hangUp(panel, lab);
    }
    const switchMs: number[] = [];
    const modes = ['barge', 'listen'] as const;
    for (let i = 0; i < switches; i++) {
      const mode = modes[i % 2] ?? 'listen';
      const since = (await labApi<{ seq: number }[]>(lab, 'GET', '/api/events')).at(-1)?.seq ?? 0;
      const at = Date.now();
      await panel.locator(`button[data-mode="${mode}"]`).click();
      const event = await until(async () => (await labApi<{ kind: string; at: number; data?: { to?: string } }[]>(lab, 'GET', `/api/events?since=${since}`)).find((e) => e.kind === 'mode' && e.data?.to === mode), 15_000, `mode ${mode}`);
      switchMs.push(event.at - at);
      await new Promise((r) => setTimeout(r, 300));
    }
    await hangUp(panel, lab);
    return { cold: clickToAudio[0] ?? NaN, warm: clickToAudio.slice(1), switchMs };
  } finally {
    await s.close();
  }
}

export async function benchMonitor(options: { browsers?: number; warmRuns?: number; switches?: number } = {}): Promise<MonitorFigures> {
  const lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
  try {
    const cold: number[] = [];
    const warm: number[] = [];
    const switches: Record<'info' | 'rfc4733', number[]> = { info: [], rfc4733: [] };
    for (let b = 0; b < (options.browsers ?? 2); b++) {
      for (const method of ['info', 'rfc4733'] as const) {
        const run = await session(lab, method, options.warmRuns ?? 3, options.switches ?? 6);
        cold.push(run.cold);
        warm.push(...run.warm);
        switches[method].push(...run.switchMs);
      }
    }
    return { coldClickToAudio: cold, warmClickToAudio: summarize(warm), modeSwitch: { info: summarize(switches.info), rfc4733: summarize(switches.rfc4733) } };
  } finally {
    await lab.close();
  }
}
