// @vitest-environment node
import { afterEach, describe, expect, it } from 'vitest';
import { dtmfFrequencies } from '../media/dtmf-detect';
import { MediaHub } from '../media/hub';
import type { WebRtcLeg } from '../media/leg';
import { telephoneEvents } from '../media/sdp';
import { NodeClient } from '../media/test-client';
import { DualToneGenerator, ToneGenerator } from '../media/tone';

/**
 * Real WebRTC (ICE, DTLS-SRTP, Opus) between a Node client peer standing in
 * for the browser and a WebRtcLeg, on 127.0.0.1. Conditions are polled with
 * generous timeouts; nothing asserts on timing.
 */
const clients: NodeClient[] = [];
const hubs: MediaHub[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function until<T>(what: string, probe: () => T, ok: (v: T) => boolean, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A call (agent 440 Hz ↔ customer 1000 Hz) and a supervisor leg answered for a Node client. */
async function setup(clientTone: number | null): Promise<{ hub: MediaHub; leg: WebRtcLeg; client: NodeClient; answer: string }> {
  const hub = new MediaHub();
  hubs.push(hub);
  hub.addParty('agent', { kind: 'tone', hz: 440 });
  hub.addParty('customer', { kind: 'tone', hz: 1000 });
  hub.setRoute('agent', ['customer']);
  hub.setRoute('customer', ['agent']);
  const leg = hub.createLeg('sup');
  const client = new NodeClient(clientTone === null ? null : new ToneGenerator(clientTone, 0.3));
  clients.push(client);
  const answer = await leg.answer(await client.createOffer());
  await client.acceptAnswer(answer);
  await until('leg connected', () => leg.state, (s) => s === 'connected');
  return { hub, leg, client, answer };
}

describe('WebRtcLeg with a Node client peer', { timeout: 20_000 }, () => {
  it('answers non-trickle with 127.0.0.1 host candidates only and keeps telephone-event', async () => {
    const { answer, leg } = await setup(null);
    const cands = answer.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
    expect(cands.length).toBeGreaterThan(0);
    for (const c of cands) expect(c.split(' ')[4]).toBe('127.0.0.1');
    expect(answer).toMatch(/^c=IN IP4 127\.0\.0\.1$/m);
    expect(answer).toMatch(/^a=sendrecv$/m);
    // Offered /48000 and /8000 next to Opus (like Chrome): only the 48 kHz one is kept (sdp.ts dtmfFriendlyOffer).
    expect(telephoneEvents(answer).map((t) => t.rate)).toEqual([48000]);
    expect(leg.state).toBe('connected');
  });

  it('the lab receives the client tone (700 Hz) and the client hears only what is routed to it', async () => {
    const { hub, client } = await setup(700);
    // Whisper: supervisor hears the call; the agent hears the supervisor; the customer does not.
    hub.setRoute('sup', ['agent']);
    hub.setRoute('agent', ['customer', 'sup']);
    // 0.3 peak → 0.21 RMS; Opus keeps it within a few dB once the window is past the call setup.
    const sent = await until('700 Hz at the lab', () => hub.sent('sup', 500), (s) => s.frames >= 30 && s.rms > 0.15 && s.toneHz !== undefined && Math.abs(s.toneHz - 700) <= 3);
    expect(sent.rms).toBeLessThan(0.3);
    await until('client hears the agent (440 Hz)', () => client.heard(500), (h) => h.toneHz !== undefined && Math.abs(h.toneHz - 440) <= 3);
    await until('agent hears the supervisor', () => hub.heard('agent', 500).sup ?? 0, (v) => v > 0.1);
    await sleep(300);
    expect(hub.heard('customer', 1000).sup ?? 0).toBe(0);
    expect(hub.heardMix('customer', 500).toneHz).toBe(440);
    expect(hub.heard('agent', 500).customer).toBeGreaterThan(0.15);
    // Re-route the supervisor to the customer only: the client now hears 1000 Hz.
    hub.setRoute('sup', ['customer']);
    await until('client hears the customer (1000 Hz)', () => client.heard(300), (h) => h.toneHz !== undefined && Math.abs(h.toneHz - 1000) <= 3);
  });

  it('Listen: a client that sends silence reads as silence at the lab', async () => {
    const { hub } = await setup(null);
    hub.setRoute('sup', ['agent', 'customer']);
    const sent = await until('frames received', () => hub.sent('sup', 1000), (s) => s.frames >= 50);
    expect(sent.rms).toBeLessThan(0.001);
    expect(sent.toneHz).toBeUndefined();
  });

  it('detects in-band DTMF sent through Opus, once per key', async () => {
    const { leg, client } = await setup(null);
    const got: string[] = [];
    leg.onDtmf((d) => got.push(d));
    for (const key of ['1', '#', '9', '9', 'D']) {
      const [r, c] = dtmfFrequencies(key);
      client.setGenerator(new DualToneGenerator(r, c, 0.125));
      await sleep(120);
      client.setGenerator(null);
      await sleep(100);
    }
    await until('five digits', () => got.join(''), (s) => s.length >= 5);
    await sleep(300);
    expect(got.join('')).toBe('1#99D');
  });

  it('PBX-originated: the lab offers, the client answers, audio flows both ways; close ends it', async () => {
    const hub = new MediaHub();
    hubs.push(hub);
    hub.addParty('agent', { kind: 'tone', hz: 440 });
    const leg = hub.createLeg('sup');
    const states: string[] = [];
    leg.onStateChange((s) => states.push(s));
    hub.setRoute('sup', ['agent']);
    const client = new NodeClient(new ToneGenerator(850, 0.3));
    clients.push(client);
    const offer = await leg.offer();
    expect(offer.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:')).every((l) => l.includes(' 127.0.0.1 '))).toBe(true);
    await leg.acceptAnswer(await client.answer(offer));
    await until('connected', () => leg.state, (s) => s === 'connected');
    await until('850 Hz at the lab', () => hub.sent('sup', 500).toneHz, (hz) => hz !== undefined && Math.abs(hz - 850) <= 3);
    await until('client hears 440 Hz', () => client.heard(500).toneHz, (hz) => hz !== undefined && Math.abs(hz - 440) <= 3);
    expect(hub.stats().legs).toBe(1);
    hub.removeLeg('sup');
    expect(leg.state).toBe('closed');
    expect(states).toContain('connected');
    expect(states.at(-1)).toBe('closed');
    expect(hub.stats().legs).toBe(0);
  });
});
