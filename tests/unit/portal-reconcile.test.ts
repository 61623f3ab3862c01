import { describe, expect, it } from 'vitest';
import { pbxWins } from '@/lib/contract/sources';
import { earshotLabAdapter } from '@/lib/portals/earshot-lab';
import { createInPageModel } from '@/lib/portals/in-page-model';
import { Disagreements, reconcileCall } from '@/lib/portals/reconcile';

describe('reconcileCall: which source wins', () => {
  const pbx = (dialog: 'idle' | 'early' | 'confirmed' | 'terminated' | 'unknown', remote?: string) => ({
    extension: '1001',
    dialog,
    ...(remote ? { remote: { uri: remote, onNet: false } } : {}),
  });
  it.each([
    // [portal on call, PBX dialog, on call, decided by, disagreement]
    [true, 'confirmed', true, 'pbx', false],
    [false, 'confirmed', true, 'pbx', true], // the portal lags (a re-render every 1.5 s)
    [true, 'idle', false, 'pbx', true], // a stale page cannot show an icon the PBX says no to
    [true, 'early', false, 'pbx', true],
    [true, 'unknown', true, 'portal', false], // dialog-info says nothing: the portal decides the icon
    [true, undefined, true, 'portal', false],
    [undefined, 'confirmed', true, 'pbx', false],
    [undefined, undefined, false, 'none', false],
  ] as const)('portal %s, PBX %s → on call %s from %s (disagreement: %s)', (portalOnCall, dialog, onCall, from, disagrees) => {
    const verdict = reconcileCall('1001', portalOnCall === undefined ? {} : { portalOnCall }, dialog ? pbx(dialog) : undefined);
    expect(verdict.onCall).toBe(onCall);
    expect(verdict.onCallFrom).toBe(from);
    expect(verdict.disagreement !== undefined).toBe(disagrees);
  });

  it("takes the PBX's other party when dialog-info named one, the portal's otherwise", () => {
    expect(reconcileCall('1001', { otherParty: '5550101' }, pbx('confirmed', 'sip:5550102@acme.example.com')).otherParty).toEqual({ from: 'pbx', uri: 'sip:5550102@acme.example.com' });
    expect(reconcileCall('1001', { otherParty: '5550101' }, pbx('confirmed')).otherParty).toEqual({ from: 'portal', text: '5550101' });
    expect(reconcileCall('1001', {}, pbx('confirmed')).otherParty).toBeUndefined();
  });

  it('tells each disagreement once per agent until it changes or ends', () => {
    const told: string[] = [];
    const d = new Disagreements((text) => told.push(text));
    d.note('1001', 'a');
    d.note('1001', 'a');
    d.note('1002', 'a');
    d.note('1001', undefined);
    d.note('1001', 'a');
    d.note('1001', 'b');
    expect(told).toEqual(['a', 'a', 'a', 'b']);
  });
});

describe('the in-page model follows the PBX and logs the disagreement', () => {
  it('hides the icon of an agent the page shows on a call and the PBX does not, and says so once', () => {
    const told: string[] = [];
    const m = createInPageModel({
      root: document,
      config: { adapter: earshotLabAdapter, monitorScopes: ['Call Center Supervisor'], tapping: false },
      setIconsEnabled: () => undefined,
      onChange: () => undefined,
      setTimer: () => 0,
      clearTimer: () => undefined,
      onDisagreement: (text) => told.push(text),
    });
    m.receive({
      revision: 1,
      configured: true,
      registration: { status: 'registered', since: 0 },
      user: { dtmfMonitoringGranted: false },
      agents: { '1001': { extension: '1001', dialog: 'idle' } },
      session: null,
      microphone: 'not-needed',
      log: [],
    });
    const row = { row: document.body, slot: document.body, extension: '1001', portalOnCall: true };
    expect(m.isOnCall(row)).toBe(false);
    expect(m.isOnCall(row)).toBe(false);
    expect(told).toEqual(["1001: the portal shows a call, the PBX's dialog-info says idle; following the PBX."]);
  });
});

describe('pbxWins: the one rule both the content script and the engine follow', () => {
  it("gives the PBX's value whenever it has one, the portal's only where it has none", () => {
    expect(pbxWins(false, true)).toEqual({ from: 'pbx', value: false });
    expect(pbxWins(undefined, '5550101')).toEqual({ from: 'portal', value: '5550101' });
    expect(pbxWins('sip:5550102@acme.example.com', '5550101')).toEqual({ from: 'pbx', value: 'sip:5550102@acme.example.com' });
    expect(pbxWins(undefined, undefined)).toBeUndefined();
  });
});
