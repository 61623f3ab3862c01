// Earshot in real Chromium against the real Asterisk 22 when there is nothing
// to hear and when the PBX goes away: "monitor an extension" on a line with no
// call is refused with the reason (dialog-info already knows), a session that
// hears nothing says so, and Asterisk stopped and started mid-session ends the
// session with the real cause, then Earshot re-registers and the next session works.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_E2E_OUT, launchChromium, type ChromiumSession } from './support/browsers';
import { asteriskSettings, startAsterisk, type Asterisk } from './support/asterisk';
import { startStaticPortal, type StaticPortal } from './support/asterisk-portal';
import { storeSettings, until } from './support/lab-client';

let pbx: Asterisk;
let portal: StaticPortal;
let s: ChromiumSession;
let panel: Page;

const live = () => panel.locator('.earshot-live').textContent({ timeout: 1000 }).then((t) => t ?? '');
const sessionStatus = () => panel.locator('[data-session]').first().getAttribute('data-session', { timeout: 1000 });
const regLabel = () => panel.locator('.earshot-reg-label').textContent({ timeout: 1000 });

/** Monitors an extension by number from the side panel (DTMF monitoring is granted to this user). */
async function monitorExtension(extension: string): Promise<void> {
  const form = panel.locator('form.earshot-dtmf');
  await form.locator('input[name="extension"]').fill(extension);
  await form.getByRole('button', { name: 'Monitor' }).click();
}

/** The supervisor's channels on Asterisk now. */
async function supervisorChannels(): Promise<number> {
  return (await pbx.channels()).filter((c) => c.startsWith('PJSIP/2001-')).length;
}

beforeAll(async () => {
  pbx = await startAsterisk('faults');
  portal = await startStaticPortal([{ ext: '1001', name: 'Alice Agent' }, { ext: '1002', name: 'Bob Agent' }]);
  s = await launchChromium({ extensionDir: CHROME_E2E_OUT, fakeAudio: `${pbx.info.tone_files}/tone-900.wav` });
  panel = await s.context.newPage();
  await panel.goto(`chrome-extension://${s.extensionId}/sidepanel.html`);
  const settings = asteriskSettings(pbx.info, portal.origin, { id: 'asterisk-chanspy', dtmfMethod: 'rfc4733' });
  await storeSettings(s.worker, { ...settings, rules: { user: { scope: 'Call Center Supervisor', dtmfMonitoringGranted: true } } });
  await until(async () => (await regLabel()) === 'Ready', 20_000, 'Ready');
});

afterAll(async () => {
  await s?.close();
  await portal?.close();
  await pbx?.stop();
});

describe('Chromium against a real Asterisk: nothing to hear, and the PBX going away', () => {
  it('refuses to monitor an extension that dialog-info says is idle, and says why', async () => {
    await monitorExtension('1002');
    await until(async () => /not on a call/i.test(await live()), 10_000, 'the idle reason');
    expect(await sessionStatus()).toBe('failed');
    // Nothing was dialled: the PBX never saw a spy call.
    expect(await supervisorChannels()).toBe(0);
  });

  it('an extension the PBX gives no call state for is dialled, and a session that hears nothing says so', async () => {
    // 1099 exists nowhere: Asterisk answers the SUBSCRIBE with an error, so Earshot cannot know; ChanSpy answers and waits in silence.
    await monitorExtension('1099');
    await until(async () => (await sessionStatus()) === 'active', 15_000, 'session up');
    expect(await supervisorChannels()).toBe(1);
    await until(async () => /nothing heard/i.test(await live()), 20_000, 'the hears-nothing notice');
    await panel.getByRole('button', { name: 'Hang up' }).click();
    await until(async () => (await supervisorChannels()) === 0, 10_000, 'spy call gone');
  });

  it('Asterisk stopped mid-session: the session ends naming the PBX; Earshot re-registers; the next session works', async () => {
    await pbx.customerCall('1001', 120);
    await monitorExtension('1001');
    await until(async () => (await sessionStatus()) === 'active', 15_000, 'session up');
    await until(async () => Number(await panel.locator('[data-heard-at]').first().getAttribute('data-heard-at', { timeout: 1000 })) > 0, 15_000, 'audio heard');
    await pbx.stopPbx();
    await until(async () => ['ended', 'failed'].includes((await sessionStatus()) ?? ''), 45_000, 'session over');
    // Asterisk hangs every call up, then closes the socket: the cause shown is the PBX, once the socket is gone.
    await until(async () => /PBX went away/.test(await live()), 10_000, 'the PBX named as the cause').catch(async (e) => {
      console.log('[session log at the failure]', await panel.locator('.earshot-log').first().innerText().catch(() => '?'), await regLabel(), await live());
      throw e;
    });
    expect(await live()).not.toMatch(/agent's call ended|ICE|audio path/i);
    await until(async () => (await regLabel()) !== 'Ready', 10_000, 'registration lost');
    await pbx.restart();
    await until(async () => (await regLabel()) === 'Ready', 60_000, 'Ready again');
    expect(await pbx.cli('pjsip show contacts')).toMatch(/2001\/sip:/);
    await pbx.customerCall('1001', 120);
    await monitorExtension('1001');
    await until(async () => (await sessionStatus()) === 'active', 15_000, 'second session up');
    expect(await supervisorChannels()).toBe(1);
    await panel.getByRole('button', { name: 'Hang up' }).click();
    await until(async () => (await supervisorChannels()) === 0, 10_000, 'spy call gone');
    await pbx.hangupAll();
  });
});
