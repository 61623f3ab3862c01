// The keyboard in real Chromium with a real window (a private Xvfb display,
// keys sent by xdotool as a keyboard would): the four shortcuts bound by
// default and acting from the portal tab, the toolbar badge saying who hears
// the supervisor, and push-to-talk released off the button returning to
// Listen, each checked at the lab.
import type { Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumOnLab, type ChromiumOnLab } from './support/chromium-lab';
import { startDisplay, type VirtualDisplay } from './support/display';
import { audible, hearing, labApi, labEvents, labSettings, lastEventSeq, sessionOf, storeSettings, until } from './support/lab-client';
import { clickIcon, signIn } from './support/portal';

let screen: VirtualDisplay;
let env: ChromiumOnLab;

beforeAll(async () => {
  screen = await startDisplay();
  env = await chromiumOnLab('keyboard', {}, { display: screen.display });
  await storeSettings(env.s.worker, labSettings(env.lab, 'info'));
});

afterAll(async () => {
  await env?.close();
  await screen?.close();
});

/** The parts of the worker's `chrome` this file reads. */
type WorkerChrome = {
  chrome: {
    action: { getBadgeText(d: object): Promise<string>; getTitle(d: object): Promise<string> };
    commands: { getAll(): Promise<{ name?: string; shortcut?: string }[]> };
  };
};

/** The toolbar button as the worker sets it. */
const badge = (worker: Worker) =>
  worker.evaluate(async () => {
    const { action } = (globalThis as unknown as WorkerChrome).chrome;
    return { text: await action.getBadgeText({}), title: await action.getTitle({}) };
  });

/** Resolves once the lab has the supervisor's leg in `mode`. */
const atThePbx = (mode: string) => until(async () => (await sessionOf(env.lab, '2001'))?.mode === mode, 15_000, `${mode} at the PBX`);

describe('Chromium with a real window: the keyboard', () => {
  it('binds all four suggested shortcuts by default', async () => {
    const commands = await env.s.worker.evaluate(() => (globalThis as unknown as WorkerChrome).chrome.commands.getAll());
    const bound = Object.fromEntries(commands.map((c) => [c.name, c.shortcut]));
    expect(bound).toMatchObject({ 'mode-listen': 'Alt+Shift+L', 'mode-whisper': 'Alt+Shift+K', 'mode-barge': 'Alt+Shift+J', 'hang-up': 'Alt+Shift+U' });
  });

  it('each shortcut acts from the portal tab, and the toolbar says who hears the supervisor', async () => {
    const { lab, portal, s } = env;
    await until(() => env.panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'Ready');
    const since = await lastEventSeq(lab);
    await portal.bringToFront();
    await signIn(portal, lab.httpUrl, '2001');
    await portal.fill('input[name="filter"]', '1008');
    await until(async () => (await labEvents(lab, since)).some((e) => e.text === '2001 watches 1008'), 15_000, 'watching 1008');
    // A call that starts while Earshot watches: its early NOTIFY names the customer (off-net), so Whisper is allowed.
    await labApi(lab, 'POST', '/api/calls', { agent: '1008', customer: '5550188', answerAfterMs: 500 });
    await clickIcon(portal, '1008');
    await atThePbx('listen');
    await until(async () => (await badge(s.worker)).text === 'ON', 10_000, 'badge ON');
    expect((await badge(s.worker)).title).toBe('Earshot: Listen Only on Hank Agent (1008). Nobody hears you.');
    const leg = (await sessionOf(lab, '2001'))!.legId;
    const agentHears = async () => audible(await hearing(lab, 'agent:1008'), leg);
    const customerHears = async () => audible(await hearing(lab, 'customer:5550188'), leg);

    await portal.bringToFront();
    await screen.press('alt+shift+k');
    await atThePbx('whisper');
    await until(agentHears, 15_000, 'the agent hears the supervisor');
    expect(await customerHears()).toBe(false);
    await until(async () => (await badge(s.worker)).text === 'MIC', 10_000, 'badge MIC');
    expect((await badge(s.worker)).title).toMatch(/Whisper on .*The agent hears you; the other party does not\./);

    await screen.press('alt+shift+j');
    await atThePbx('barge');
    await until(async () => (await agentHears()) && (await customerHears()), 15_000, 'both hear the supervisor');
    await until(async () => /The agent and the other party hear you/.test((await badge(s.worker)).title), 10_000, 'badge says both hear');

    await screen.press('alt+shift+l');
    await atThePbx('listen');
    await until(async () => (await badge(s.worker)).text === 'ON', 10_000, 'badge ON again');
  });

  it('push-to-talk released off the button returns to Listen: the agent no longer hears the supervisor', async () => {
    const { lab, panel } = env;
    await panel.bringToFront();
    const ptt = panel.getByRole('button', { name: 'Hold to whisper' });
    const box = (await ptt.boundingBox())!;
    await panel.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await panel.mouse.down();
    await atThePbx('whisper');
    const leg = (await sessionOf(lab, '2001'))!.legId;
    await until(async () => audible(await hearing(lab, 'agent:1008'), leg), 15_000, 'the agent hears the supervisor while held');
    // Dragged off the button and the panel's controls before letting go.
    await panel.mouse.move(box.x + box.width / 2, box.y + box.height + 200, { steps: 5 });
    await panel.mouse.move(2, 2, { steps: 5 });
    await panel.mouse.up();
    await atThePbx('listen');
    await until(async () => !audible(await hearing(lab, 'agent:1008'), leg), 15_000, 'the agent no longer hears the supervisor');
  });

  it('Alt+Shift+U hangs up from the portal tab; the badge goes away', async () => {
    const { lab, portal, s } = env;
    await portal.bringToFront();
    await screen.press('alt+shift+u');
    await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'session ended at the PBX');
    await until(async () => (await badge(s.worker)).text === '', 10_000, 'no badge');
  });
});
