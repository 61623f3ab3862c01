/**
 * Audio around the monitor call: what the supervisor hears (an `<audio>`
 * element with output device and volume), the silent track sent in Listen,
 * and the level meters. Browser-only; the engine sees the interfaces.
 */
import { logCause } from './report';

/** Plays the call's audio and measures levels. One per engine. */
export interface AudioOutput {
  /**
   * Starts playing the PBX's audio (replaces any previous stream).
   * `heardLevel` reads the browser's own stats: the heard meter where Web
   * Audio cannot run (Firefox's background page).
   */
  play(stream: MediaStream, heardLevel?: () => Promise<number | undefined>): void;
  /** Stops playing and drops the meters. */
  stop(): void;
  /** Output device (setSinkId where supported) and volume 0..1. */
  configure(options: { deviceId?: string; volume?: number }): Promise<void>;
  /** Measures what is sent from now on (microphone in Whisper/Join); undefined stops it. */
  meterSent(track: MediaStreamTrack | undefined): void;
  /** Current RMS levels, 0..1. */
  levels(): { heard: number; sent: number };
  /** False while the levels cannot be measured (Firefox's background page keeps its AudioContext suspended). */
  metering?(): boolean;
  /** Problems the supervisor should know of (the call's audio would not play); returns the remover. */
  onProblem?(listener: (message: string) => void): () => void;
}

/** Creates a silent audio track; one per call. */
export interface SilentSource {
  /** A silent track that produces frames (RFC 4733 needs a sending audio sender). */
  track(): MediaStreamTrack | Promise<MediaStreamTrack>;
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
  /** The heard level from the call's stats, while the AudioContext cannot run; refreshed at each read. */
  private statsLevel: { read: () => Promise<number | undefined>; last: number; pending: boolean } | undefined;
  private readonly problemListeners = new Set<(message: string) => void>();

  constructor(private readonly doc: Document = globalThis.document) {}

  onProblem(listener: (message: string) => void): () => void {
    this.problemListeners.add(listener);
    return () => this.problemListeners.delete(listener);
  }

  private ctx(): AudioContext | undefined {
    if (!this.context) {
      const Ctor = audioContextCtor();
      if (!Ctor) return undefined;
      this.context = new Ctor();
    }
    // Firefox's background page may not resume it: metering() then says the levels are not measured.
    if (this.context.state === 'suspended') this.context.resume().catch(logCause('the meters’ AudioContext did not resume'));
    return this.context;
  }

  play(stream: MediaStream, heardLevel?: () => Promise<number | undefined>): void {
    this.statsLevel = heardLevel ? { read: heardLevel, last: 0, pending: false } : undefined;
    if (!this.element) {
      const element: SinkableAudio = this.doc.createElement('audio');
      this.element = element;
      element.autoplay = true;
      this.doc.body.append(element as HTMLAudioElement);
    }
    this.element.srcObject = stream;
    this.element.volume = this.volume;
    if (this.deviceId && this.element.setSinkId) this.element.setSinkId(this.deviceId).catch(logCause(`the output device ${this.deviceId} was refused`));
    this.element.play().catch((error: unknown) => {
      // Interrupted by a newer stream (a re-dial): that one plays.
      if (error instanceof Error && error.name === 'AbortError') return logCause('a replaced stream stopped starting')(error);
      const message = `The call's audio does not play: ${error instanceof Error ? error.message : String(error)}`;
      for (const listener of [...this.problemListeners]) listener(message);
    });
    this.heard?.disconnect();
    const context = this.ctx();
    this.heard = context ? new Meter(context, stream) : undefined;
  }

  stop(): void {
    this.heard?.disconnect();
    this.sent?.disconnect();
    this.heard = this.sent = undefined;
    this.statsLevel = undefined;
    if (this.element) {
      this.element.pause();
      this.element.srcObject = null;
    }
    // Closing the context leaves nothing running between sessions.
    this.context?.close().catch(logCause('the meters’ AudioContext did not close'));
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
    if (this.context?.state === 'running' || !this.statsLevel) return { heard: this.heard?.level() ?? 0, sent: this.sent?.level() ?? 0 };
    // Web Audio cannot run here: the heard level is the browser's own (inbound-rtp audioLevel), one read behind.
    // The sent level has no such source in Firefox (its media-source stats carry no audioLevel): 0.
    const stats = this.statsLevel;
    if (!stats.pending) {
      stats.pending = true;
      stats
        .read()
        .then((level) => {
          if (this.statsLevel === stats) stats.last = level === undefined ? 0 : Math.min(1, level * 3);
        }, logCause('the call’s stats could not be read'))
        .finally(() => {
          stats.pending = false;
        });
    }
    return { heard: stats.last, sent: 0 };
  }

  metering(): boolean {
    return this.context?.state === 'running' || this.statsLevel !== undefined;
  }
}

/**
 * A silent track from Web Audio (a gain-0 oscillator into a
 * MediaStreamAudioDestinationNode): RFC 4733 DTMF needs an audio sender that
 * produces frames, and Listen must never use the microphone for it.
 */
export class WebAudioSilentSource implements SilentSource {
  private context: AudioContext | undefined;
  private gain: GainNode | undefined;
  private destination: MediaStreamAudioDestinationNode | undefined;

  /**
   * The first AudioContext of a browser session starts Chromium's audio
   * service, which blocks this thread for about 0.4 s: done at registration
   * (prepare), not on the supervisor's click. Suspended until a call needs it.
   */
  private ensure(): { context: AudioContext; gain: GainNode } {
    if (!this.context || !this.gain || this.context.state === 'closed') {
      const Ctor = audioContextCtor();
      if (!Ctor) throw new Error('No AudioContext here to make a silent track.');
      this.context = new Ctor();
      this.destination = undefined;
      const oscillator = this.context.createOscillator();
      this.gain = this.context.createGain();
      this.gain.gain.value = 0;
      oscillator.connect(this.gain);
      oscillator.start();
    }
    return { context: this.context, gain: this.gain };
  }

  prepare(): void {
    if (this.context && this.context.state !== 'closed') return;
    const { context } = this.ensure();
    if (context.state === 'running') context.suspend().catch(logCause('the silent source did not suspend'));
  }

  idle(): void {
    if (this.context?.state === 'running') this.context.suspend().catch(logCause('the silent source did not suspend'));
    // The destination's own track stays live as long as the node does (measured by npm run faults:
    // one MediaStreamAudioDestinationNode track left after the soak): the next call makes a new one.
    this.releaseDestination();
  }

  track(): MediaStreamTrack {
    const { context, gain } = this.ensure();
    if (context.state !== 'running') context.resume().catch(logCause('the silent source did not resume (RFC 4733 from Listen may not play)'));
    if (!this.destination) {
      this.destination = context.createMediaStreamDestination();
      gain.connect(this.destination);
    }
    const [track] = this.destination.stream.getAudioTracks();
    if (!track) throw new Error('The silent source gave no track.');
    // A clone per call: sip.js stops the sender's track when a call closes.
    return track.clone();
  }

  close(): void {
    this.releaseDestination();
    this.context?.close().catch(logCause('the silent source did not close'));
    this.context = undefined;
    this.gain = undefined;
  }

  private releaseDestination(): void {
    const destination = this.destination;
    this.destination = undefined;
    if (!destination) return;
    for (const track of destination.stream.getTracks()) track.stop();
    this.gain?.disconnect(destination);
  }
}

/**
 * A WAV file (RIFF, 16-bit PCM, mono) of `seconds` of digital silence.
 * Exported for tests.
 */
export function silentWav(seconds: number, sampleRate = 8000): Uint8Array<ArrayBuffer> {
  const samples = Math.max(1, Math.round(seconds * sampleRate));
  const dataBytes = samples * 2;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  // The samples stay 0: digital silence.
  return bytes;
}

/** Firefox names HTMLMediaElement.captureStream mozCaptureStream. */
type CapturableAudio = HTMLAudioElement & { mozCaptureStream?: () => MediaStream; captureStream?: () => MediaStream };

/** How long {@link ElementSilentSource} waits for the playing element's captured track. */
const CAPTURE_TIMEOUT_MS = 5000;

/**
 * A silent track captured from an `<audio>` element looping a generated
 * silent WAV (`mozCaptureStream()` / `captureStream()`). For Firefox's
 * background page, whose AudioContext stays suspended without a user gesture
 * (its Web Audio track then sends no RTP frames, so no RFC 4733 digit leaves
 * from Listen), while `<audio>.play()` runs there without one. Never the
 * microphone. The element plays only while a call needs silence.
 */
export class ElementSilentSource implements SilentSource {
  private element: CapturableAudio | undefined;
  private url: string | undefined;
  private captured: MediaStreamTrack | undefined;
  private starting: Promise<MediaStreamTrack> | undefined;

  /**
   * `fallback` serves a call when the element cannot play or be captured
   * (Listen still works, RFC 4733 from Listen may not); the next call tries
   * the element again.
   */
  constructor(
    private readonly options: {
      doc?: Document;
      urls?: Pick<typeof URL, 'createObjectURL' | 'revokeObjectURL'>;
      fallback?: SilentSource;
      onFallback?: (error: unknown) => void;
    } = {},
  ) {}

  private get doc(): Document {
    return this.options.doc ?? globalThis.document;
  }

  private get urls(): Pick<typeof URL, 'createObjectURL' | 'revokeObjectURL'> {
    return this.options.urls ?? URL;
  }

  private ensure(): CapturableAudio {
    if (!this.element) {
      const element = this.doc.createElement('audio') as CapturableAudio;
      this.url = this.urls.createObjectURL(new Blob([silentWav(10)], { type: 'audio/wav' }));
      element.loop = true;
      element.preload = 'auto';
      element.src = this.url;
      this.element = element;
    }
    return this.element;
  }

  prepare(): void {
    // Decoded ahead of the first call; nothing plays until one needs it.
    this.ensure().load();
  }

  idle(): void {
    this.element?.pause();
    this.options.fallback?.idle?.();
  }

  async track(): Promise<MediaStreamTrack> {
    const fallback = this.options.fallback;
    try {
      return await this.capturedTrack();
    } catch (error) {
      if (!fallback) throw error;
      this.options.onFallback?.(error);
      return fallback.track();
    }
  }

  private capturedTrack(): Promise<MediaStreamTrack> {
    const element = this.ensure();
    const live = this.captured?.readyState === 'live' ? this.captured : undefined;
    if (live) {
      if (element.paused) element.play().catch(logCause('the silent <audio> element did not play again'));
      // A clone per call: sip.js stops the sender's track when a call closes.
      return Promise.resolve(live.clone());
    }
    this.starting ??= this.capture(element).finally(() => {
      this.starting = undefined;
    });
    return this.starting.then((track) => track.clone());
  }

  private async capture(element: CapturableAudio): Promise<MediaStreamTrack> {
    await element.play();
    const capture = element.mozCaptureStream ?? element.captureStream;
    if (!capture) throw new Error('This browser cannot capture an <audio> element for a silent track.');
    const stream = capture.call(element);
    const track =
      stream.getAudioTracks()[0] ??
      (await new Promise<MediaStreamTrack>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('The silent <audio> element gave no track.')), CAPTURE_TIMEOUT_MS);
        stream.addEventListener('addtrack', (event) => {
          const added = (event as MediaStreamTrackEvent).track;
          if (added.kind !== 'audio') return;
          clearTimeout(timer);
          resolve(added);
        });
      }));
    this.captured = track;
    return track;
  }

  close(): void {
    this.captured?.stop();
    this.captured = undefined;
    if (this.element) {
      this.element.pause();
      this.element.removeAttribute('src');
      this.element.load();
    }
    this.element = undefined;
    if (this.url) this.urls.revokeObjectURL(this.url);
    this.url = undefined;
    this.options.fallback?.close();
  }
}
