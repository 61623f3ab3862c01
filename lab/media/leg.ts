import wrtc, { type WAudioSink, type WAudioSource, type WMediaStreamTrack, type WPeerConnection } from '@roamhq/wrtc';
import { FRAME_SAMPLES, SAMPLE_RATE, sumSquares } from './audio';
import { DtmfDetector } from './dtmf-detect';
import { dominantTone } from './goertzel';
import { ToMono48k } from './resample';
import { SampleRing, TickRing } from './ring';
import { dtmfFriendlyOffer, restrictCandidates, type CandidatePolicy } from './sdp';

export type LegState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

export interface WebRtcLeg {
  readonly id: string;
  /** Answer an SDP offer. Resolves with the full answer SDP after ICE gathering (non-trickle, host candidates on 127.0.0.1). */
  answer(offerSdp: string): Promise<string>;
  /** Create an offer (PBX-originated call / lab re-INVITE); later acceptAnswer(). */
  offer(): Promise<string>;
  acceptAnswer(answerSdp: string): Promise<void>;
  readonly state: LegState;
  onStateChange(cb: (s: LegState) => void): () => void;
  /** DTMF digits detected in the audio received from this leg (RFC 4733 rendered by NetEq as tones, or in-band). */
  onDtmf(cb: (digit: string) => void): () => void;
  /** RTP packets received so far (the peer connection's inbound-rtp stats): what a PBX's RTP timeout watches. */
  packetsReceived(): Promise<number>;
  close(): void;
}

export interface LegOptions {
  /** Which ICE candidates the lab advertises. Default 'loopback' (127.0.0.1 only). */
  candidates?: CandidatePolicy;
  /** Max time to wait for ICE gathering before returning the SDP as is. Default 5000 ms. */
  gatherTimeoutMs?: number;
  /** Jitter buffer depth cap in 10 ms frames; older frames are dropped beyond it. Default 8. */
  maxQueuedFrames?: number;
}

/** How long the leg keeps what it received, for sent(): 5 s. */
const HISTORY_MS = 5000;

/**
 * One real WebRTC peer connection (ICE + DTLS-SRTP, Opus/PCMU by libwebrtc)
 * between the lab and a SIP client. The hub pulls its received audio one
 * 10 ms frame per tick and pushes it one mixed frame per tick.
 */
export class Leg implements WebRtcLeg {
  private readonly pc: WPeerConnection;
  private readonly source: WAudioSource;
  private readonly track: WMediaStreamTrack;
  private sink: WAudioSink | null = null;
  private sinkTrackId: string | null = null;
  private readonly resampler = new ToMono48k();
  private pending = new Float32Array(0);
  private readonly queue: Float32Array[] = [];
  private readonly detector = new DtmfDetector({ sampleRate: SAMPLE_RATE });
  private readonly rxEnergy = new TickRing((HISTORY_MS / 10) * 2);
  private readonly rxAudio = new SampleRing(SAMPLE_RATE); // last 1 s, for toneHz
  private readonly stateCbs = new Set<(s: LegState) => void>();
  private readonly dtmfCbs = new Set<(d: string) => void>();
  private readonly frameCbs = new Set<(frame: Float32Array) => void>();
  private readonly sendBuf = new Int16Array(FRAME_SAMPLES);
  private current: LegState = 'new';
  /** Frames dropped because the queue was full, and ticks that found it empty (diagnostics). */
  readonly counters = { received: 0, dropped: 0, underruns: 0 };
  readonly dtmfDigits: string[] = [];

  constructor(
    readonly id: string,
    private readonly opts: LegOptions = {},
  ) {
    this.pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    this.source = new wrtc.nonstandard.RTCAudioSource();
    this.track = this.source.createTrack();
    this.pc.ontrack = (ev) => this.attachSink(ev.track);
    this.pc.addEventListener('connectionstatechange', () => this.updateState());
  }

  get state(): LegState {
    return this.current;
  }

  async answer(offerSdp: string): Promise<string> {
    // RFC 4733 digits NetEq can play in full (telephone-event at the codec's rate, see sdp.ts).
    await this.pc.setRemoteDescription({ type: 'offer', sdp: dtmfFriendlyOffer(offerSdp) });
    // The offer created the transceiver; give it our mix track so the answer
    // is sendrecv (or sendonly if the client only receives, e.g. Listen).
    for (const t of this.pc.getTransceivers()) {
      if (t.receiver.track.kind !== 'audio' || t.stopped) continue;
      if (t.sender.track === null) await t.sender.replaceTrack(this.track);
      if (t.direction !== 'sendrecv') t.direction = 'sendrecv';
    }
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    return this.localSdp();
  }

  async offer(): Promise<string> {
    if (this.pc.getTransceivers().length === 0) this.pc.addTransceiver(this.track, { direction: 'sendrecv' });
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    return this.localSdp();
  }

  async acceptAnswer(answerSdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  }

  onStateChange(cb: (s: LegState) => void): () => void {
    this.stateCbs.add(cb);
    return () => this.stateCbs.delete(cb);
  }

  onDtmf(cb: (digit: string) => void): () => void {
    this.dtmfCbs.add(cb);
    return () => this.dtmfCbs.delete(cb);
  }

  async packetsReceived(): Promise<number> {
    if (this.current === 'closed') return 0;
    const report = await this.pc.getStats();
    let packets = 0;
    // Not the decoded frames: the jitter buffer plays out concealment every 10 ms with no packet at all.
    for (const stat of report.values()) if (stat.type === 'inbound-rtp') packets += stat.packetsReceived ?? 0;
    return packets;
  }

  /** Every received 10 ms frame (48 kHz mono) as it arrives, for recordings and diagnostics. */
  onFrame(cb: (frame: Float32Array) => void): () => void {
    this.frameCbs.add(cb);
    return () => this.frameCbs.delete(cb);
  }

  close(): void {
    if (this.current === 'closed') return;
    this.sink?.stop();
    this.sink = null;
    this.pc.close();
    this.track.stop();
    this.setState('closed');
    this.stateCbs.clear();
    this.dtmfCbs.clear();
    this.frameCbs.clear();
  }

  /** Hub side: the next received 10 ms frame, or silence (jitter buffer empty). */
  pullFrame(out: Float32Array): void {
    const f = this.queue.shift();
    if (f) out.set(f);
    else {
      out.fill(0);
      if (this.current === 'connected') this.counters.underruns++;
    }
  }

  /** Hub side: send one 10 ms mixed frame to the client. */
  pushFrame(frame: Float32Array): void {
    if (this.current === 'closed') return;
    const buf = this.sendBuf;
    for (let i = 0; i < frame.length; i++) {
      const v = frame[i]!;
      buf[i] = v >= 1 ? 32767 : v <= -1 ? -32768 : Math.round(v * 32767);
    }
    this.source.onData({ samples: buf, sampleRate: SAMPLE_RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME_SAMPLES });
  }

  /** What the client sent to the lab over the last windowMs. */
  sent(windowMs = 1000): { rms: number; toneHz?: number; frames: number } {
    const { sum, count } = this.rxEnergy.sumSince(performance.now() - windowMs);
    const r = count === 0 ? 0 : Math.sqrt(sum / (count * FRAME_SAMPLES));
    const samples = Math.min(Math.round((windowMs / 1000) * SAMPLE_RATE), count * FRAME_SAMPLES);
    const toneHz = r >= 0.001 ? dominantTone(this.rxAudio.last(samples)) : undefined;
    return toneHz === undefined ? { rms: r, frames: count } : { rms: r, toneHz, frames: count };
  }

  private attachSink(track: WMediaStreamTrack): void {
    if (track.kind !== 'audio' || track.id === this.sinkTrackId) return;
    this.sink?.stop();
    this.sinkTrackId = track.id;
    const sink = new wrtc.nonstandard.RTCAudioSink(track);
    sink.ondata = (d) => this.onReceived(this.resampler.convert(d.samples, d.sampleRate, d.channelCount));
    this.sink = sink;
  }

  /** Re-chunk to exact 480-sample frames; meter, detect DTMF, queue for the hub. */
  private onReceived(samples: Float32Array): void {
    if (this.current === 'closed') return;
    let buf = samples;
    if (this.pending.length > 0) {
      buf = new Float32Array(this.pending.length + samples.length);
      buf.set(this.pending);
      buf.set(samples, this.pending.length);
    }
    let off = 0;
    const now = performance.now();
    for (; off + FRAME_SAMPLES <= buf.length; off += FRAME_SAMPLES) {
      const frame = buf.slice(off, off + FRAME_SAMPLES);
      this.counters.received++;
      this.rxEnergy.push(now, sumSquares(frame));
      this.rxAudio.write(frame);
      this.queue.push(frame);
      if (this.queue.length > (this.opts.maxQueuedFrames ?? 8)) {
        this.queue.shift();
        this.counters.dropped++;
      }
      for (const digit of this.detector.push(frame)) {
        this.dtmfDigits.push(digit);
        for (const cb of [...this.dtmfCbs]) cb(digit);
      }
      for (const cb of this.frameCbs) cb(frame);
    }
    this.pending = buf.slice(off);
  }

  private async localSdp(): Promise<string> {
    await this.gathered();
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new Error(`leg ${this.id}: no local description`);
    return restrictCandidates(sdp, this.opts.candidates ?? 'loopback');
  }

  private gathered(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      };
      const check = (): void => {
        if (this.pc.iceGatheringState === 'complete') done();
      };
      const timer = setTimeout(done, this.opts.gatherTimeoutMs ?? 5000);
      this.pc.addEventListener('icegatheringstatechange', check);
    });
  }

  private updateState(): void {
    if (this.current === 'closed') return;
    const s = this.pc.connectionState;
    // 'disconnected' is transient in libwebrtc (consent lost, may recover): report it as connecting.
    const mapped: LegState = s === 'disconnected' ? 'connecting' : s;
    this.setState(mapped);
  }

  private setState(s: LegState): void {
    if (s === this.current) return;
    this.current = s;
    for (const cb of [...this.stateCbs]) cb(s);
  }
}
