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
import type { Row } from './harness';
import { labFigures } from './probe';

const DEF = {
  id: 'firefox-bg-reload',
  fault: 'Firefox background page reloaded mid-session',
  expected: 'Earshot registers again by itself; the old monitor call is not left at the PBX; a new session works',
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
    lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
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
    const oldConn = l.sip.registrations.get('2001')?.conn;
    const at = Date.now();
    await options.evaluate(() => (globalThis as unknown as Ext).browser.runtime.getBackgroundPage().then((w) => w.location.reload()));
    await until(() => l.sip.registrations.has('2001') && l.sip.registrations.get('2001')?.conn !== oldConn, 45_000, 're-registration').catch((e: Error) => problems.push(e.message));
    recovery = String(Date.now() - at);
    await new Promise((r) => setTimeout(r, 2000));
    const stray = labFigures(l);
    happened = `re-registered on a new WebSocket after ${recovery} ms; 2 s later the lab held ${stray.sessions} monitor session(s) / ${stray.dialogs} dialog(s) for 2001 (the reloaded page forgot its call)`;
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
    lost.push(`PBX after the reload ${stray.sessions} session / ${stray.dialogs} dialog ${stray.sessions + stray.dialogs === 0 ? '✓' : '✗'}`);
    lost.push(`PBX at the end ${after.sessions} session / ${after.dialogs} dialog ${after.sessions + after.dialogs === 0 ? '✓' : '✗'}`);
    lost.push(`subs ${after.subscriptions} (${after.distinctTargets} agents) ${after.subscriptions === after.distinctTargets ? '✓' : '✗'}`);
    lost.push('log, mic, pc: not measured (no CDP on Firefox; BiDi has no heap or object queries)');
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
