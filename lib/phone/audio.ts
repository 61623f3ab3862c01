/**
 * Audio around the monitor call: what the supervisor hears (an `<audio>`
 * element with output device and volume), the silent track sent in Listen,
 * and the level meters. Browser-only; the engine sees the interfaces.
 */

/** Plays the call's audio and measures levels. One per engine. */
export interface AudioOutput {
  /** Starts playing the PBX's audio (replaces any previous stream). */
  play(stream: MediaStream): void;
  /** Stops playing and drops the meters. */
  stop(): void;
  /** Output device (setSinkId where supported) and volume 0..1. */
  configure(options: { deviceId?: string; volume?: number }): Promise<void>;
  /** Measures what is sent from now on (microphone in Whisper/Join); undefined stops it. */
  meterSent(track: MediaStreamTrack | undefined): void;
  /** Current RMS levels, 0..1. */
  levels(): { heard: number; sent: number };
}

/** Creates a silent audio track; one per call. */
export interface SilentSource {
  track(): MediaStreamTrack;
  /** Gets ready ahead of the first call (where that is slow), without running anything. */
  prepare?(): void;
  /** No call needs silence now: stop producing it (no audio thread ticking while idle). */
  idle?(): void;
  close(): void;
}

type AudioContextCtor = new () => AudioContext;

function audioContextCtor(): AudioContextCtor | undefined {
  return (globalThis as { AudioContext?: AudioContextCtor }).AudioContext;
}

/** RMS of an analyser's current time-domain window, scaled to 0..1. */
export function rmsLevel(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / samples.length);
  // Speech RMS rarely exceeds ~0.3 of full scale: scale so a normal voice reads mid-meter.
  return Math.min(1, rms * 3);
}

class Meter {
  private readonly buffer: Float32Array<ArrayBuffer>;
  private readonly source: MediaStreamAudioSourceNode;
  constructor(
    context: AudioContext,
    stream: MediaStream,
    private readonly analyser = context.createAnalyser(),
  ) {
    analyser.fftSize = 1024;
    this.buffer = new Float32Array(analyser.fftSize);
    this.source = context.createMediaStreamSource(stream);
    // Analyse only: nothing is connected to the destination, the element plays.
    this.source.connect(analyser);
  }
  level(): number {
    this.analyser.getFloatTimeDomainData(this.buffer);
    return rmsLevel(this.buffer);
  }
  disconnect(): void {
    this.source.disconnect();
  }
}

/** setSinkId is missing in some browsers (Firefox before 116 without a pref). */
type SinkableAudio = Omit<HTMLAudioElement, 'setSinkId'> & { setSinkId?: (deviceId: string) => Promise<void> };

/**
 * `<audio>` playback plus AnalyserNode meters. The AudioContext is created
 * on first use (Firefox background pages start it suspended: the element
 * still plays, the meters then read 0 until it may resume).
 */
export class ElementAudioOutput implements AudioOutput {
  private element: SinkableAudio | undefined;
  private context: AudioContext | undefined;
  private heard: Meter | undefined;
  private sent: Meter | undefined;
  private volume = 1;
  private deviceId: string | undefined;

  constructor(private readonly doc: Document = globalThis.document) {}

  private ctx(): AudioContext | undefined {
    if (!this.context) {
      const Ctor = audioContextCtor();
      if (!Ctor) return undefined;
      this.context = new Ctor();
    }
    if (this.context.state === 'suspended') void this.context.resume().catch(() => undefined);
    return this.context;
  }

  play(stream: MediaStream): void {
    if (!this.element) {
      const element: SinkableAudio = this.doc.createElement('audio');
      this.element = element;
      element.autoplay = true;
      this.doc.body.append(element as HTMLAudioElement);
    }
    this.element.srcObject = stream;
    this.element.volume = this.volume;
    if (this.deviceId && this.element.setSinkId) void this.element.setSinkId(this.deviceId).catch(() => undefined);
    void this.element.play().catch(() => undefined);
    this.heard?.disconnect();
    const context = this.ctx();
    this.heard = context ? new Meter(context, stream) : undefined;
  }

  stop(): void {
    this.heard?.disconnect();
    this.sent?.disconnect();
    this.heard = this.sent = undefined;
    if (this.element) {
      this.element.pause();
      this.element.srcObject = null;
    }
    // Closing the context leaves nothing running between sessions.
    void this.context?.close().catch(() => undefined);
    this.context = undefined;
  }

  async configure(options: { deviceId?: string; volume?: number }): Promise<void> {
    if (options.volume !== undefined) {
      this.volume = Math.max(0, Math.min(1, options.volume));
      if (this.element) this.element.volume = this.volume;
    }
    if (options.deviceId !== undefined) {
      this.deviceId = options.deviceId;
      if (this.element?.setSinkId) await this.element.setSinkId(options.deviceId);
    }
  }

  meterSent(track: MediaStreamTrack | undefined): void {
    this.sent?.disconnect();
    this.sent = undefined;
    const context = track ? this.ctx() : undefined;
    if (track && context) this.sent = new Meter(context, new MediaStream([track]));
  }

  levels(): { heard: number; sent: number } {
    return { heard: this.heard?.level() ?? 0, sent: this.sent?.level() ?? 0 };
  }
}

/**
 * A silent track from Web Audio (a gain-0 oscillator into a
 * MediaStreamAudioDestinationNode): RFC 4733 DTMF needs an audio sender that
 * produces frames, and Listen must never use the microphone for it.
 */
export class WebAudioSilentSource implements SilentSource {
  private context: AudioContext | undefined;
  private destination: MediaStreamAudioDestinationNode | undefined;

  /**
   * The first AudioContext of a browser session starts Chromium's audio
   * service, which blocks this thread for about 0.4 s: done at registration
   * (prepare), not on the supervisor's click. Suspended until a call needs it.
   */
  private ensure(): { context: AudioContext; destination: MediaStreamAudioDestinationNode } {
    if (!this.context || !this.destination || this.context.state === 'closed') {
      const Ctor = audioContextCtor();
      if (!Ctor) throw new Error('No AudioContext here to make a silent track.');
      this.context = new Ctor();
      const oscillator = this.context.createOscillator();
      const gain = this.context.createGain();
      gain.gain.value = 0;
      this.destination = this.context.createMediaStreamDestination();
      oscillator.connect(gain).connect(this.destination);
      oscillator.start();
    }
    return { context: this.context, destination: this.destination };
  }

  prepare(): void {
    if (this.context && this.context.state !== 'closed') return;
    const { context } = this.ensure();
    if (context.state === 'running') void context.suspend().catch(() => undefined);
  }

  idle(): void {
    if (this.context?.state === 'running') void this.context.suspend().catch(() => undefined);
  }

  track(): MediaStreamTrack {
    const { context, destination } = this.ensure();
    if (context.state !== 'running') void context.resume().catch(() => undefined);
    const [track] = destination.stream.getAudioTracks();
    if (!track) throw new Error('The silent source gave no track.');
    // A clone per call: sip.js stops the sender's track when a call closes.
    return track.clone();
  }

  close(): void {
    void this.context?.close().catch(() => undefined);
    this.context = undefined;
    this.destination = undefined;
  }
}
