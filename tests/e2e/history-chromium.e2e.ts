// The session record survives a browser restart, in real Chromium against the
// lab: monitor an agent, hang up, quit the browser, start it again on the
// same profile: the side panel's log still shows the session, and "Export
// CSV" gives it with the supervisor, the agent, the other party, each mode,
// ISO 8601 times with their offset, the duration and the outcome.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/index';
import { CHROME_E2E_OUT, launchChromium, type ChromiumSession } from './support/browsers';
import { labSettings, sessionOf, storeSettings, toneWav, until } from './support/lab-client';
import { clickIcon, signIn } from './support/portal';

let lab: Lab;
let profile: string;
let s: ChromiumSession | undefined;

const launch = () => launchChromium({ extensionDir: CHROME_E2E_OUT, userDataDir: profile, fakeAudio: toneWav(profile, 900) });
const openPanel = async (session: ChromiumSession): Promise<Page> => {
  const panel = await session.context.newPage();
  await panel.goto(`chrome-extension://${session.extensionId}/sidepanel.html`);
  return panel;
};

beforeAll(async () => {
  lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
  profile = mkdtempSync(join(tmpdir(), 'earshot-e2e-history-'));
});

afterAll(async () => {
  await s?.close();
  await lab?.close();
  rmSync(profile, { recursive: true, force: true });
});

describe('Chromium: the session record across a browser restart', () => {
  it('records a session, then keeps it when the browser is quit and started again', async () => {
    s = await launch();
    await storeSettings(s.worker, labSettings(lab, 'info'));
    const panel = await openPanel(s);
    await until(() => panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'Ready');
    const portal = await s.context.newPage();
    await signIn(portal, lab.httpUrl, '2001');
    await clickIcon(portal, '1002');
    await until(async () => (await sessionOf(lab, '2001'))?.mode === 'listen', 15_000, 'Listen at the PBX');
    await panel.bringToFront();
    await panel.getByRole('button', { name: 'Hang up' }).click();
    await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'ended at the PBX');
    const before = await panel.locator('.earshot-log-list li').allTextContents();
    expect(before.some((row) => row.includes('Ben Agent'))).toBe(true);
    // The record is written about a second after the last change: let it land before quitting.
    await new Promise((r) => setTimeout(r, 2500));
    await s.context.close();

    s = await launch();
    const again = await openPanel(s);
    await until(async () => (await again.locator('.earshot-log-list li').allTextContents()).some((row) => row.includes('Ben Agent')), 15_000, 'the log rows after the restart');
    // storage.session (the worker's state) lives in memory and went with the browser: these rows came from the record on disk.

    const download = again.waitForEvent('download');
    await again.getByRole('button', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const rows = readFileSync(file, 'utf8').replace(/^\ufeff/, '').trimEnd().split('\r\n');
    expect(rows[0]).toBe('Session,Supervisor,Agent,Other party,Mode,Start,End,Duration (s),Outcome');
    const row = rows.find((r) => r.includes('Ben Agent (1002)'));
    expect(row).toBeDefined();
    expect(row).toMatch(/Sam Supervisor \(2001\),Ben Agent \(1002\),[^,]*5550102[^,]*,Listen Only,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d,\d+,ended by the supervisor/);
  });
});
