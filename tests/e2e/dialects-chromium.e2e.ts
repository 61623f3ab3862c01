// Every other dialect of the lab in real Chromium with the built extension:
// the ChanSpy story is in monitor-chromium.e2e.ts; here FreeSWITCH eavesdrop
// with a PIN, Asterisk one-code-per-mode (a re-dial per switch) and the
// NetSapiens-style tapping code (an Office Manager, who signs in to the
// portal after the page loaded: Earshot reads who it is again). For each:
// click the icon, Listen hears both parties and sends silence, Whisper reaches
// the agent only, Join reaches both, Listen is silent again, all asserted at
// the lab.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/index';
import type { ChromiumSession } from './support/browsers';
import { chromiumOnLab, type ChromiumOnLab } from './support/chromium-lab';
import { DIALECT_CASES, dialectSettings, switchLabTo, untilRegistered, untilWatching } from './support/dialects';
import { audible, hearing, labApi, labEvents, sessionOf, storeSettings, until } from './support/lab-client';
import { clickIcon, signIn } from './support/portal';

let env: ChromiumOnLab;
let lab: Lab;
let s: ChromiumSession;
let panel: Page;
let portal: Page;

beforeAll(async () => {
  env = await chromiumOnLab('dialects');
  ({ lab, s, panel, portal } = env);
});

afterAll(async () => {
  await env?.close();
});

const modeButton = (mode: string) => panel.locator(`button[data-mode="${mode}"]`);

describe.each(DIALECT_CASES)('Chromium, $dialect: Listen → Whisper → Join → Listen on the lab', (c) => {
  it('each party hears what the mode says, and Listen sends silence', async () => {
    const who = c.user.extension;
    const since = await switchLabTo(lab, c);
    await storeSettings(s.worker, dialectSettings(lab, c));
    await untilRegistered(lab, c);
    await until(() => panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'Ready');

    // A fresh call on 1008 while Earshot watches it: the early NOTIFY names the customer (off-net), so Whisper is allowed.
    await signIn(portal, lab.httpUrl, who);
    await portal.fill('input[name="filter"]', '1008');
    await untilWatching(lab, c, '1008', since);
    const call = await labApi<{ id: string }>(lab, 'POST', '/api/calls', { agent: '1008', customer: c.customer, answerAfterMs: 500 });
    const customer = `customer:${c.customer}`;
    try {
      await clickIcon(portal, '1008');
      const session = await until(() => sessionOf(lab, who), 15_000, 'monitor session');
      expect(session.agent).toBe('1008');
      await until(async () => {
        const heard = await hearing(lab, who, 300);
        return audible(heard, 'agent:1008') && audible(heard, customer);
      }, 15_000, 'the supervisor hears both parties');
      await until(async () => (await labApi<{ rms: number; frames: number }>(lab, 'GET', `/api/sent/${who}?windowMs=500`)).frames > 0, 10_000, 'frames from the supervisor');
      // Listen sends silence. A PIN sent by RFC 4733 (FreeSWITCH) is played out as tones by the lab's
      // receiver for a moment after the PBX starts mixing: silence from when those have ended.
      await until(async () => (await labApi<{ rms: number }>(lab, 'GET', `/api/sent/${who}?windowMs=500`)).rms < 0.001, c.pin ? 3000 : 0, 'silence from the supervisor in Listen');

      await until(async () => (await modeButton('whisper').getAttribute('aria-disabled')) === 'false', 10_000, 'Whisper available').catch(async (error: unknown) => {
        // What the lab saw since this case began: registrations, subscriptions and NOTIFYs for 1008.
        const events = await labEvents(lab, since);
        const trail = events.filter((e) => ['register', 'subscribe', 'notify', 'transport'].includes(e.kind) && (e.kind !== 'notify' || e.text.startsWith('1008'))).map((e) => `${e.kind}: ${e.text}`);
        throw new Error(`${String(error)}; lab: ${trail.join(' | ')}`);
      });
      await modeButton('whisper').click();
      await until(async () => (await sessionOf(lab, who))?.mode === 'whisper', 15_000, 'Whisper at the PBX');
      // A re-dial profile gets a new leg per mode: read it after the switch.
      let leg = (await sessionOf(lab, who))?.legId ?? '';
      await until(async () => audible(await hearing(lab, 'agent:1008'), leg), 15_000, 'the agent hears the supervisor');
      expect(audible(await hearing(lab, customer), leg)).toBe(false);

      await modeButton('barge').click();
      await until(async () => (await sessionOf(lab, who))?.mode === 'barge', 15_000, 'Join at the PBX');
      leg = (await sessionOf(lab, who))?.legId ?? '';
      await until(async () => audible(await hearing(lab, customer), leg) && audible(await hearing(lab, 'agent:1008'), leg), 15_000, 'both parties hear the supervisor');

      await modeButton('listen').click();
      await until(async () => (await sessionOf(lab, who))?.mode === 'listen', 15_000, 'Listen at the PBX');
      await until(async () => (await labApi<{ rms: number }>(lab, 'GET', `/api/sent/${who}?windowMs=300`)).rms < 0.001, 15_000, 'silence again');
      leg = (await sessionOf(lab, who))?.legId ?? '';
      await until(async () => !audible(await hearing(lab, customer), leg) && !audible(await hearing(lab, 'agent:1008'), leg), 10_000, 'neither party hears the supervisor');

      await panel.getByRole('button', { name: 'Hang up' }).click();
      await until(async () => (await sessionOf(lab, who)) === undefined, 15_000, 'session ended');
    } finally {
      await labApi(lab, 'DELETE', `/api/calls/${call.id}`).catch(() => undefined);
    }
  });
});
