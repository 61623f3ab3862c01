import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUILT_IN_ADAPTERS } from '@/lib/portals';
import type { PortalAdapter } from '@/lib/portals/adapter';
import { compileAdapter, findRows, readRow } from '@/lib/portals/scan';
import { earshotLabAdapter } from '@/lib/portals/earshot-lab';
import { createInPageModel, PANEL_LINGER_MS, type InPageView } from '@/lib/portals/in-page-model';
import type { EarshotState } from '@/lib/state/snapshot';

const state = (over: Partial<EarshotState> = {}): EarshotState => ({
  revision: 1,
  configured: true,
  registration: { status: 'registered', since: 0 },
  user: { scope: 'Call Center Supervisor', dtmfMonitoringGranted: false },
  agents: {},
  session: null,
  microphone: 'not-needed',
  log: [],
  ...over,
});
const session = (status: 'active' | 'ended' | 'failed'): NonNullable<EarshotState['session']> => ({
  id: 's1',
  agent: { extension: '1001' },
  status,
  mode: 'listen',
  availability: { listen: { allowed: true }, whisper: { allowed: true }, barge: { allowed: true } },
  levels: { heard: 0, sent: 0 },
});

function model(scope?: string) {
  document.body.innerHTML = scope ? `<span id="user-scope">${scope}</span>` : '';
  const views: InPageView[] = [];
  const enabled: boolean[] = [];
  const m = createInPageModel({
    root: document,
    config: { adapter: { ...earshotLabAdapter, userScope: '#user-scope' }, monitorScopes: ['Call Center Supervisor'], tapping: false },
    setIconsEnabled: (on) => enabled.push(on),
    onChange: (view) => views.push({ ...view }),
    setTimer: (callback, ms) => setTimeout(callback, ms) as unknown as number,
    clearTimer: (id) => clearTimeout(id),
  });
  return { m, views, enabled };
}

afterEach(() => vi.useRealTimers());

describe('the in-page panel model', () => {
  it('opens when a session goes live and closes a moment after it ends', () => {
    vi.useFakeTimers();
    const { m } = model();
    m.receive(state({ session: session('active') }));
    expect(m.view.open).toBe(true);
    m.receive(state({ revision: 2, session: session('ended') }));
    expect(m.view.open).toBe(true);
    vi.advanceTimersByTime(PANEL_LINGER_MS);
    expect(m.view.open).toBe(false);
  });

  it('keeps a failed session on screen until the supervisor closes the panel', () => {
    vi.useFakeTimers();
    const { m } = model();
    m.receive(state({ session: session('active') }));
    m.receive(state({ revision: 2, session: session('failed') }));
    vi.advanceTimersByTime(PANEL_LINGER_MS * 10);
    expect(m.view.open).toBe(true);
    m.setOpen(false);
    expect(m.view.open).toBe(false);
  });

  it("tells a user who may not monitor once, hides the icons, and forgets it when someone allowed signs in", () => {
    const { m, enabled } = model('Basic User');
    m.receive(state({ user: { dtmfMonitoringGranted: false } }));
    expect(m.view.notice).toMatch(/Basic Users cannot monitor/);
    expect(enabled.at(-1)).toBe(false);
    m.setNotice(undefined);
    m.receive(state({ revision: 2, user: { dtmfMonitoringGranted: false } }));
    expect(m.view.notice).toBeUndefined();
    document.getElementById('user-scope')!.textContent = 'Call Center Supervisor';
    m.pageChanged();
    expect(enabled.at(-1)).toBe(true);
  });

  it("shows the icon from the engine's dialog state, else from the portal's column", () => {
    const { m } = model();
    const row = { row: document.body, slot: document.body, extension: '1001', portalOnCall: true };
    expect(m.isOnCall(row)).toBe(true);
    m.receive(state({ agents: { '1001': { extension: '1001', dialog: 'terminated' } } }));
    expect(m.isOnCall(row)).toBe(false);
  });
});

describe("in-page model: the portal's monitoring right feeds the authority", () => {
  const fixture = (dir: string, name: string) => {
    const html = readFileSync(`tests/fixtures/portals/${dir}/${name}.html`, 'utf8');
    document.documentElement.innerHTML = new DOMParser().parseFromString(html, 'text/html').documentElement.innerHTML;
  };
  const open = (adapter: PortalAdapter) => {
    const enabled: boolean[] = [];
    const users: unknown[] = [];
    const m = createInPageModel({
      root: document,
      config: { adapter, monitorScopes: ['Call Center Supervisor'], tapping: false },
      setIconsEnabled: (on) => enabled.push(on),
      onChange: () => undefined,
      setTimer: () => 0,
      clearTimer: () => undefined,
      onPortalUser: (user) => users.push(user),
    });
    m.receive(state({ user: { dtmfMonitoringGranted: false } }));
    const compiled = compileAdapter(adapter);
    const rows = findRows(document, compiled).map((row) => readRow(row, compiled)).filter((row) => row !== undefined);
    return { m, enabled, users, rows };
  };

  it('a FusionPBX row on a call without the Eavesdrop button: no icon, and a start refused with the reason', () => {
    fixture('fusionpbx-call-center', 'no-monitor-right');
    const { m, rows } = open(BUILT_IN_ADAPTERS['fusionpbx-call-center']);
    const alice = rows.find((row) => row.extension === '1001')!;
    expect(alice.portalOnCall).toBe(true);
    expect(m.isOnCall(alice)).toBe(false);
    expect(m.startVerdict(alice)).toEqual({ allowed: false, reason: 'The portal does not let you monitor 1001: its row offers you no monitoring.' });
    // The same page with the button: the icon shows.
    fixture('fusionpbx-call-center', 'on-call');
    const again = open(BUILT_IN_ADAPTERS['fusionpbx-call-center']);
    const withRight = again.rows.find((row) => row.extension === '1001')!;
    expect(again.m.isOnCall(withRight)).toBe(true);
    expect(again.m.startVerdict(withRight)).toEqual({ allowed: true });
  });

  it('a NetSapiens page without allowmonitor: the user is reported without the right, icons off, the reason shown', () => {
    fixture('netsapiens-agents', 'no-monitor-right');
    const { m, enabled, users } = open(BUILT_IN_ADAPTERS['netsapiens-agents']);
    expect(users.at(-1)).toEqual({ scope: 'Call Center Agent', extension: '1001', monitorRight: false });
    expect(enabled.at(-1)).toBe(false);
    expect(m.view.notice).toBeTruthy();
  });

  it('a sign-in page (session expired) says nothing about the right: no refusal from it', () => {
    fixture('netsapiens-agents', 'session-expired');
    const { users } = open(BUILT_IN_ADAPTERS['netsapiens-agents']);
    expect(users.at(-1)).toEqual({});
  });
});
