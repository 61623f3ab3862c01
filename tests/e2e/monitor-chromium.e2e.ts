// The supervisor story in real Chromium with the built extension, against the
// lab over real SIP/WebSocket and WebRTC: sign in to the portal, click the
// speaker icon, hear the call, Whisper, Join, back to Listen, hang up.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/index';
import { browserSession, targets, TargetSession } from '../../bench/support/cdp-target';
import type { ChromiumSession } from './support/browsers';
import { chromiumOnLab, type ChromiumOnLab } from './support/chromium-lab';
import { audible, hearing, labApi, labSettings, sessionOf, storeSettings, until } from './support/lab-client';
import { clickIcon, clickInPagePanel, signIn } from './support/portal';

let lab: Lab;
let s: ChromiumSession;
let panel: Page;
let portal: Page;
const figures: Record<string, number> = {};

async function modeButton(name: RegExp) {
  return panel.getByRole('button', { name });
}

let env: ChromiumOnLab;

beforeAll(async () => {
  env = await chromiumOnLab('monitor');
  ({ lab, s, panel, portal } = env);
  // SIP INFO here: deterministic at the lab. RFC 4733 (in-band at the lab) is measured by npm run bench.
  await storeSettings(s.worker, labSettings(lab, 'info'));
});

afterAll(async () => {
  await env?.close();
  if (Object.keys(figures).length) console.log('[e2e figures]', JSON.stringify(figures));
});

describe('Chromium: the supervisor story against the lab', () => {
  it('registers with the PBX and says so in the side panel', async () => {
    await until(() => panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'Ready');
    const regs = await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations');
    expect(regs.map((r) => r.extension)).toContain('2001');
  });

  it('a page script cannot start monitoring with a synthetic click', async () => {
    await signIn(portal, lab.httpUrl, '2001');
    await portal.locator('earshot-monitor-icon[data-extension="1001"]').waitFor({ state: 'attached', timeout: 15_000 });
    await portal.evaluate(() => {
      const icon = document.querySelector('earshot-monitor-icon[data-extension="1001"]') as HTMLElement;
      icon.click();
      icon.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await sessionOf(lab, '2001')).toBeUndefined();
  });

  it('click → Listen: hears both parties, sends silence; the portal row has no icon for an idle agent', async () => {
    expect(await portal.locator('earshot-monitor-icon[data-extension="1008"]:not([hidden])').count()).toBe(0);
    const clickedAt = await clickIcon(portal, '1001');
    await until(() => sessionOf(lab, '2001'), 15_000, 'monitor session');
    await until(async () => {
      const heard = await hearing(lab, '2001', 300);
      return audible(heard, 'agent:1001') && audible(heard, 'customer:5550101');
    }, 15_000, 'lab sends both parties');
    // The browser side: the panel's "Heard" meter moves once audio arrives.
    await until(async () => Number(await panel.locator('.earshot-meters [aria-valuenow]').first().getAttribute('aria-valuenow', { timeout: 1000 })) > 0, 15_000, 'heard level');
    figures.clickToAudioMs = Date.now() - clickedAt;
    const sent = await labApi<{ rms: number; frames: number }>(lab, 'GET', '/api/sent/2001?windowMs=1000');
    expect(sent.frames).toBeGreaterThan(0);
    expect(sent.rms).toBeLessThan(0.001);
    const session = await sessionOf(lab, '2001');
    expect(audible(await hearing(lab, 'agent:1001'), session?.legId ?? '')).toBe(false);
    expect(audible(await hearing(lab, 'customer:5550101'), session?.legId ?? '')).toBe(false);
  });

  it("the side panel's volume reaches the engine: the call's audio element in the offscreen document", async () => {
    const browser = await browserSession(s.context);
    const offscreen = (await targets(browser)).find((t) => t.url === `chrome-extension://${s.extensionId}/offscreen.html`);
    expect(offscreen).toBeTruthy();
    const engine = await TargetSession.attach(browser, offscreen!);
    const volume = () => engine.evaluate<number | null>(`document.querySelector('audio')?.volume ?? null`);
    try {
      expect(await volume()).toBe(1);
      await panel.getByLabel('Volume').fill('40');
      await until(async () => (await volume()) === 0.4, 10_000, 'volume 0.4 in the offscreen document');
      await panel.getByLabel('Volume').fill('100');
      await until(async () => (await volume()) === 1, 10_000, 'volume back to 1');
    } finally {
      await engine.detach();
      await browser.detach();
    }
  });

  it('the service worker is killed mid-session: the call goes on and the panel re-syncs', async () => {
    const cdp = await s.context.newCDPSession(panel);
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
    const worker = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${s.extensionId}/`));
    expect(worker).toBeTruthy();
    await cdp.send('Target.closeTarget', { targetId: worker?.targetId ?? '' });
    // The offscreen document keeps the call: the lab still has the session and keeps sending both parties.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await sessionOf(lab, '2001'))?.agent).toBe('1001');
    const heard = await hearing(lab, '2001', 300);
    expect(audible(heard, 'agent:1001') && audible(heard, 'customer:5550101')).toBe(true);
    // The panel's port reconnects to a new worker, which re-attaches to the engine and re-syncs.
    await until(async () => (await panel.locator('.earshot-agent-name').textContent({ timeout: 1000 })) === 'Alice Agent', 20_000, 'panel re-synced');
    await until(() => panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'Ready after restart');
    await cdp.detach();
  });

  it("a call up before Earshot watched: the portal's other party (an outside number) makes Whisper available; hang up", async () => {
    // No early NOTIFY named the customer (the call was up before the subscription): the portal's row
    // "Customer 5550101 (5550101)" does, and 5550101 is off-net by the on-net pattern.
    const whisper = await modeButton(/^Whisper/);
    await until(async () => (await whisper.getAttribute('aria-disabled')) === 'false', 10_000, 'Whisper available from the portal');
    await panel.getByRole('button', { name: 'Hang up' }).click();
    await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'session ended');
  });

  it('Whisper reaches only the agent; Join reaches both; Listen goes silent again', async () => {
    // A call that starts while Earshot watches: the early NOTIFY names the customer (off-net).
    await labApi(lab, 'POST', '/api/calls', { agent: '1008', customer: '5550108', answerAfterMs: 500 });
    await clickIcon(portal, '1008');
    await until(() => sessionOf(lab, '2001'), 15_000, 'monitor session on 1008');
    await until(async () => (await (await modeButton(/^Whisper/)).getAttribute('aria-disabled')) === 'false', 10_000, 'whisper available');
    const leg = (await sessionOf(lab, '2001'))?.legId ?? '';
    // Whisper and Join from the in-page Audio Monitoring panel, Listen from the side panel.
    let at = Date.now();
    await clickInPagePanel(portal, 'button[data-mode="whisper"]');
    await until(async () => (await sessionOf(lab, '2001'))?.mode === 'whisper', 15_000, 'whisper at the PBX');
    figures.modeSwitchWhisperMs = Date.now() - at;
    await until(async () => audible(await hearing(lab, 'agent:1008'), leg), 15_000, 'agent hears the supervisor');
    expect(audible(await hearing(lab, 'customer:5550108'), leg)).toBe(false);

    at = Date.now();
    await clickInPagePanel(portal, 'button[data-mode="barge"]');
    await until(async () => (await sessionOf(lab, '2001'))?.mode === 'barge', 15_000, 'barge at the PBX');
    figures.modeSwitchBargeMs = Date.now() - at;
    await until(async () => audible(await hearing(lab, 'customer:5550108'), leg), 15_000, 'customer hears the supervisor');

    // Screenshots for the README (docs/screenshots), taken while Join is on.
    mkdirSync('docs/screenshots', { recursive: true });
    await portal.hover('tr[data-agent-id="1008"] td.agent-name');
    await portal.screenshot({ path: 'docs/screenshots/portal.png' });
    await panel.setViewportSize({ width: 400, height: 720 });
    await panel.screenshot({ path: 'docs/screenshots/side-panel.png' });

    at = Date.now();
    await (await modeButton(/^Listen Only/)).click();
    await until(async () => (await sessionOf(lab, '2001'))?.mode === 'listen', 15_000, 'listen at the PBX');
    figures.modeSwitchListenMs = Date.now() - at;
    await until(async () => (await labApi<{ rms: number }>(lab, 'GET', '/api/sent/2001?windowMs=300')).rms < 0.001, 15_000, 'silence again');
    const events = await labApi<{ kind: string; data?: { method?: string } }[]>(lab, 'GET', '/api/events');
    expect(events.some((e) => e.kind === 'dtmf' && e.data?.method === 'info')).toBe(true);
  });

  it('hangs up from the panel', async () => {
    await panel.getByRole('button', { name: 'Hang up' }).click();
    await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'session ended');
  });

  it('shows Whisper disabled with its reason on an internal call', async () => {
    // Restart the internal call while Earshot watches 1006, so its identity (an extension: on-net) is known.
    await portal.fill('input[name="filter"]', '1006');
    await until(async () => (await labApi<{ text: string }[]>(lab, 'GET', '/api/events')).some((e) => e.text === '2001 watches 1006'), 10_000, 'watching 1006');
    const calls = await labApi<{ id: string; agent: string }[]>(lab, 'GET', '/api/calls');
    await labApi(lab, 'DELETE', `/api/calls/${calls.find((c) => c.agent === '1006')?.id}`);
    await labApi(lab, 'POST', '/api/calls', { agent: '1006', otherAgent: '1007', answerAfterMs: 500 });
    await until(async () => (await labApi<{ agent: string; state: string }[]>(lab, 'GET', '/api/calls')).some((c) => c.agent === '1006' && c.state === 'confirmed'), 10_000, 'call answered');
    await until(async () => (await portal.locator('tr[data-agent-id="1006"] .agent-status').textContent()) === 'On call', 10_000, 'portal shows the call');
    await clickIcon(portal, '1006');
    await until(() => sessionOf(lab, '2001'), 15_000, 'monitor session on 1006');
    const whisper = await modeButton(/^Whisper/);
    const reason = async () => panel.locator(`#${await whisper.getAttribute('aria-describedby', { timeout: 1000 })}`).textContent({ timeout: 1000 });
    await until(async () => /internal call/.test((await reason()) ?? ''), 10_000, 'the internal-call reason');
    expect(await whisper.getAttribute('aria-disabled')).toBe('true');
    await panel.getByRole('button', { name: 'Hang up' }).click();
    await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'session ended');
  });

  it('a Basic User signed in to the portal sees no icons, and why', async () => {
    await signIn(portal, lab.httpUrl, '4001');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await portal.locator('earshot-monitor-icon').count()).toBe(0);
    // One identity: the side panel names the portal's user too, not the settings' supervisor.
    const who = panel.locator('.earshot-reg-label ~ .earshot-muted').first();
    await until(() => who.textContent().then((t) => t === ' as 4001'), 10_000, 'the side panel names the portal user');
  });

  it('re-registers after the lab drops the socket', async () => {
    await labApi(lab, 'POST', '/api/faults', { kind: 'drop-sockets' });
    await until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === '2001'), 30_000, 're-registration');
    await until(() => panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'Ready again');
  });
});
