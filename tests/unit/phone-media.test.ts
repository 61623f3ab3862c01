// Media helpers of the phone engine with FAKE peer connections and FAKE
// getUserMedia (happy-dom has no WebRTC).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rmsLevel, WebAudioSilentSource } from '../../lib/phone/audio';
import { MicrophoneDeniedError, MicrophoneUnavailableError } from '../../lib/phone/errors';
import { isMonitorMedia, MonitorSessionDescriptionHandler } from '../../lib/phone/media';
import { UserMediaMicrophoneProvider, userMediaError } from '../../lib/phone/microphone';
import { FakeSdh, fakeTrack } from './phone-fakes';

/** A FAKE RTCPeerConnection: states and one audio sender. */
class FakePeerConnection extends EventTarget {
  iceConnectionState = 'checking';
  connectionState = 'connecting';
  readonly replaced: unknown[] = [];
  readonly sender = {
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
  createGain() {
    return { gain: { value: 1 }, connect: (node: unknown) => node };
  }
  createMediaStreamDestination() {
    return { stream: { getAudioTracks: () => [{ clone: () => fakeTrack('silent') }] } };
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
});
