// @vitest-environment node
import { afterEach, describe, expect, it } from 'vitest';
import { MediaHub } from '../media/hub';

/**
 * The bridge's routing matrix, driven tick by tick (autoStart: false) so the
 * energy figures are exact and nothing depends on timers.
 */
const hubs: MediaHub[] = [];
function hub(): MediaHub {
  const h = new MediaHub({ autoStart: false });
  hubs.push(h);
  h.addParty('agent', { kind: 'tone', hz: 440, amplitude: 0.2 });
  h.addParty('customer', { kind: 'tone', hz: 1000, amplitude: 0.2 });
  h.addParty('supervisor', { kind: 'tone', hz: 700, amplitude: 0.2 });
  return h;
}
function run(h: MediaHub, ms: number): void {
  for (let i = 0; i < ms / 10; i++) h.tick();
}
const TONE_RMS = 0.2 / Math.SQRT2;

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

describe('MediaHub routing matrix', () => {
  it('Listen: the supervisor hears both parties, nobody hears the supervisor', () => {
    const h = hub();
    h.setRoute('agent', ['customer']);
    h.setRoute('customer', ['agent']);
    h.setRoute('supervisor', ['agent', 'customer']);
    run(h, 1000);
    const sup = h.heard('supervisor');
    expect(sup.agent).toBeCloseTo(TONE_RMS, 3);
    expect(sup.customer).toBeCloseTo(TONE_RMS, 3);
    expect(h.heard('agent').supervisor ?? 0).toBe(0);
    expect(h.heard('customer').supervisor ?? 0).toBe(0);
    expect(h.heardMix('customer').toneHz).toBe(440);
    expect(h.heardMix('agent').toneHz).toBe(1000);
  });

  it('Whisper: the agent hears the supervisor, the customer never does', () => {
    const h = hub();
    h.setRoute('agent', ['customer', 'supervisor']);
    h.setRoute('customer', ['agent']);
    h.setRoute('supervisor', ['agent', 'customer']);
    run(h, 1000);
    expect(h.heard('agent').supervisor).toBeCloseTo(TONE_RMS, 3);
    expect(h.heard('customer')).toEqual({ agent: expect.closeTo(TONE_RMS, 3) });
    // The mix itself, measured by spectrum: no 700 Hz in what the customer heard.
    expect(h.heardMix('customer').toneHz).toBe(440);
    expect(h.heardMix('customer').rms).toBeCloseTo(TONE_RMS, 3);
  });

  it('Barge-In: everyone hears everyone else', () => {
    const h = hub();
    h.setRoute('agent', ['customer', 'supervisor']);
    h.setRoute('customer', ['agent', 'supervisor']);
    h.setRoute('supervisor', ['agent', 'customer']);
    run(h, 500);
    for (const [listener, others] of [
      ['agent', ['customer', 'supervisor']],
      ['customer', ['agent', 'supervisor']],
      ['supervisor', ['agent', 'customer']],
    ] as const) {
      const heard = h.heard(listener);
      expect(Object.keys(heard).sort()).toEqual([...others].sort());
      for (const o of others) expect(heard[o]).toBeCloseTo(TONE_RMS, 3);
    }
  });

  it('windows: a route change shows at once in a short window and in proportion in a long one', () => {
    const h = hub();
    h.setRoute('customer', ['agent']);
    run(h, 500);
    h.setRoute('customer', ['agent', 'supervisor']); // a wrong Whisper for 500 ms
    run(h, 500);
    h.setRoute('customer', ['agent']);
    run(h, 300);
    expect(h.heard('customer', 200).supervisor).toBe(0);
    // Over 1000 ms: 500 of the last 1000 ticks had the supervisor → RMS × √0.5.
    expect(h.heard('customer', 1000).supervisor).toBeCloseTo(TONE_RMS * Math.sqrt(0.5), 3);
    expect(h.heard('customer', 1300).supervisor).toBeCloseTo(TONE_RMS * Math.sqrt(500 / 1300), 3);
    expect(h.heard('customer', 1300).agent).toBeCloseTo(TONE_RMS, 3);
  });

  it('silence, setSource, removeParty, and clipping of the sum', () => {
    const h = hub();
    h.addParty('loud1', { kind: 'tone', hz: 300, amplitude: 0.9 });
    h.addParty('loud2', { kind: 'tone', hz: 300, amplitude: 0.9 });
    h.setRoute('customer', ['loud1', 'loud2']);
    h.setRoute('agent', ['supervisor']);
    run(h, 200);
    // In-phase 0.9 + 0.9 = a 1.8 peak sine (RMS 1.27) clipped at full scale: RMS ≈ 0.87.
    const mix = h.heardMix('customer', 200);
    expect(mix.rms).toBeGreaterThan(0.8);
    expect(mix.rms).toBeLessThan(0.95);
    expect(h.heard('customer', 200).loud1).toBeCloseTo(0.9 / Math.SQRT2, 3);
    h.setSource('supervisor', { kind: 'silence' });
    run(h, 200);
    expect(h.heard('agent', 200).supervisor).toBe(0);
    expect(h.heardMix('agent', 200).rms).toBe(0);
    h.removeParty('supervisor');
    run(h, 100);
    expect(h.heard('agent', 100)).toEqual({ supervisor: 0 });
    expect(h.stats()).toMatchObject({ legs: 0, parties: 4 });
    expect(h.stats().tickMeanUs).toBeGreaterThan(0);
  });

  it('refuses duplicate ids and unknown parties', () => {
    const h = hub();
    expect(() => h.addParty('agent', { kind: 'silence' })).toThrow(/already in use/);
    expect(() => h.setSource('nobody', { kind: 'silence' })).toThrow(/no party/);
    expect(h.heard('nobody')).toEqual({});
    expect(h.sent('nobody')).toEqual({ rms: 0, frames: 0 });
  });
});
