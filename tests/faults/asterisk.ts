// The real Asterisk 22 restarted mid-session (tests/e2e/support/asterisk.ts
// starts it on a port block of its own and stops exactly what it started).
import type { Page } from 'playwright-core';
import { browserSession } from '../../bench/support/cdp-target';
import { asteriskSettings, startAsterisk, type Asterisk } from '../e2e/support/asterisk';
import { startStaticPortal, type StaticPortal } from '../e2e/support/asterisk-portal';
import { CHROME_E2E_OUT, launchChromium, type ChromiumSession } from '../e2e/support/browsers';
import { storeSettings, until } from '../e2e/support/lab-client';
import { logPairing, logRows, newRows, said, view, watchPanel, type Row } from './harness';
import { browserFigures } from './probe';

const DEF = {
  id: 'asterisk-restart',
  fault: 'PBX restarted mid-session (real Asterisk 22: stopped, then started again on the same ports)',
  expected: 'the session ends naming the PBX; Earshot re-registers by itself; the next session works; no spy channel left',
  how: 'tests/e2e/support/asterisk.ts stopPbx() + restart(); channels: `core show channels concise` (support cli)',
};

export async function asteriskRestartRow(): Promise<Row> {
  process.stdout.write(`[faults] ${DEF.id} …`);
  const t0 = Date.now();
  const problems: string[] = [];
  let pbx: Asterisk | undefined;
  let portal: StaticPortal | undefined;
  let s: ChromiumSession | undefined;
  let happened = '';
  let recovery = 'never';
  const lost: string[] = [];
  try {
    pbx = await startAsterisk('faults');
    portal = await startStaticPortal([{ ext: '1001', name: 'Alice Agent' }, { ext: '1002', name: 'Bob Agent' }]);
    s = await launchChromium({ extensionDir: CHROME_E2E_OUT, fakeAudio: `${pbx.info.tone_files}/tone-900.wav` });
    const panel: Page = await s.context.newPage();
    await panel.goto(`chrome-extension://${s.extensionId}/sidepanel.html`);
    await panel.setViewportSize({ width: 1280, height: 1400 });
    const settings = asteriskSettings(pbx.info, portal.origin, { id: 'asterisk-chanspy', dtmfMethod: 'rfc4733' });
    await storeSettings(s.worker, { ...settings, rules: { user: { scope: 'Call Center Supervisor', dtmfMonitoringGranted: true } } });
    await until(async () => (await view(panel)).reg === 'Ready', 30_000, 'Ready');
    const browser = await browserSession(s.context);
    const baseline = await browserFigures(browser, s.extensionId);
    const spy = async () => (await pbx!.channels()).filter((c) => c.startsWith('PJSIP/2001-')).length;
    const monitor = async (ext: string) => {
      const form = panel.locator('form.earshot-dtmf');
      await form.locator('input[name="extension"]').fill(ext);
      await form.getByRole('button', { name: 'Monitor' }).click();
      await until(async () => (await view(panel)).status === 'active', 20_000, 'session up');
    };
    const before = await logRows(panel);
    await pbx.customerCall('1001', 120);
    await monitor('1001');
    await until(async () => (await view(panel)).heardAt > 0, 15_000, 'audio heard');
    const w = watchPanel(panel);
    const at = Date.now();
    await pbx.stopPbx();
    await until(async () => ['ended', 'failed'].includes((await view(panel)).status), 45_000, 'session over').catch((e: Error) => problems.push(e.message));
    await pbx.restart();
    try {
      await until(async () => (await view(panel)).reg === 'Ready', 90_000, 'Ready again');
      recovery = String(Date.now() - at);
      await pbx.customerCall('1001', 120);
      await monitor('1001');
      if ((await spy()) !== 1) problems.push(`${await spy()} spy channels for the new session`);
      await panel.getByRole('button', { name: 'Hang up' }).click();
      await until(async () => (await spy()) === 0, 15_000, 'spy channel gone');
    } catch (e) {
      problems.push((e as Error).message);
    }
    happened = said(w.stop());
    const end = await view(panel);
    if (['active', 'connecting'].includes(end.status)) problems.push('a session still live at the end');
    await pbx.hangupAll();
    await new Promise((r) => setTimeout(r, 1000));
    const pairing = logPairing(newRows(before, await logRows(panel)));
    const logOk = pairing.complete && pairing.starts === 2 && pairing.ends === 2;
    lost.push(`log ${pairing.starts} start / ${pairing.ends} end ${logOk ? '✓' : '✗'}`);
    if (!logOk) problems.push(`session log: ${pairing.starts} start, ${pairing.ends} end (2 sessions)`);
    const channels = await spy();
    lost.push(`PBX ${channels} PJSIP/2001 channel ${channels === 0 ? '✓' : '✗'}`);
    if (channels) problems.push(`${channels} spy channel(s) left on Asterisk`);
    const figs = await browserFigures(browser, s.extensionId);
    lost.push(`mic ${figs.micTracks} ${figs.micTracks === 0 ? '✓' : '✗'}`);
    lost.push(`pc ${figs.peerConnections} / live tracks ${figs.liveTracks} ${figs.peerConnections <= baseline.peerConnections && figs.liveTracks <= baseline.liveTracks ? '✓' : '✗'}`);
    if (figs.micTracks) problems.push('microphone still live');
    if (figs.peerConnections > baseline.peerConnections || figs.liveTracks > baseline.liveTracks) problems.push(`left ${figs.peerConnections} pc / ${figs.liveTracks} live tracks`);
    const subs = (await pbx.subscriptions()).filter((x) => x.endpoint === '2001');
    const distinct = new Set(subs.map((x) => `${x.resource}/${x.event}`)).size;
    lost.push(`subs ${subs.length} (${distinct} distinct) ${subs.length === distinct ? '✓' : '✗'}`);
    if (subs.length !== distinct) problems.push(`duplicate subscriptions on Asterisk: ${subs.length} for ${distinct}`);
    await browser.detach().catch(() => undefined);
  } catch (e) {
    problems.push(`failed: ${(e as Error).message.split('\n')[0]}`);
    happened ||= `the scenario broke off: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    await s?.close().catch(() => undefined);
    await portal?.close().catch(() => undefined);
    await pbx?.stop().catch((e: Error) => problems.push(`Asterisk stop: ${e.message}`));
  }
  const ok = problems.length === 0;
  process.stdout.write(` ${ok ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)${ok ? '' : `: ${problems.join('; ')}`}\n`);
  return { ...DEF, happened, recovery, lost: lost.join('; '), ok, problems };
}
