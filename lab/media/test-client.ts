import wrtc, { type WAudioSink, type WAudioSource, type WMediaStreamTrack, type WPeerConnection } from '@roamhq/wrtc';
import { FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE } from './audio';
import { dominantTone } from './goertzel';
import { ToMono48k } from './resample';
import { SampleRing } from './ring';
import type { FrameGenerator } from './tone';

/**
 * A Node stand-in for a browser/sip.js client, for tests and the benchmark:
 * a wrtc peer connection that sends a generated signal and records what it
 * receives. Not used by the lab itself.
 */
export class NodeClient {
  readonly pc: WPeerConnection;
  private readonly source: WAudioSource;
  private readonly track: WMediaStreamTrack;
  private sink: WAudioSink | null = null;
  private readonly resampler = new ToMono48k();
  private readonly received = new SampleRing(SAMPLE_RATE * 2);
  private receivedAt: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly frame = new Float32Array(FRAME_SAMPLES);
  private readonly pcm = new Int16Array(FRAME_SAMPLES);

  constructor(private gen: FrameGenerator | null = null) {
    this.pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    this.source = new wrtc.nonstandard.RTCAudioSource();
    this.track = this.source.createTrack();
    this.pc.ontrack = (ev) => {
      const sink = new wrtc.nonstandard.RTCAudioSink(ev.track);
      sink.ondata = (d) => {
        this.received.write(this.resampler.convert(d.samples, d.sampleRate, d.channelCount));
        this.receivedAt.push(performance.now());
      };
      this.sink = sink;
    };
    // Send every 10 ms (silence when no generator) like a browser's capture.
    this.timer = setInterval(() => {
      if (this.gen) this.gen.next(this.frame);
      else this.frame.fill(0);
      for (let i = 0; i < FRAME_SAMPLES; i++) this.pcm[i] = Math.max(-32768, Math.min(32767, Math.round(this.frame[i]! * 32767)));
      this.source.onData({ samples: this.pcm, sampleRate: SAMPLE_RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME_SAMPLES });
    }, FRAME_MS);
  }

  setGenerator(gen: FrameGenerator | null): void {
    this.gen = gen;
  }

  async createOffer(): Promise<string> {
    this.pc.addTransceiver(this.track, { direction: 'sendrecv' });
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    await gathered(this.pc);
    return this.pc.localDescription!.sdp;
  }

  async acceptAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  async answer(offerSdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    // Send on the transceiver the offer created (one added beforehand would not be matched to its m-line).
    for (const t of this.pc.getTransceivers()) {
      if (t.sender.track === null) await t.sender.replaceTrack(this.track);
      t.direction = 'sendrecv';
    }
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    await gathered(this.pc);
    return this.pc.localDescription!.sdp;
  }

  /** RMS and strongest tone of the last windowMs of received audio. */
  heard(windowMs = 500): { rms: number; toneHz?: number } {
    const x = this.received.last(Math.round((windowMs / 1000) * SAMPLE_RATE));
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
    const rms = x.length ? Math.sqrt(s / x.length) : 0;
    const toneHz = rms >= 0.001 ? dominantTone(x) : undefined;
    return toneHz === undefined ? { rms } : { rms, toneHz };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sink?.stop();
    this.sink = null;
    this.pc.close();
    this.track.stop();
  }
}

function gathered(pc: WPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const check = (): void => {
      if (pc.iceGatheringState === 'complete') {
        pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      }
    };
    pc.addEventListener('icegatheringstatechange', check);
  });
}
