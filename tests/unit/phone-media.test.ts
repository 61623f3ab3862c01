// Media helpers of the phone engine with FAKE peer connections and FAKE
// getUserMedia (happy-dom has no WebRTC).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ElementSilentSource, rmsLevel, silentWav, WebAudioSilentSource } from '../../lib/phone/audio';
import { MicrophoneDeniedError, MicrophoneUnavailableError, ModeChangeFailedError } from '../../lib/phone/errors';
import { DTMF_PLAYOUT_SLACK_MS, DtmfPlayer, isMonitorMedia, MonitorSessionDescriptionHandler } from '../../lib/phone/media';
import { UserMediaMicrophoneProvider, userMediaError } from '../../lib/phone/microphone';
import { FakeDtmfSender, FakeSdh, fakeTrack } from './phone-fakes';

/** A FAKE RTCPeerConnection: states and one audio sender. */
class FakePeerConnection extends EventTarget {
  iceConnectionState = 'checking';
  connectionState = 'connecting';
  readonly replaced: unknown[] = [];
  readonly sender = {
    dtmf: new FakeDtmfSender(),
    track: fakeTrack('silent') as unknown,
    replaceTrack: async (track: unknown) => {
      this.replaced.push(track);
      this.sender.track = track;
    },
  };
  getSenders() {
    return [this.sender];
  }
  set(ice: string, connection: string) {
    this.iceConnectionState = ice;
    this.connectionState = connection;
    this.dispatchEvent(new Event('iceconnectionstatechange'));
    this.dispatchEvent(new Event('connectionstatechange'));
  }
}

function sdhWith(pc: FakePeerConnection): MonitorSessionDescriptionHandler {
  // Skip the constructor (it creates a real RTCPeerConnection); sip.js keeps it in _peerConnection.
  const sdh = Object.create(MonitorSessionDescriptionHandler.prototype) as MonitorSessionDescriptionHandler;
  Object.assign(sdh, { _peerConnection: pc });
  return sdh;
}

describe('MonitorSessionDescriptionHandler (fake peer connection)', () => {
  it('reports ICE failure as ice', () => {
    const pc = new FakePeerConnection();
    const stages: string[] = [];
    sdhWith(pc).onMediaFailure((stage) => stages.push(stage));
    pc.set('failed', 'failed');
    pc.set('failed', 'failed');
    expect(stages).toEqual(['ice']);
  });

  it('reports a failed connection after ICE connected as dtls', () => {
    const pc = new FakePeerConnection();
    const stages: string[] = [];
    sdhWith(pc).onMediaFailure((stage) => stages.push(stage));
    pc.set('connected', 'failed');
    expect(stages).toEqual(['dtls']);
  });

  it('swaps the outgoing track in place (replaceTrack, no renegotiation)', async () => {
    const pc = new FakePeerConnection();
    const sdh = sdhWith(pc);
    const mic = fakeTrack('mic') as unknown as MediaStreamTrack;
    await sdh.replaceOutgoingTrack(mic);
    expect(pc.replaced).toEqual([mic]);
    expect(sdh.outgoingTrack()).toBe(mic);
  });

  it('isMonitorMedia tells our SDH (and the fake) from a plain one', () => {
    expect(isMonitorMedia(new FakeSdh())).toBe(true);
    expect(isMonitorMedia(undefined)).toBe(false);
  });
});

describe('UserMediaMicrophoneProvider (fake getUserMedia)', () => {
  it('returns the audio track with voice processing on', async () => {
    const track = fakeTrack('mic');
    const asked: unknown[] = [];
    const provider = new UserMediaMicrophoneProvider(
      {
        getUserMedia: async (constraints?: MediaStreamConstraints) => {
          asked.push(constraints);
          return { getAudioTracks: () => [track] } as unknown as MediaStream;
        },
      },
      undefined,
    );
    expect(await provider.acquire()).toBe(track);
    expect(asked).toEqual([{ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true }, video: false }]);
    provider.release(track as unknown as MediaStreamTrack);
    expect(track.stopped).toBe(true);
  });

  it('maps NotAllowedError ("Permission dismissed" in the offscreen document) to denied with the hint', async () => {
    const provider = new UserMediaMicrophoneProvider(
      { getUserMedia: () => Promise.reject(new DOMException('Permission dismissed', 'NotAllowedError')) },
      undefined,
    );
    await expect(provider.acquire()).rejects.toThrow(MicrophoneDeniedError);
    await expect(provider.acquire()).rejects.toThrow("allow it once from the side panel’s “Allow the microphone” link");
  });

  it('maps the other failures to unavailable with a plain reason', () => {
    expect(userMediaError(new DOMException('x', 'NotFoundError'))).toBeInstanceOf(MicrophoneUnavailableError);
    expect(userMediaError(new DOMException('x', 'NotReadableError')).message).toBe(
      'The microphone is in use by another application or could not be started.',
    );
  });

  it('reads the permission without prompting', async () => {
    const provider = new UserMediaMicrophoneProvider(undefined, {
      query: async () => ({ state: 'denied', onchange: null }),
    });
    expect(await provider.query()).toBe('denied');
  });
});

describe('rmsLevel', () => {
  it('is 0 for silence and grows with the signal, capped at 1', () => {
    expect(rmsLevel(new Float32Array(128))).toBe(0);
    expect(rmsLevel(new Float32Array(128).fill(0.1))).toBeCloseTo(0.3);
    expect(rmsLevel(new Float32Array(128).fill(1))).toBe(1);
  });
});

/** A FAKE AudioContext: enough of Web Audio for the silent source, with its state. */
class FakeAudioContext {
  static created = 0;
  state: 'running' | 'suspended' | 'closed' = 'running';
  readonly changes: string[] = [];
  constructor() {
    FakeAudioContext.created += 1;
  }
  createOscillator() {
    return { connect: (node: unknown) => node, start: () => undefined };
  }
  /** Every destination's own track, and which nodes the gain still feeds. */
  readonly destinationTracks: { readyState: string; stop(): void }[] = [];
  readonly connected = new Set<unknown>();
  createGain() {
    return {
      gain: { value: 1 },
      connect: (node: unknown) => (this.connected.add(node), node),
      disconnect: (node: unknown) => this.connected.delete(node),
    };
  }
  createMediaStreamDestination() {
    const own = { readyState: 'live', clone: () => fakeTrack('silent'), stop: () => (own.readyState = 'ended') };
    this.destinationTracks.push(own);
    return { stream: { getAudioTracks: () => [own], getTracks: () => [own] } };
  }
  async suspend() {
    this.state = 'suspended';
    this.changes.push('suspend');
  }
  async resume() {
    this.state = 'running';
    this.changes.push('resume');
  }
  async close() {
    this.state = 'closed';
  }
}

describe('WebAudioSilentSource (fake AudioContext)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeAudioContext.created = 0;
  });

  it('prepare creates the context ahead of the first call and leaves it suspended; a call resumes it; idle suspends it again', async () => {
    vi.stubGlobal('AudioContext', FakeAudioContext);
    const source = new WebAudioSilentSource();
    source.prepare();
    await Promise.resolve();
    expect(FakeAudioContext.created).toBe(1);
    const context = (source as unknown as { context: FakeAudioContext }).context;
    expect(context.state).toBe('suspended');
    expect(source.track()).toMatchObject({ kind: 'audio' });
    await Promise.resolve();
    expect(context.state).toBe('running');
    // A second prepare (registered again during a call) neither recreates nor suspends it.
    source.prepare();
    expect(context.state).toBe('running');
    source.idle();
    await Promise.resolve();
    expect(context.changes).toEqual(['suspend', 'resume', 'suspend']);
    expect(FakeAudioContext.created).toBe(1);
  });

  it('idle stops the destination\'s own track and unhooks it; the next call gets a new destination on the same context', async () => {
    vi.stubGlobal('AudioContext', FakeAudioContext);
    const source = new WebAudioSilentSource();
    source.prepare();
    const context = (source as unknown as { context: FakeAudioContext }).context;
    // prepare makes no destination: no track is live before the first call.
    expect(context.destinationTracks).toHaveLength(0);
    source.track();
    source.track();
    expect(context.destinationTracks.map((t) => t.readyState)).toEqual(['live']);
    source.idle();
    expect(context.destinationTracks.map((t) => t.readyState)).toEqual(['ended']);
    expect(context.connected.size).toBe(0);
    source.track();
    expect(context.destinationTracks.map((t) => t.readyState)).toEqual(['ended', 'live']);
    expect(FakeAudioContext.created).toBe(1);
    source.close();
    expect(context.destinationTracks.map((t) => t.readyState)).toEqual(['ended', 'ended']);
  });
});

const TIMING = { duration: 100, interToneGap: 70 };

/** Settles a promise into a readable state on the fake clock. */
function track<T>(promise: Promise<T>) {
  const state: { done: boolean; error?: unknown; at?: number } = { done: false };
  promise.then(
    () => {
      state.done = true;
      state.at = Date.now();
    },
    (error: unknown) => {
      state.done = true;
      state.error = error;
      state.at = Date.now();
    },
  );
  return state;
}

describe('FakeDtmfSender models the spec', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('insertDTMF while a tone holds the sender replaces the pending digit (the loss Task 1 fixes)', async () => {
    const sender = new FakeDtmfSender();
    sender.insertDTMF('6', 100, 70);
    await vi.advanceTimersByTimeAsync(10);
    // '6' plays until 170; '4' waits in the buffer; '5' replaces it.
    sender.insertDTMF('4', 100, 70);
    await vi.advanceTimersByTimeAsync(100);
    sender.insertDTMF('5', 100, 70);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sender.played).toEqual(['6', '5']);
    expect(sender.replaced).toEqual(['4']);
    expect(sender.events).toEqual([['6', 0], ['5', 170], ['', 340]]);
  });
});

describe('DtmfPlayer (fake RTCDTMFSender, fake clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("resolves only on tonechange '' after the tones (not after a fixed wait from the call)", async () => {
    const sender = new FakeDtmfSender();
    // The browser starts the tone 40 ms late (a busy thread): done at 40 + 170.
    sender.taskDelayMs = 40;
    const player = new DtmfPlayer(() => sender);
    const done = track(player.play('6', TIMING));
    await vi.advanceTimersByTimeAsync(170);
    expect(done.done).toBe(false);
    await vi.advanceTimersByTimeAsync(39);
    expect(done.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toMatchObject({ done: true, at: 210 });
    expect(done.error).toBeUndefined();
    expect(sender.played).toEqual(['6']);
  });

  it('a second request while the first tone plays is not lost: both digits play, in order, never inserted over a pending one', async () => {
    const sender = new FakeDtmfSender();
    const player = new DtmfPlayer(() => sender);
    const first = track(player.play('6', TIMING));
    await vi.advanceTimersByTimeAsync(50);
    const second = track(player.play('4', TIMING));
    const third = track(player.play('*2', TIMING));
    await vi.advanceTimersByTimeAsync(2000);
    expect(sender.played).toEqual(['6', '4', '*', '2']);
    expect(sender.replaced).toEqual([]);
    expect(sender.inserted).toEqual(['6', '4', '*2']);
    expect([first.at, second.at, third.at]).toEqual([170, 340, 680]);
    expect([first.error, second.error, third.error]).toEqual([undefined, undefined, undefined]);
  });

  it('waits for tones it did not insert (someone else on the sender) to finish before inserting', async () => {
    const sender = new FakeDtmfSender();
    sender.insertDTMF('99', 100, 70);
    await vi.advanceTimersByTimeAsync(0);
    const player = new DtmfPlayer(() => sender);
    // The player attaches mid-play: the buffer still holds one '9'.
    const done = track(player.play('5', TIMING));
    await vi.advanceTimersByTimeAsync(2000);
    expect(sender.played).toEqual(['9', '9', '5']);
    expect(sender.replaced).toEqual([]);
    expect(done).toMatchObject({ done: true, at: 510 });
  });

  it('rejects when the browser never plays the tones, and never inserts over the stuck buffer', async () => {
    const sender = new FakeDtmfSender();
    sender.stalled = true;
    const player = new DtmfPlayer(() => sender);
    const first = track(player.play('6', TIMING));
    const second = track(player.play('4', TIMING));
    await vi.advanceTimersByTimeAsync(170 + DTMF_PLAYOUT_SLACK_MS - 1);
    expect(first.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(first.error).toBeInstanceOf(ModeChangeFailedError);
    expect(String(first.error)).toMatch(/The browser did not play the DTMF "6"/);
    await vi.advanceTimersByTimeAsync(5000);
    expect(second.error).toBeInstanceOf(ModeChangeFailedError);
    expect(String(second.error)).toMatch(/did not play the earlier DTMF/);
    expect(sender.inserted).toEqual(['6']);
  });

  it("rejects when the tones start but '' never comes", async () => {
    const sender = new FakeDtmfSender();
    sender.neverEmpty = true;
    const done = track(new DtmfPlayer(() => sender).play('5', TIMING));
    await vi.advanceTimersByTimeAsync(170 + DTMF_PLAYOUT_SLACK_MS);
    expect(String(done.error)).toMatch(/did not play the DTMF "5"/);
  });

  it('rejects at once without a DTMF sender, or when it cannot insert', async () => {
    await expect(new DtmfPlayer(() => undefined).play('5', TIMING)).rejects.toThrow('Could not send RFC 4733 DTMF on this call.');
    const sender = new FakeDtmfSender();
    sender.canInsertDTMF = false;
    await expect(new DtmfPlayer(() => sender).play('5', TIMING)).rejects.toThrow(ModeChangeFailedError);
  });

  it('close (the call ended) fails what is pending', async () => {
    const sender = new FakeDtmfSender();
    const player = new DtmfPlayer(() => sender);
    const done = track(player.play('5', TIMING));
    await vi.advanceTimersByTimeAsync(50);
    player.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(String(done.error)).toMatch(/The call ended before its DTMF was played/);
  });
});

describe('MonitorSessionDescriptionHandler DTMF (fake peer connection and RTCDTMFSender)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("plays on the audio sender's RTCDTMFSender and resolves after it played", async () => {
    const pc = new FakePeerConnection();
    const sdh = sdhWith(pc);
    const done = track(sdh.playDtmf('6', TIMING));
    await vi.advanceTimersByTimeAsync(169);
    expect(done.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toMatchObject({ done: true, at: 170 });
    expect(pc.sender.dtmf.played).toEqual(['6']);
  });

  it("sip.js's sendDtmf goes through the same queue: two calls in a row both play", async () => {
    const pc = new FakePeerConnection();
    const sdh = sdhWith(pc);
    expect(sdh.sendDtmf('5', TIMING)).toBe(true);
    expect(sdh.sendDtmf('4', TIMING)).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(pc.sender.dtmf.played).toEqual(['5', '4']);
    expect(pc.sender.dtmf.replaced).toEqual([]);
  });
});

/** A FAKE <audio> element with mozCaptureStream (Firefox): plays, pauses, captures one live track. */
class FakeCapturableAudio {
  loop = false;
  preload = '';
  src = '';
  paused = true;
  readonly calls: string[] = [];
  refusePlay = false;
  readonly captured = { kind: 'audio', readyState: 'live', clone: () => fakeTrack('silent-clone'), stop: () => undefined };
  play(): Promise<void> {
    this.calls.push('play');
    if (this.refusePlay) return Promise.reject(new DOMException('play() needs a gesture', 'NotAllowedError'));
    this.paused = false;
    return Promise.resolve();
  }
  pause(): void {
    this.calls.push('pause');
    this.paused = true;
  }
  load(): void {
    this.calls.push('load');
  }
  removeAttribute(name: string): void {
    if (name === 'src') this.src = '';
  }
  mozCaptureStream() {
    this.calls.push('capture');
    const captured = this.captured;
    return { getAudioTracks: () => [captured], addEventListener: () => undefined };
  }
}

function elementSource(element: FakeCapturableAudio, fallback?: FakeSilenceForTests) {
  const urls = { created: [] as Blob[], revoked: [] as string[] };
  const source = new ElementSilentSource({
    doc: { createElement: () => element } as unknown as Document,
    urls: {
      createObjectURL: (blob: Blob) => {
        urls.created.push(blob);
        return 'blob:silence';
      },
      revokeObjectURL: (url: string) => {
        urls.revoked.push(url);
      },
    } as unknown as Pick<typeof URL, 'createObjectURL' | 'revokeObjectURL'>,
    ...(fallback ? { fallback } : {}),
  });
  return { source, urls };
}

class FakeSilenceForTests {
  readonly calls: string[] = [];
  track() {
    this.calls.push('track');
    return fakeTrack('web-audio-silent') as unknown as MediaStreamTrack;
  }
  idle() {
    this.calls.push('idle');
  }
  close() {
    this.calls.push('close');
  }
}

describe('ElementSilentSource (Firefox background page: a looping silent <audio>, captured)', () => {
  it('is a PCM WAV of digital silence', () => {
    const wav = silentWav(0.5);
    const view = new DataView(wav.buffer);
    expect(new TextDecoder().decode(wav.subarray(0, 4))).toBe('RIFF');
    expect(new TextDecoder().decode(wav.subarray(8, 16))).toBe('WAVEfmt ');
    expect(view.getUint16(20, true)).toBe(1); // PCM
    expect(view.getUint32(24, true)).toBe(8000);
    expect(view.getUint32(40, true)).toBe(8000); // 0.5 s × 8000 × 2 bytes
    expect(wav.length).toBe(44 + 8000);
    expect(wav.subarray(44).every((b) => b === 0)).toBe(true);
  });

  it('prepares without playing, plays and captures for a call, a clone per call, pauses when idle', async () => {
    const element = new FakeCapturableAudio();
    const { source, urls } = elementSource(element);
    source.prepare();
    expect(element.calls).toEqual(['load']);
    expect(element).toMatchObject({ loop: true, src: 'blob:silence', paused: true });
    expect(urls.created[0]?.type).toBe('audio/wav');
    const first = await source.track();
    expect(first).toMatchObject({ label: 'silent-clone' });
    expect(element.calls).toEqual(['load', 'play', 'capture']);
    source.idle();
    expect(element.paused).toBe(true);
    // The next call plays again and clones the same captured track: no second capture.
    await source.track();
    expect(element.calls).toEqual(['load', 'play', 'capture', 'pause', 'play']);
    source.close();
    expect(urls.revoked).toEqual(['blob:silence']);
  });

  it('falls back (Web Audio) for a call when the element cannot play, and tries the element again next time', async () => {
    const element = new FakeCapturableAudio();
    element.refusePlay = true;
    const fallback = new FakeSilenceForTests();
    const { source } = elementSource(element, fallback);
    expect(await source.track()).toMatchObject({ label: 'web-audio-silent' });
    element.refusePlay = false;
    expect(await source.track()).toMatchObject({ label: 'silent-clone' });
    expect(fallback.calls).toEqual(['track']);
  });

  it('never asks for the microphone', async () => {
    const getUserMedia = vi.fn();
    vi.stubGlobal('navigator', { mediaDevices: { getUserMedia } });
    const { source } = elementSource(new FakeCapturableAudio());
    await source.track();
    expect(getUserMedia).not.toHaveBeenCalled();
    vi.unstubAllGlobals();
  });
});
