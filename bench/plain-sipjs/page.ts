// The baseline of the click-to-audio benchmark: a plain web page that uses
// sip.js the way its documentation shows (SimpleUser-style: UserAgent,
// Registerer, Inviter with the default session description handler, which
// opens the microphone) to dial the same monitor code on the same lab. It
// watches the heard level exactly as Earshot's engine does (RMS of an
// analyser, read every 20 ms until the first audio), so the two figures
// compare like for like. Bench only: never shipped in the extension.
import { Inviter, Registerer, SessionState, UserAgent, type SessionDescriptionHandler } from 'sip.js';
import { rmsLevel } from '../../lib/phone/audio';

interface PlainConfig {
  wsUrl: string;
  domain: string;
  username: string;
  password: string;
}

interface PlainState {
  registered: boolean;
  clickedAt?: number;
  heardAt?: number;
  error?: string;
}

/** Earshot's engine uses the same threshold and the same 20 ms watch. */
const FIRST_AUDIO_LEVEL = 0.005;

const state: PlainState = { registered: false };
let ua: UserAgent | undefined;
let inviter: Inviter | undefined;
const audio = new Audio();
audio.autoplay = true;

function watchFirstAudio(stream: MediaStream): void {
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(stream).connect(analyser);
  const buffer = new Float32Array(analyser.fftSize);
  const tick = () => {
    analyser.getFloatTimeDomainData(buffer);
    if (rmsLevel(buffer) >= FIRST_AUDIO_LEVEL) {
      state.heardAt = Date.now();
      void context.close();
      return;
    }
    setTimeout(tick, 20);
  };
  tick();
}

async function register(config: PlainConfig): Promise<void> {
  const uri = UserAgent.makeURI(`sip:${config.username}@${config.domain}`);
  if (!uri) throw new Error('bad SIP URI');
  ua = new UserAgent({
    uri,
    authorizationUsername: config.username,
    authorizationPassword: config.password,
    transportOptions: { server: config.wsUrl },
    logLevel: 'error',
  });
  await ua.start();
  const registerer = new Registerer(ua);
  await new Promise<void>((resolve, reject) => {
    registerer.stateChange.addListener((s) => {
      if (s === 'Registered') resolve();
    });
    registerer.register().catch(reject);
  });
  state.registered = true;
}

function dial(target: string, domain: string): void {
  if (!ua) throw new Error('not registered');
  state.clickedAt = Date.now();
  state.heardAt = undefined;
  const uri = UserAgent.makeURI(`sip:${target}@${domain}`);
  if (!uri) throw new Error('bad target');
  inviter = new Inviter(ua, uri, { sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
  inviter.stateChange.addListener((s) => {
    if (s !== SessionState.Established || !inviter) return;
    const sdh = inviter.sessionDescriptionHandler as (SessionDescriptionHandler & { remoteMediaStream: MediaStream }) | undefined;
    if (!sdh) return;
    audio.srcObject = sdh.remoteMediaStream;
    void audio.play().catch(() => undefined);
    watchFirstAudio(sdh.remoteMediaStream);
  });
  inviter.invite().catch((error: unknown) => {
    state.error = String(error);
  });
}

async function hangUp(): Promise<void> {
  const session = inviter;
  inviter = undefined;
  if (session?.state === SessionState.Established) await session.bye();
}

document.querySelector('#dial')?.addEventListener('click', (event) => {
  const target = (event.currentTarget as HTMLElement).dataset.target ?? '';
  dial(target, (event.currentTarget as HTMLElement).dataset.domain ?? '');
});

Object.assign(globalThis, { plainSip: { state, register, hangUp } });
