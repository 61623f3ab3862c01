import { FRAME_MS, FRAME_SAMPLES, sumSquares } from './audio';
import { dominantTone } from './goertzel';
import { Leg, type LegOptions, type WebRtcLeg } from './leg';
import { mixInto } from './mixer';
import { SampleRing, TickRing } from './ring';
import { createGenerator, type FrameGenerator, type PartySource } from './tone';

/** Energy history per (listener, source): 10 s of ticks. */
const HISTORY_TICKS = 1000;
/** Beyond this lateness the clock jumps instead of bursting (e.g. after a debugger pause). */
const MAX_CATCH_UP_TICKS = 20;

interface Party {
  kind: 'party';
  gen: FrameGenerator;
}
interface LegEntry {
  kind: 'leg';
  leg: Leg;
}
type Node = Party | LegEntry;

interface ListenerMeter {
  /** Ticks on which this listener was mixed (the window's denominator). */
  ticks: TickRing;
  perSource: Map<string, TickRing>;
  /** The last 1 s of what it actually heard (the clipped mix), for heardMix(). */
  audio: SampleRing;
}

export interface HubOptions {
  frameMs?: 10;
  /** Start the 10 ms clock. Default true; tests of the mixer drive tick() by hand with false. */
  autoStart?: boolean;
}

/**
 * The PBX's conference bridge: every 10 ms it takes one frame from each
 * source (simulated parties generate one, legs give what the client sent),
 * mixes for each listener the sources routed to it, sends legs their mix
 * and meters every (listener, source) contribution.
 */
export class MediaHub {
  private readonly nodes = new Map<string, Node>();
  private readonly routes = new Map<string, string[]>();
  private readonly meters = new Map<string, ListenerMeter>();
  private readonly frames = new Map<string, Float32Array>();
  private readonly mix = new Float32Array(FRAME_SAMPLES);
  private readonly tickCosts = new Float64Array(1000);
  private tickCostCount = 0;
  private tickNo = 0;
  private timer: NodeJS.Timeout | null = null;
  private nextAt = 0;
  private closed = false;

  constructor(options: HubOptions = {}) {
    if (options.frameMs !== undefined && options.frameMs !== FRAME_MS) throw new Error('MediaHub: only 10 ms frames are supported');
    if (options.autoStart ?? true) this.start();
  }

  addParty(id: string, source: PartySource): void {
    this.assertFree(id);
    this.nodes.set(id, { kind: 'party', gen: createGenerator(source) });
  }

  setSource(id: string, source: PartySource): void {
    const n = this.nodes.get(id);
    if (!n || n.kind !== 'party') throw new Error(`MediaHub: no party ${id}`);
    n.gen = createGenerator(source);
  }

  removeParty(id: string): void {
    const n = this.nodes.get(id);
    if (n?.kind !== 'party') return;
    this.forget(id);
  }

  createLeg(id: string, options?: LegOptions): WebRtcLeg {
    this.assertFree(id);
    const leg = new Leg(id, options);
    this.nodes.set(id, { kind: 'leg', leg });
    return leg;
  }

  /** The leg with that id (the SIP side may need it again, e.g. on re-INVITE). */
  getLeg(id: string): WebRtcLeg | undefined {
    const n = this.nodes.get(id);
    return n?.kind === 'leg' ? n.leg : undefined;
  }

  removeLeg(id: string): void {
    const n = this.nodes.get(id);
    if (n?.kind !== 'leg') return;
    n.leg.close();
    this.forget(id);
  }

  /** Listener hears exactly these sources (mixed); replaces its previous route. Unknown ids are silently silent. */
  setRoute(listener: string, sources: string[]): void {
    this.routes.set(listener, [...new Set(sources)]);
  }

  /** The current route of a listener (for the control API). */
  getRoute(listener: string): string[] {
    return [...(this.routes.get(listener) ?? [])];
  }

  /** RMS (0..1) of each source's contribution to what `listener` heard over the last windowMs. */
  heard(listener: string, windowMs = 1000): Record<string, number> {
    const m = this.meters.get(listener);
    const out: Record<string, number> = {};
    if (!m) return out;
    const from = this.tickNo - Math.max(1, Math.round(windowMs / FRAME_MS));
    const ticks = m.ticks.sumSince(from).count;
    if (ticks === 0) return out;
    for (const [src, ring] of m.perSource) {
      const { sum } = ring.sumSince(from);
      out[src] = Math.sqrt(sum / (ticks * FRAME_SAMPLES));
    }
    return out;
  }

  /** RMS and strongest tone of the actual (clipped) mix `listener` heard; at most the last 1 s. */
  heardMix(listener: string, windowMs = 1000): { rms: number; toneHz?: number } {
    const m = this.meters.get(listener);
    if (!m) return { rms: 0 };
    const x = m.audio.last(Math.round((Math.min(windowMs, 1000) / 1000) * 48_000));
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
    const rms = x.length ? Math.sqrt(s / x.length) : 0;
    const toneHz = rms >= 0.001 ? dominantTone(x) : undefined;
    return toneHz === undefined ? { rms } : { rms, toneHz };
  }

  /** What a leg sent to the lab over the window (Listen must read rms < 0.001). */
  sent(legId: string, windowMs = 1000): { rms: number; toneHz?: number; frames: number } {
    const n = this.nodes.get(legId);
    if (n?.kind !== 'leg') return { rms: 0, frames: 0 };
    return n.leg.sent(windowMs);
  }

  stats(): { tickMeanUs: number; tickP95Us: number; legs: number; parties: number; ticks: number } {
    const n = Math.min(this.tickCostCount, this.tickCosts.length);
    const costs = Array.from(this.tickCosts.subarray(0, n)).sort((a, b) => a - b);
    const mean = n ? costs.reduce((a, b) => a + b, 0) / n : 0;
    const p95 = n ? costs[Math.min(n - 1, Math.floor(n * 0.95))]! : 0;
    let legs = 0;
    let parties = 0;
    for (const node of this.nodes.values()) {
      if (node.kind === 'leg') legs++;
      else parties++;
    }
    return { tickMeanUs: mean, tickP95Us: p95, legs, parties, ticks: this.tickNo };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [id, n] of this.nodes) if (n.kind === 'leg') this.removeLeg(id);
    this.nodes.clear();
    this.routes.clear();
    this.meters.clear();
    // Let libwebrtc's threads see the closes before the caller tears the process down.
    await new Promise((r) => setTimeout(r, 50));
  }

  /** One 10 ms step. Public so that mixer tests can drive the clock deterministically. */
  tick(): void {
    const t0 = performance.now();
    this.tickNo++;
    // 1. One frame per source, computed once whoever hears it.
    for (const [id, node] of this.nodes) {
      let f = this.frames.get(id);
      if (!f) this.frames.set(id, (f = new Float32Array(FRAME_SAMPLES)));
      if (node.kind === 'party') node.gen.next(f);
      else node.leg.pullFrame(f);
    }
    // 2. Each listener (party or leg) hears the sum of its route.
    for (const [id, node] of this.nodes) {
      const route = this.routes.get(id) ?? [];
      const m = this.meter(id);
      m.ticks.push(this.tickNo, 1);
      const parts: Float32Array[] = [];
      for (const src of route) {
        const f = this.nodes.has(src) ? this.frames.get(src) : undefined;
        if (!f) continue;
        parts.push(f);
        let ring = m.perSource.get(src);
        if (!ring) m.perSource.set(src, (ring = new TickRing(HISTORY_TICKS)));
        ring.push(this.tickNo, sumSquares(f));
      }
      mixInto(this.mix, parts);
      m.audio.write(this.mix);
      // Legs always get a frame (silence when unrouted) so RTP keeps flowing.
      if (node.kind === 'leg') node.leg.pushFrame(this.mix);
    }
    const cost = (performance.now() - t0) * 1000;
    this.tickCosts[this.tickCostCount++ % this.tickCosts.length] = cost;
  }

  private start(): void {
    this.nextAt = performance.now() + FRAME_MS;
    const loop = (): void => {
      if (this.closed) return;
      let now = performance.now();
      if (now - this.nextAt > MAX_CATCH_UP_TICKS * FRAME_MS) this.nextAt = now; // too far behind: skip, don't burst
      // Catch up every frame that is due (setTimeout fires late by ~1 ms routinely, sometimes much more).
      while (now >= this.nextAt) {
        this.tick();
        this.nextAt += FRAME_MS;
        now = performance.now();
      }
      this.timer = setTimeout(loop, Math.max(0, this.nextAt - now));
      // The hub alone must not keep the process alive (the server or the test does).
      this.timer.unref();
    };
    this.timer = setTimeout(loop, FRAME_MS);
    this.timer.unref();
  }

  private meter(id: string): ListenerMeter {
    let m = this.meters.get(id);
    if (!m) this.meters.set(id, (m = { ticks: new TickRing(HISTORY_TICKS), perSource: new Map(), audio: new SampleRing(48_000) }));
    return m;
  }

  private forget(id: string): void {
    this.nodes.delete(id);
    this.frames.delete(id);
    this.meters.delete(id);
    this.routes.delete(id);
  }

  private assertFree(id: string): void {
    if (this.nodes.has(id)) throw new Error(`MediaHub: id ${id} already in use`);
  }
}
