// One identity (issue 13): the side panel, the in-page panel and the rules all use the
// same signed-in user, the one the portal page shows. The content script's model reads the
// page and reports it; the coordinator makes it `state.user`; the UIs render that and the
// rules decide on it. Real coordinator, in-page model, rules and side panel; the engine
// link is a fake (unit test), the page a fixture-like DOM.
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MonitorPanel } from '@/components/monitor';
import { nameWithExtension } from '@/components/monitor/format';
import { Coordinator } from '@/lib/coordinator/coordinator';
import type { EngineLink } from '@/lib/coordinator/engine-link';
import { createRules } from '@/lib/coordinator/rules-port';
import { memoryStore } from '@/lib/coordinator/store';
import type { SendCommand } from '@/lib/messaging/commands';
import { earshotLabAdapter } from '@/lib/portals/earshot-lab';
import { createInPageModel } from '@/lib/portals/in-page-model';
import type { Scope } from '@/lib/monitor/modes';

const link: EngineLink = { send: () => undefined, onEvent: () => () => undefined };
const SETTINGS_USER = { extension: '2001', displayName: 'Sam Supervisor', scope: 'Call Center Supervisor' as const, dtmfMonitoringGranted: false };

/** The lab portal's header signed in as someone (the earshot-lab adapter reads it). */
function signIn(extension: string, scope: Scope): void {
  document.body.innerHTML = `<div class="user-menu" data-extension="${extension}"><span class="user-scope">${scope}</span></div>
    <table class="agents-table"><tbody><tr class="agent-row"><td class="agent-name">Alice Agent</td><td class="agent-ext">1001</td><td class="agent-status">On call</td><td class="agent-call"></td><td class="agent-actions"></td></tr></tbody></table>`;
}

let coordinator: Coordinator | undefined;
afterEach(() => {
  coordinator?.dispose();
  cleanup();
});

/** Earshot as the background runs it, set up as Sam Supervisor (2001), with one portal frame's model. */
function earshot() {
  coordinator = new Coordinator({ link, store: memoryStore(), rules: createRules({ monitorScopes: ['Call Center Supervisor'], whisperWhenUnknown: 'deny', tapping: false }), persistDelayMs: 0 });
  coordinator.setSettings({ configured: true, user: SETTINGS_USER });
  coordinator.applyEngineEvent({ type: 'state', registration: { status: 'registered', since: 0 }, agents: { '1001': { extension: '1001', dialog: 'confirmed' } }, session: null, microphone: 'not-needed', newLog: [] });
  const c = coordinator;
  let iconsEnabled: boolean | undefined;
  const model = createInPageModel({
    root: document,
    config: { adapter: earshotLabAdapter, monitorScopes: ['Call Center Supervisor'], tapping: false },
    setIconsEnabled: (enabled) => (iconsEnabled = enabled),
    onChange: () => undefined,
    setTimer: () => 0,
    clearTimer: () => undefined,
    // What the content script sends (report-portal-user), handed to the coordinator as the background does.
    onPortalUser: (user) => c.reportPortalUser('7:0', user),
  });
  const sync = () => model.receive(c.getState());
  return { coordinator: c, model, sync, iconsEnabled: () => iconsEnabled };
}

const send = vi.fn(() => Promise.resolve({ ok: true })) as unknown as SendCommand;

describe('one signed-in user for the side panel, the in-page panel and the rules', () => {
  it('a Basic User signed in to the portal: not "Ready as Sam Supervisor", no icons, and the start refused, all with the same reason', async () => {
    signIn('4001', 'Basic User');
    const e = earshot();
    e.model.applyRules();
    e.sync();
    const user = e.coordinator.getState().user;
    expect(user).toEqual({ extension: '4001', scope: 'Basic User', dtmfMonitoringGranted: false });
    // The side panel's "Ready as …" names the portal's user, not the settings' supervisor.
    expect(nameWithExtension(user.displayName, user.extension ?? '')).toBe('4001');
    render(<MonitorPanel state={e.coordinator.getState()} send={send} now={() => 0} />);
    expect(screen.queryByText(/Sam Supervisor/)).toBeNull();
    // The in-page panel: no icons, and the rules' reason once.
    expect(e.iconsEnabled()).toBe(false);
    expect(e.model.view.notice).toMatch(/Basic Users cannot monitor/);
    // The rules at the background: the same user, the same refusal.
    const answer = await e.coordinator.start('1001');
    expect(answer).toMatchObject({ ok: false, reason: e.model.view.notice });
  });

  it('an Office Manager signed in to the portal sees "monitor an extension" in the side panel, and the rules let them use it', async () => {
    signIn('3001', 'Office Manager');
    const e = earshot();
    e.model.applyRules();
    e.sync();
    expect(e.coordinator.getState().user.scope).toBe('Office Manager');
    render(<MonitorPanel state={e.coordinator.getState()} send={send} now={() => 0} />);
    expect(screen.getByText('Monitor an extension')).toBeTruthy();
    expect(createRules({ monitorScopes: ['Call Center Supervisor'], whisperWhenUnknown: 'deny', tapping: true }).canMonitorExtension(e.coordinator.getState(), '1001')).toEqual({ allowed: true });
  });

  it('follows the portal when someone else signs in, and forgets the page when its frame goes away', async () => {
    vi.useFakeTimers();
    try {
      signIn('2001', 'Call Center Supervisor');
      const e = earshot();
      e.model.applyRules();
      e.sync();
      expect(e.coordinator.getState().user).toEqual(SETTINGS_USER);
      expect(e.iconsEnabled()).toBe(true);
      // The single-page portal signs a Basic User in.
      signIn('4001', 'Basic User');
      e.model.pageChanged();
      e.sync();
      expect(e.coordinator.getState().user.scope).toBe('Basic User');
      expect(e.iconsEnabled()).toBe(false);
      // The tab closes: the settings' user again.
      e.coordinator.frameGone('7:0');
      await vi.advanceTimersByTimeAsync(2000);
      expect(e.coordinator.getState().user).toEqual(SETTINGS_USER);
    } finally {
      vi.useRealTimers();
    }
  });
});
