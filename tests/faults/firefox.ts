// Firefox ESR (puppeteer-core over WebDriver BiDi): the persistent MV2
// background page, where the engine runs, reloaded mid-session. BiDi does not
// expose the background page as a target, so the reload comes from an
// extension page: runtime.getBackgroundPage() then location.reload(), exactly
// a reload of that page and nothing else.
import type { Page } from 'puppeteer-core';
import { startLab, type Lab } from '../../lab/index';
import { launchFirefox, openExtensionPage, type FirefoxSession } from '../e2e/support/browsers';
import { clickIconFirefox, signInFirefox, storeSettingsAndEnableFirefox } from '../e2e/support/firefox-portal';
import { labSettings, until } from '../e2e/support/lab-client';
import { FAULTS_MEDIA_TIMEOUT_MS, logPairing, type Row } from './harness';
import { labFigures } from './probe';

const DEF = {
  id: 'firefox-bg-reload',
  fault: 'Firefox background page reloaded mid-session',
  expected: "Earshot registers again by itself; the reloaded engine ends the old monitor call at the PBX (a BYE in the dialog it kept) and the session log gets the old session's End; a new session works",
  how: 'puppeteer-core over BiDi; from the options page: (await browser.runtime.getBackgroundPage()).location.reload(); lab figures in-process',
};

type Ext = { browser: { runtime: { getBackgroundPage(): Promise<Window> }; permissions: { contains(p: object): Promise<boolean> } } };

export async function firefoxReloadRow(): Promise<Row> {
  process.stdout.write(`[faults] ${DEF.id} …`);
  const t0 = Date.now();
  const problems: string[] = [];
  let lab: Lab | undefined;
  let s: FirefoxSession | undefined;
  let happened = '';
  let recovery = 'never';
  const lost: string[] = [];
  try {
    lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true, mediaTimeoutMs: FAULTS_MEDIA_TIMEOUT_MS });
    const l = lab;
    s = await launchFirefox({ fakeMedia: true, prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
    const options: Page = await s.browser.newPage();
    await openExtensionPage(options, `${s.base}/options.html`);
    await storeSettingsAndEnableFirefox(options, `${s.base}/options.html`, labSettings(l));
    await until(() => options.evaluate(() => (globalThis as unknown as Ext).browser.permissions.contains({ origins: ['http://127.0.0.1/*'] })), 10_000, 'host permission');
    await until(() => l.sip.registrations.has('2001'), 20_000, 'registration');
    const portal = await s.browser.newPage();
    await signInFirefox(portal, l.httpUrl, '2001');
    await clickIconFirefox(portal, '1001');
    await until(() => [...l.pbx.sessions.values()].some((x) => x.supervisor === '2001'), 15_000, 'monitor session');
    // Mid-session: the call's media is up (ICE connected at the lab), so Earshot has taken the PBX's 200 OK.
    await until(() => [...l.pbx.sessions.values()].some((x) => x.supervisor === '2001' && l.media.getLeg(x.legId)?.state === 'connected'), 15_000, 'the call\'s media');
    const oldConn = l.sip.registrations.get('2001')?.conn;
    const oldSession = [...l.pbx.sessions.values()].find((x) => x.supervisor === '2001')?.id;
    const at = Date.now();
    await options.evaluate(() => (globalThis as unknown as Ext).browser.runtime.getBackgroundPage().then((w) => w.location.reload()));
    await until(() => l.sip.registrations.has('2001') && l.sip.registrations.get('2001')?.conn !== oldConn, 45_000, 're-registration').catch((e: Error) => problems.push(e.message));
    recovery = String(Date.now() - at);
    // The reloaded page's engine ends the call its predecessor left (a BYE in the kept dialog); the lab here has no media timeout.
    const endedAt = await until(() => (oldSession && !l.pbx.sessions.has(oldSession) ? Date.now() : undefined), 10_000, 'the old call ended').catch(() => undefined);
    const stray = labFigures(l);
    const how = l.log.since(0).find((e) => e.kind === 'monitor' && e.data?.session === oldSession && /stopped monitoring/.test(e.text))?.text ?? 'nothing at the lab ended it';
    happened = `re-registered on a new WebSocket after ${recovery} ms; the old monitor call ${endedAt ? `ended at the lab ${endedAt - at} ms after the reload (lab: “${how}”)` : 'was still at the lab 10 s after the reload'}; then the lab held ${stray.sessions} monitor session(s) / ${stray.dialogs} dialog(s) for 2001`;
    // The supervisor's next move: click again.
    await clickIconFirefox(portal, '1001');
    await until(() => [...l.pbx.sessions.values()].some((x) => x.supervisor === '2001'), 15_000, 'a new session').catch((e: Error) => problems.push(e.message));
    const sidebar = await s.browser.newPage();
    await openExtensionPage(sidebar, `${s.base}/sidepanel.html`);
    const hangup = await until(async () => {
      for (const b of await sidebar.$$('button')) if ((await b.evaluate((el) => el.textContent?.trim())) === 'Hang up') return b;
      return undefined;
    }, 10_000, 'hang up button').catch(() => undefined);
    await hangup?.click();
    await until(() => labFigures(l).sessions === 0, 15_000, 'session ended').catch(() => undefined);
    const after = labFigures(l);
    // The session log as the sidebar shows it (kept by the background across the reload): each session's Start and End.
    await new Promise((r) => setTimeout(r, 500));
    const rows = (await sidebar.$$eval('.earshot-log-list li', (lis) =>
      lis.map((li) => ({ kind: li.className.replace('earshot-log-', ''), text: li.textContent?.trim() ?? '', time: li.querySelector('time')?.getAttribute('datetime') ?? '' })),
    )).reverse();
    const pairing = logPairing(rows);
    const logOk = pairing.complete && pairing.starts === 2 && pairing.ends === 2;
    const orphanLine = rows.find((r) => /previous engine left at the PBX/.test(r.text));
    happened += `; the session log says: “${orphanLine?.text.replace(/^[\d:]+\s+\w+\s+/, '') ?? 'nothing about the old call'}”`;
    lost.push(`log ${pairing.starts} start / ${pairing.ends} end ${logOk ? '✓' : '✗'}`);
    if (!logOk) problems.push(`session log: ${pairing.starts} start, ${pairing.ends} end rows (2 sessions expected)`);
    lost.push(`PBX after the reload ${stray.sessions} session / ${stray.dialogs} dialog ${stray.sessions + stray.dialogs === 0 ? '✓' : '✗'}`);
    lost.push(`PBX at the end ${after.sessions} session / ${after.dialogs} dialog ${after.sessions + after.dialogs === 0 ? '✓' : '✗'}`);
    lost.push(`subs ${after.subscriptions} (${after.distinctTargets} agents) ${after.subscriptions === after.distinctTargets ? '✓' : '✗'}`);
    lost.push('mic, pc: not measured (no CDP on Firefox; BiDi has no heap or object queries)');
    if (stray.sessions || stray.dialogs) problems.push(`the old monitor call stayed at the lab after the reload (${stray.sessions} session(s))`);
    if (after.sessions || after.dialogs) problems.push(`stray at the lab at the end: ${after.sessions} session(s), ${after.dialogs} dialog(s)`);
  } catch (e) {
    problems.push(`failed: ${(e as Error).message.split('\n')[0]}`);
    happened ||= `the scenario broke off: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    await s?.close().catch(() => undefined);
    await lab?.close().catch(() => undefined);
  }
  const ok = problems.length === 0;
  process.stdout.write(` ${ok ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)${ok ? '' : `: ${problems.join('; ')}`}\n`);
  return { ...DEF, happened, recovery, lost: lost.join('; '), ok, problems };
}
