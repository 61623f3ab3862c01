// The monitor flow in real Firefox ESR (puppeteer-core over WebDriver BiDi),
// against the lab: the engine in the persistent background page, the portal
// enabled from the options page, a trusted click on the icon, Listen heard;
// then every other dialect Listen → Whisper → Join → Listen, the microphone
// taken from the visible sidebar page.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickIconFirefox, signInFirefox } from './support/firefox-portal';
import { startLab, type Lab } from '../../lab/index';
import { BUILT_IN_PROFILES } from '../../lib/pbx/profiles';
import { launchFirefox, openExtensionPage, type FirefoxSession } from './support/browsers';
import { DIALECT_CASES, dialectSettings, switchLabTo, untilRegistered, untilWatching, type DialectCase } from './support/dialects';
import { audible, hearing, labApi, labEvents, labSettings, lastEventSeq, sessionOf, until } from './support/lab-client';

let lab: Lab;
let s: FirefoxSession;
let panel: Page;
let portal: Page;

beforeAll(async () => {
  lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
  // Optional permission requests are granted without the doorhanger (the click itself is real).
  // The microphone prompt is auto-accepted with a fake device, but the path is the real one:
  // getUserMedia runs in the visible sidebar page, never in the background page.
  s = await launchFirefox({ fakeMedia: true, prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
  panel = await s.browser.newPage();
  await openExtensionPage(panel, `${s.base}/options.html`);
  await panel.evaluate(
    (settings) => (globalThis as unknown as { browser: { storage: { local: { set(v: object): Promise<void> } } } }).browser.storage.local.set({ 'earshot:settings': settings }),
    labSettings(lab),
  );
  await panel.reload().catch(() => undefined);
  await openExtensionPage(panel, `${s.base}/options.html`);
  portal = await s.browser.newPage();
});

afterAll(async () => {
  await s?.close();
  await lab?.close();
});

describe('Firefox ESR: monitor from the portal', () => {
  it('enables the portal from the options page with a real click', async () => {
    const button = await until(async () => {
      for (const b of await panel.$$('button')) if ((await b.evaluate((el) => el.textContent?.trim())) === 'Enable on this portal') return b;
      return undefined;
    }, 15_000, 'the Enable button');
    await button.click();
    await until(
      () => panel.evaluate(() => (globalThis as unknown as { browser: { permissions: { contains(p: object): Promise<boolean> } } }).browser.permissions.contains({ origins: ['http://127.0.0.1/*'] })),
      10_000,
      'host permission',
    );
  });

  it('registers from the background page', async () => {
    await until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === '2001'), 20_000, 'registration');
  });

  it('a trusted click on the icon starts Listen: the supervisor hears both parties and sends silence', async () => {
    await signInFirefox(portal, lab.httpUrl, '2001');
    await clickIconFirefox(portal, '1001');
    await until(() => sessionOf(lab, '2001'), 15_000, 'monitor session');
    await until(async () => {
      const heard = await hearing(lab, '2001', 300);
      return audible(heard, 'agent:1001') && audible(heard, 'customer:5550101');
    }, 15_000, 'supervisor leg hears both');
    // Digital silence that still flows: the silent track comes from a looping silent <audio>
    // (the background page's AudioContext stays suspended, a Web Audio track would send no frames).
    await untilListenSendsSilence('2001');
  });

  it('Whisper and Join take the microphone from the visible sidebar page', async () => {
    const sidebar = await s.browser.newPage();
    await openExtensionPage(sidebar, `${s.base}/sidepanel.html`);
    await until(() => sidebar.evaluate(() => document.querySelector('.earshot-agent-name')?.textContent === 'Alice Agent'), 15_000, 'session in the sidebar');
    const button = (mode: string) => until(() => sidebar.$(`button[data-mode="${mode}"][aria-disabled="false"]`), 10_000, `${mode} button`);
    const leg = (await sessionOf(lab, '2001'))?.legId ?? '';
    // 1001's call was up before Earshot watched it (counterpart unknown: Whisper is off), so Join, which any call allows.
    await (await button('barge')).click();
    await until(async () => (await sessionOf(lab, '2001'))?.mode === 'barge', 15_000, 'barge at the PBX');
    await until(async () => audible(await hearing(lab, 'customer:5550101'), leg) && audible(await hearing(lab, 'agent:1001'), leg), 15_000, 'both hear the supervisor');
    await (await button('listen')).click();
    await until(async () => (await sessionOf(lab, '2001'))?.mode === 'listen', 15_000, 'listen at the PBX');
    await until(async () => (await labApi<{ rms: number }>(lab, 'GET', '/api/sent/2001?windowMs=300')).rms < 0.001, 15_000, 'silence again');
  });

  it('the sidebar page shows the session and hangs up', async () => {
    const sidebar = await s.browser.newPage();
    await openExtensionPage(sidebar, `${s.base}/sidepanel.html`);
    await until(() => sidebar.evaluate(() => document.querySelector('.earshot-agent-name')?.textContent === 'Alice Agent'), 15_000, 'session in the sidebar');
    const hangup = await until(async () => {
      for (const b of await sidebar.$$('button')) if ((await b.evaluate((el) => el.textContent?.trim())) === 'Hang up') return b;
      return undefined;
    }, 10_000, 'hang up button');
    await hangup.click();
    await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'session ended');
  });
});

/**
 * Listen sends frames of digital silence: RTP flows (about 100 frames a second
 * reach the lab: RFC 4733 digits need them) and nothing audible in them. The
 * last 300 ms are checked once a full second has flowed and a profile's PIN
 * (DTMF right after the answer) has played.
 */
async function untilListenSendsSilence(who: string): Promise<void> {
  const sent = (windowMs: number) => labApi<{ rms: number; frames: number }>(lab, 'GET', `/api/sent/${who}?windowMs=${windowMs}`);
  await until(async () => (await sent(1000)).frames >= 90, 10_000, 'frames from the Listen sender');
  // A profile's PIN (RFC 4733 tones once the sender is sending) plays first: then silence, still flowing.
  await until(async () => (await sent(300)).rms < 0.001, 5_000, 'silence from the Listen sender');
  const last = await sent(300);
  expect(last.frames).toBeGreaterThanOrEqual(25);
  expect(last.rms).toBeLessThan(0.001);
}

/** The dialect cases, and ChanSpy with RFC 4733: its digits need the Listen sender's frames. */
const FIREFOX_CASES: (DialectCase & { label: string })[] = [
  ...DIALECT_CASES.map((c) => ({ ...c, label: c.dialect })),
  {
    label: 'asterisk-chanspy by RFC 4733',
    dialect: 'asterisk-chanspy',
    profile: { id: 'asterisk-chanspy', dtmfMethod: 'rfc4733' },
    user: { extension: '2001', name: 'Sam Supervisor' },
    customer: '5550184',
  },
];

describe.each(FIREFOX_CASES)('Firefox ESR, $label: Listen → Whisper → Join → Listen on the lab', (c) => {
  it('each party hears what the mode says, and Listen sends no voice', async () => {
    const who = c.user.extension;
    const since = await switchLabTo(lab, c);
    await panel.evaluate(
      (settings) => (globalThis as unknown as { browser: { storage: { local: { set(v: object): Promise<void> } } } }).browser.storage.local.set({ 'earshot:settings': settings }),
      dialectSettings(lab, c),
    );
    await untilRegistered(lab, c);

    // Sign in as the case's user; watch 1008, then start its call so the early NOTIFY names the customer.
    // The portal in front, as the supervisor sees it (a background tab gets no intersection updates).
    await portal.bringToFront();
    await signInFirefox(portal, lab.httpUrl, who);
    await portal.type('input[name="filter"]', '1008');
    await untilWatching(lab, c, '1008', since);
    const call = await labApi<{ id: string }>(lab, 'POST', '/api/calls', { agent: '1008', customer: c.customer, answerAfterMs: 500 });
    const customer = `customer:${c.customer}`;
    let sidebar: Page | undefined;
    try {
      await clickIconFirefox(portal, '1008');
      await until(() => sessionOf(lab, who), 15_000, 'monitor session');
      await until(async () => {
        const heard = await hearing(lab, who, 300);
        return audible(heard, 'agent:1008') && audible(heard, customer);
      }, 15_000, 'the supervisor hears both parties');
      await untilListenSendsSilence(who);

      // Whisper and Join need the microphone: from the visible sidebar page.
      const page = await s.browser.newPage();
      sidebar = page;
      await openExtensionPage(page, `${s.base}/sidepanel.html`);
      const button = (mode: string) =>
        until(() => page.$(`button[data-mode="${mode}"][aria-disabled="false"]`), 15_000, `${mode} button`).catch(async (error: unknown) => {
          const reason = await page.evaluate((m) => {
            const b = document.querySelector(`button[data-mode="${m}"]`);
            const id = b?.getAttribute('aria-describedby');
            return id ? document.getElementById(id)?.textContent : b ? 'enabled?' : 'no button';
          }, mode);
          throw new Error(`${String(error)} (the panel says: ${reason})`);
        });
      const beforeSwitches = await lastEventSeq(lab);
      // The PBX in `mode`; if not, the lab's digits and modes since the first switch say why.
      const atThePbx = (mode: string, what: string) =>
        until(async () => (await sessionOf(lab, who))?.mode === mode, 15_000, what).catch(async (error: unknown) => {
          const trail = (await labEvents(lab, beforeSwitches)).filter((e) => e.kind === 'dtmf' || e.kind === 'mode').map((e) => e.text);
          // What the supervisor saw: the panel's status and its log (did the browser say it played the digits?).
          const shown = await page.evaluate(() => document.body.innerText.replace(/\s+/g, ' ').slice(0, 1500)).catch(() => 'unreadable');
          throw new Error(`${String(error)} (the lab got: ${trail.join('; ') || 'nothing'}; the panel shows: ${shown})`);
        });
      // The panel showing the mode before the next click, as a supervisor sees it: the "who hears you" lines
      // above the buttons change with it, and a click aimed before that re-render can land beside the button.
      // A real click where the button is now: aimed again until the button is what the point hits.
      const clickMode = async (mode: string) => {
        await button(mode);
        const at = await until(
          () =>
            page.evaluate((m) => {
              const b = document.querySelector(`button[data-mode="${m}"][aria-disabled="false"]`);
              if (!b) return null;
              const r = b.getBoundingClientRect();
              const point: [number, number] = [r.x + r.width / 2, r.y + r.height / 2];
              return b.contains(document.elementFromPoint(...point)) ? point : null;
            }, mode),
          10_000,
          `the ${mode} button under the pointer`,
        );
        await page.mouse.click(at[0], at[1]);
      };
      const shown = (mode: string) => until(() => page.$(`button[data-mode="${mode}"][aria-pressed="true"]`), 15_000, `${mode} shown as the mode in the panel`);
      await clickMode('whisper');
      await atThePbx('whisper', 'Whisper at the PBX');
      await shown('whisper');
      let leg = (await sessionOf(lab, who))?.legId ?? '';
      await until(async () => audible(await hearing(lab, 'agent:1008'), leg), 15_000, 'the agent hears the supervisor');
      expect(audible(await hearing(lab, customer), leg)).toBe(false);

      await clickMode('barge');
      await atThePbx('barge', 'Join at the PBX');
      await shown('barge');
      leg = (await sessionOf(lab, who))?.legId ?? '';
      await until(async () => audible(await hearing(lab, customer), leg) && audible(await hearing(lab, 'agent:1008'), leg), 15_000, 'both parties hear the supervisor');

      await clickMode('listen');
      await atThePbx('listen', 'Listen at the PBX');
      await until(async () => (await labApi<{ rms: number }>(lab, 'GET', `/api/sent/${who}?windowMs=300`)).rms < 0.001, 15_000, 'silence again');
      if (c.profile.dtmfMethod === 'rfc4733') {
        // The digits came on the RTP sender (the first from Listen, on the silent track), none by INFO.
        const digits = (await labEvents(lab, beforeSwitches)).filter((e) => e.kind === 'dtmf' && e.data?.session !== undefined);
        // Whisper, Join, Listen: the profile's own codes (ChanSpy 5 6 4, FreeSWITCH 2 3 0).
        const codes = BUILT_IN_PROFILES[c.profile.id as keyof typeof BUILT_IN_PROFILES].modeCodes;
        expect(digits.map((e) => e.data?.digit)).toEqual([codes.whisper, codes.barge, codes.listen]);
        expect(digits.every((e) => e.data?.method === 'rfc4733')).toBe(true);
      }

      const hangup = await until(async () => {
        for (const b of await page.$$('button')) if ((await b.evaluate((el) => el.textContent?.trim())) === 'Hang up') return b;
        return undefined;
      }, 10_000, 'hang up button');
      await hangup.click();
      await until(async () => (await sessionOf(lab, who)) === undefined, 15_000, 'session ended');
    } finally {
      await sidebar?.close().catch(() => undefined);
      await labApi(lab, 'DELETE', `/api/calls/${call.id}`).catch(() => undefined);
    }
  });
});
