/**
 * FAKES for the phone engine's unit tests, in the style of sip.js's own
 * tests: a scripted PBX behind a fake sip.js Transport (no network), a fake
 * SessionDescriptionHandler (no WebRTC), a fake microphone that records
 * acquire/release, and a fake audio output. Nothing here is a real PBX.
 */
import {
  Core,
  EmitterImpl,
  TransportState,
  type Emitter,
  type Session,
  type SessionDescriptionHandler,
  type SessionDescriptionHandlerModifier,
  type SessionDescriptionHandlerFactory,
  type Transport,
} from 'sip.js';
import type { Mode } from '../../lib/monitor/modes';
import type { AudioOutput } from '../../lib/phone/audio';
import { PhoneEngine } from '../../lib/phone/engine';
import type { EngineConfig, EngineEvent } from '../../lib/contract/engine';
import type { MonitorLogic } from '../../lib/phone/monitor-logic';
import { DtmfPlayer, type DtmfSenderLike, type DtmfTiming, type MonitorMedia } from '../../lib/phone/media';
import type { MicrophoneProvider } from '../../lib/phone/microphone';
import type { MonitorDialogRecord, MonitorDialogStore } from '../../lib/phone/dialog-journal';
import { MicrophoneDeniedError } from '../../lib/phone/errors';
import type { MicrophoneState } from '../../lib/state/snapshot';

export const DOMAIN = 'lab.earshot.test';
export const WS_URL = 'ws://127.0.0.1:5066/ws';

type Request = Core.IncomingRequestMessage;

const logger = new Core.LoggerFactory().getLogger('fake-pbx');
let counter = 0;
const token = (prefix: string) => `${prefix}${++counter}`;

/** Builds a response to one of Earshot's requests, as a PBX would. */
export function responseTo(
  request: Request,
  statusCode: number,
  reason: string,
  options: { toTag?: string; headers?: string[]; body?: { type: string; content: string } } = {},
): string {
  const lines = [`SIP/2.0 ${statusCode} ${reason}`];
  for (const via of request.getHeaders('via')) lines.push(`Via: ${via}`);
  lines.push(`From: ${request.getHeader('from') ?? ''}`);
  const to = request.getHeader('to') ?? '';
  lines.push(`To: ${to}${options.toTag && !request.toTag ? `;tag=${options.toTag}` : ''}`);
  lines.push(`Call-ID: ${request.callId}`);
  lines.push(`CSeq: ${request.cseq} ${request.method}`);
  for (const header of options.headers ?? []) lines.push(header);
  return finish(lines, options.body);
}

function finish(lines: string[], body?: { type: string; content: string }): string {
  if (body) {
    lines.push(`Content-Type: ${body.type}`);
    lines.push(`Content-Length: ${new TextEncoder().encode(body.content).length}`);
    return `${lines.join('\r\n')}\r\n\r\n${body.content}`;
  }
  lines.push('Content-Length: 0');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A dialog the fake PBX holds with Earshot (a subscription or a call). */
export interface FakeDialog {
  callId: string;
  /** Earshot's URI and tag. */
  earshotUri: string;
  earshotTag: string;
  /** The PBX side's URI and tag. */
  pbxUri: string;
  pbxTag: string;
  /** Where in-dialog requests go (Earshot's Contact). */
  target: string;
  cseq: number;
}

/** What the fake PBX does with a request; return a raw response (or nothing to stay silent). */
export type Script = (request: Request, pbx: FakePbx) => string | string[] | void;

/**
 * The scripted PBX. Default script: REGISTER 200, SUBSCRIBE 200 (+ initial
 * NOTIFY left to the test), INVITE 200 with SDP, BYE/INFO/OPTIONS/CANCEL 200.
 * Tests override per method with {@link on}.
 */
export class FakePbx {
  reachable = true;
  readonly received: Request[] = [];
  /** Responses Earshot sent to the PBX's requests (status line and Call-ID), in order. */
  readonly responses: { status: number; method: string; callId: string }[] = [];
  readonly transports: FakeTransport[] = [];
  private readonly scripts = new Map<string, Script>();
  /** Subscription dialogs by watched extension. */
  readonly subscriptions = new Map<string, FakeDialog>();
  /** The last call dialog (our INVITE or the PBX's). */
  call: FakeDialog | undefined;
  /** Contact Earshot registered. */
  contact: string | undefined;

  constructor() {
    const register = (transport: FakeTransport) => this.transports.push(transport);
    const pbx = (): FakePbx => this;
    /** sip.js instantiates this with `new transportConstructor(logger, options)`. */
    this.Transport = class extends FakeTransport {
      constructor() {
        super(pbx());
        register(this);
      }
    };
  }

  /** Pass as UserAgentOptions.transportConstructor (via the engine's options). */
  readonly Transport: new () => FakeTransport;

  /** Overrides the script for one method. */
  on(method: string, script: Script): void {
    this.scripts.set(method, script);
  }

  /** The live transport (the latest one that connected). */
  get transport(): FakeTransport {
    const t = this.transports[this.transports.length - 1];
    if (!t) throw new Error('no transport yet');
    return t;
  }

  /** Requests of one method Earshot sent, in order. */
  requests(method: string): Request[] {
    return this.received.filter((r) => r.method === method);
  }

  /** Handles one request from Earshot. */
  receive(request: Request): void {
    this.received.push(request);
    const script = this.scripts.get(request.method) ?? ((r: Request) => this.defaultScript(r));
    const out = script(request, this);
    for (const message of Array.isArray(out) ? out : out ? [out] : []) this.transport.deliver(message);
  }

  private defaultScript(request: Request): string | string[] | void {
    switch (request.method) {
      case 'REGISTER':
        return this.registerOk(request);
      case 'SUBSCRIBE':
        return this.subscribeOk(request);
      case 'INVITE':
        return this.inviteOk(request);
      case 'ACK':
        return undefined;
      case 'CANCEL':
        return responseTo(request, 200, 'OK');
      default:
        return responseTo(request, 200, 'OK');
    }
  }

  /** 200 OK to REGISTER, echoing the Contact with an expiry. */
  registerOk(request: Request): string {
    const contact = request.getHeader('contact') ?? '';
    this.contact = /<([^>]+)>/.exec(contact)?.[1];
    return responseTo(request, 200, 'OK', { toTag: token('reg'), headers: [`Contact: ${contact.split(';expires')[0]};expires=600`] });
  }

  /** 200 OK to SUBSCRIBE; the test sends NOTIFYs with {@link notify}. */
  subscribeOk(request: Request): string {
    const pbxTag = token('sub');
    const extension = request.ruri?.user ?? '';
    const contact = /<([^>]+)>/.exec(request.getHeader('contact') ?? '')?.[1] ?? '';
    this.subscriptions.set(extension, {
      callId: request.callId,
      earshotUri: /<([^>]+)>/.exec(request.getHeader('from') ?? '')?.[1] ?? '',
      earshotTag: request.fromTag,
      pbxUri: `sip:${extension}@${DOMAIN}`,
      pbxTag,
      target: contact,
      cseq: 1,
    });
    return responseTo(request, 200, 'OK', {
      toTag: pbxTag,
      headers: ['Expires: 600', `Contact: <sip:${extension}@${DOMAIN};transport=ws>`],
    });
  }

  /** 200 OK to INVITE with an SDP answer (the fake SDH takes anything). */
  inviteOk(request: Request): string {
    const pbxTag = token('call');
    this.call = {
      callId: request.callId,
      earshotUri: /<([^>]+)>/.exec(request.getHeader('from') ?? '')?.[1] ?? '',
      earshotTag: request.fromTag,
      pbxUri: request.ruri?.toString() ?? '',
      pbxTag,
      target: /<([^>]+)>/.exec(request.getHeader('contact') ?? '')?.[1] ?? '',
      cseq: 1,
    };
    return responseTo(request, 200, 'OK', {
      toTag: pbxTag,
      headers: [`Contact: <sip:monitor@${DOMAIN};transport=ws>`],
      body: { type: 'application/sdp', content: FAKE_SDP },
    });
  }

  /** A request inside a dialog, from the PBX to Earshot. */
  inDialog(dialog: FakeDialog, method: string, headers: string[] = [], body?: { type: string; content: string }): string {
    dialog.cseq += 1;
    const lines = [
      `${method} ${dialog.target} SIP/2.0`,
      `Via: SIP/2.0/WSS pbx.invalid;branch=z9hG4bK${token('b')}`,
      'Max-Forwards: 70',
      `From: <${dialog.pbxUri}>;tag=${dialog.pbxTag}`,
      `To: <${dialog.earshotUri}>;tag=${dialog.earshotTag}`,
      `Call-ID: ${dialog.callId}`,
      `CSeq: ${dialog.cseq} ${method}`,
      `Contact: <${dialog.pbxUri};transport=ws>`,
      ...headers,
    ];
    return finish(lines, body);
  }

  /** Sends a dialog-info NOTIFY for a watched extension. */
  notify(extension: string, body: string, options: { state?: string; contentType?: string } = {}): void {
    const dialog = this.subscriptions.get(extension);
    if (!dialog) throw new Error(`no subscription for ${extension}`);
    this.transport.deliver(
      this.inDialog(dialog, 'NOTIFY', ['Event: dialog', `Subscription-State: ${options.state ?? 'active;expires=600'}`], {
        type: options.contentType ?? 'application/dialog-info+xml',
        content: body,
      }),
    );
  }

  /** The PBX hangs up the monitor call. */
  bye(): void {
    if (!this.call) throw new Error('no call');
    this.transport.deliver(this.inDialog(this.call, 'BYE'));
  }

  /** Earshot answered a request of the PBX's: a 2xx to its INVITE is ACKed in the dialog it makes. */
  responded(response: Core.IncomingResponseMessage): void {
    const call = this.call;
    const code = response.statusCode ?? 0;
    if (!call || response.method !== 'INVITE' || response.callId !== call.callId || code < 200 || code >= 300) return;
    call.earshotTag = response.toTag ?? '';
    call.target = /<([^>]+)>/.exec(response.getHeader('contact') ?? '')?.[1] ?? call.target;
    this.transport.deliver(
      finish([
        `ACK ${call.target} SIP/2.0`,
        `Via: SIP/2.0/WSS pbx.invalid;branch=z9hG4bK${token('b')}`,
        'Max-Forwards: 70',
        `From: <${call.pbxUri}>;tag=${call.pbxTag}`,
        `To: <${call.earshotUri}>;tag=${call.earshotTag}`,
        `Call-ID: ${call.callId}`,
        'CSeq: 1 ACK',
      ]),
    );
  }

  /** The PBX calls Earshot's registered device (NetSapiens model). */
  invite(from: { user: string; display?: string }): void {
    if (!this.contact) throw new Error('not registered');
    const callId = token('pbx-call');
    const pbxTag = token('pbx');
    const pbxUri = `sip:${from.user}@${DOMAIN}`;
    this.call = { callId, earshotUri: this.contact, earshotTag: '', pbxUri, pbxTag, target: this.contact, cseq: 1 };
    const lines = [
      `INVITE ${this.contact} SIP/2.0`,
      `Via: SIP/2.0/WSS pbx.invalid;branch=z9hG4bK${token('b')}`,
      'Max-Forwards: 70',
      `From: ${from.display ? `"${from.display}" ` : ''}<${pbxUri}>;tag=${pbxTag}`,
      `To: <${this.contact}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <${pbxUri};transport=ws>`,
    ];
    this.transport.deliver(finish(lines, { type: 'application/sdp', content: FAKE_SDP }));
  }
}

/** A FAKE browser offer, shaped as Chromium's: Opus first, then G.722, PCMU, PCMA, CN, telephone-event at 48 and 8 kHz. */
export const FAKE_BROWSER_OFFER = [
  'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 9 0 8 13 110 126', 'c=IN IP4 0.0.0.0', 'a=mid:0', 'a=sendrecv', 'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2', 'a=rtcp-fb:111 transport-cc', 'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:9 G722/8000', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000', 'a=rtpmap:126 telephone-event/8000', 'a=ssrc:1 cname:fake', '',
].join('\r\n');

/** A minimal SDP; the fake SDH never looks inside. */
export const FAKE_SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n';

/** FAKE sip.js Transport: a socket to the scripted PBX, which the test can drop. */
export class FakeTransport implements Transport {
  private _state: TransportState = TransportState.Disconnected;
  private readonly emitter = new EmitterImpl<TransportState>();
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;
  readonly protocol = 'WSS';

  constructor(private readonly pbx: FakePbx) {}

  get state(): TransportState {
    return this._state;
  }
  get stateChange(): Emitter<TransportState> {
    return this.emitter;
  }
  isConnected(): boolean {
    return this._state === TransportState.Connected;
  }

  connect(): Promise<void> {
    this.set(TransportState.Connecting);
    if (!this.pbx.reachable) {
      this.set(TransportState.Disconnected);
      return Promise.reject(new Error('WebSocket closed (fake: unreachable)'));
    }
    // The PBX now talks on this socket.
    const index = this.pbx.transports.indexOf(this);
    if (index >= 0) this.pbx.transports.splice(index, 1);
    this.pbx.transports.push(this);
    this.set(TransportState.Connected);
    this.onConnect?.();
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    if (this._state === TransportState.Disconnected) return Promise.resolve();
    this.set(TransportState.Disconnecting);
    this.set(TransportState.Disconnected);
    this.onDisconnect?.();
    return Promise.resolve();
  }

  dispose(): Promise<void> {
    return this.disconnect();
  }

  /** The socket dies under us (network drop, PBX restart). */
  drop(): void {
    if (this._state !== TransportState.Connected) return;
    this.set(TransportState.Disconnected);
    this.onDisconnect?.(new Error('WebSocket closed abnormally (fake drop)'));
  }

  send(message: string): Promise<void> {
    if (this._state !== TransportState.Connected) return Promise.reject(new Error('not connected'));
    const parsed = Core.Parser.parseMessage(message, logger);
    if (parsed instanceof Core.IncomingResponseMessage) {
      this.pbx.responses.push({ status: parsed.statusCode ?? 0, method: parsed.method, callId: parsed.callId });
      queueMicrotask(() => {
        if (this._state === TransportState.Connected) this.pbx.responded(parsed);
      });
    } else if (parsed instanceof Core.IncomingRequestMessage) {
      // Answer asynchronously, like a socket.
      queueMicrotask(() => {
        if (this._state === TransportState.Connected) this.pbx.receive(parsed);
      });
    }
    return Promise.resolve();
  }

  /** The PBX sends a message to Earshot. */
  deliver(message: string): void {
    queueMicrotask(() => this.onMessage?.(message));
  }

  private set(state: TransportState): void {
    this._state = state;
    this.emitter.emit(state);
  }
}

/** A fake MediaStreamTrack (happy-dom has none). */
export interface FakeTrack {
  id: string;
  kind: 'audio';
  label: string;
  stopped: boolean;
  /** As MediaStreamTrack.readyState: 'ended' once stopped. */
  readonly readyState: 'live' | 'ended';
  stop(): void;
  addEventListener(type: string, listener: () => void): void;
  /** The source went away (device unplugged, Firefox sidebar closed): fires "ended". */
  end(): void;
}

export function fakeTrack(label: string): FakeTrack {
  const ended: (() => void)[] = [];
  return {
    id: token('track'),
    kind: 'audio',
    label,
    stopped: false,
    get readyState() {
      return this.stopped ? ('ended' as const) : ('live' as const);
    },
    stop() {
      this.stopped = true;
    },
    addEventListener(type, listener) {
      if (type === 'ended') ended.push(listener);
    },
    end() {
      for (const listener of ended.splice(0)) listener();
    },
  };
}

/**
 * FAKE RTCDTMFSender, modelled on the spec (w3c webrtc-pc §7.2) on the fake
 * clock: `insertDTMF` REPLACES the tone buffer; a playout task (queued as a
 * task, `taskDelayMs` later) takes one tone, fires `tonechange` with it and
 * runs again after duration + gap (a 0 ms task runs as a microtask); with the buffer empty it fires
 * `tonechange` with '' and stops. `stalled` models a browser that never plays.
 */
export class FakeDtmfSender implements DtmfSenderLike {
  toneBuffer = '';
  canInsertDTMF = true;
  /** Delay before a queued playout task runs (a busy thread). */
  taskDelayMs = 0;
  /** No playout task ever runs: the tones stay in the buffer, no tonechange. */
  stalled = false;
  /** Tones fire tonechange but '' never comes. */
  neverEmpty = false;
  /** Every insertDTMF call's tones. */
  readonly inserted: string[] = [];
  /** Tones as they started playing (what left the browser). */
  readonly played: string[] = [];
  /** What was still in the buffer when an insertDTMF replaced it (lost digits). */
  readonly replaced: string[] = [];
  /** [tone, fake ms] of every tonechange. */
  readonly events: [string, number][] = [];
  private duration = 100;
  private gap = 70;
  private scheduled = false;
  private readonly listeners = new Set<(event: { tone: string }) => void>();

  insertDTMF(tones: string, duration = 100, interToneGap = 70): void {
    if (!this.canInsertDTMF) throw new DOMException('The sender cannot send DTMF.', 'InvalidStateError');
    if (!/^[0-9A-D#*,]*$/i.test(tones)) throw new DOMException('Bad tones.', 'InvalidCharacterError');
    this.inserted.push(tones);
    if (this.toneBuffer !== '') this.replaced.push(this.toneBuffer);
    this.toneBuffer = tones.toUpperCase();
    this.duration = Math.min(6000, Math.max(40, duration));
    this.gap = Math.max(30, interToneGap);
    if (!this.scheduled) this.schedule(this.taskDelayMs);
  }
  addEventListener(_type: 'tonechange', listener: (event: { tone: string }) => void): void {
    this.listeners.add(listener);
  }
  removeEventListener(_type: 'tonechange', listener: (event: { tone: string }) => void): void {
    this.listeners.delete(listener);
  }
  private schedule(ms: number): void {
    if (this.stalled) return;
    this.scheduled = true;
    // A 0 ms fake timer set inside a fake tick runs 1 ms late: a microtask keeps the clock exact.
    if (ms === 0) queueMicrotask(() => this.playout());
    else setTimeout(() => this.playout(), ms);
  }
  private playout(): void {
    this.scheduled = false;
    if (this.toneBuffer === '') {
      if (!this.neverEmpty) this.fire('');
      return;
    }
    const tone = this.toneBuffer.charAt(0);
    this.toneBuffer = this.toneBuffer.slice(1);
    if (tone !== ',') this.played.push(tone);
    this.schedule(tone === ',' ? 2000 : this.duration + this.gap);
    this.fire(tone);
  }
  private fire(tone: string): void {
    this.events.push([tone, Date.now()]);
    for (const listener of [...this.listeners]) listener({ tone });
  }
}

/** FAKE SessionDescriptionHandler: no WebRTC; records DTMF (through the real DtmfPlayer on a FakeDtmfSender) and track swaps. */
export class FakeSdh implements SessionDescriptionHandler, MonitorMedia {
  readonly silent = fakeTrack('silent');
  private outgoing: FakeTrack = this.silent;
  /** What the engine asked to play, per request. */
  readonly dtmf: string[] = [];
  /** The browser's DTMF sender on this call's audio sender. */
  readonly dtmfSender = new FakeDtmfSender();
  private readonly player = new DtmfPlayer(() => (this.closed ? undefined : this.dtmfSender));
  /** sip.js's own SDH.sendDtmf calls (the engine must not use it). */
  readonly sipJsSendDtmf: string[] = [];
  readonly swaps: string[] = [];
  private failure: ((stage: 'ice' | 'dtls') => void) | undefined;
  closed = false;
  readonly remote = { id: 'remote-stream' } as unknown as MediaStream;

  close(): void {
    this.closed = true;
    this.player.close();
    // As sip.js does: closing a call stops the tracks of its senders.
    this.outgoing.stop();
  }
  /** The offers this SDH made, after the engine's modifiers (a codec preference), as the INVITE carried them. */
  readonly offers: string[] = [];
  async getDescription(_options?: unknown, modifiers?: SessionDescriptionHandlerModifier[]): Promise<{ body: string; contentType: string }> {
    let description: RTCSessionDescriptionInit = { type: 'offer', sdp: FAKE_BROWSER_OFFER };
    for (const modify of modifiers ?? []) description = await modify(description);
    this.offers.push(description.sdp ?? '');
    return { body: description.sdp ?? '', contentType: 'application/sdp' };
  }
  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }
  setDescription(): Promise<void> {
    return Promise.resolve();
  }
  sendDtmf(tones: string): boolean {
    this.sipJsSendDtmf.push(tones);
    return true;
  }
  playDtmf(tones: string, timing: DtmfTiming): Promise<void> {
    this.dtmf.push(tones);
    return this.player.play(tones, timing);
  }
  remoteStream(): MediaStream {
    return this.remote;
  }
  outgoingTrack(): MediaStreamTrack {
    return this.outgoing as unknown as MediaStreamTrack;
  }
  replaceOutgoingTrack(track: MediaStreamTrack): Promise<void> {
    this.outgoing = track as unknown as FakeTrack;
    this.swaps.push((track as unknown as FakeTrack).label);
    return Promise.resolve();
  }
  onMediaFailure(callback: (stage: 'ice' | 'dtls') => void): () => void {
    this.failure = callback;
    return () => {
      this.failure = undefined;
    };
  }
  /** Simulates ICE or DTLS failing on this call. */
  fail(stage: 'ice' | 'dtls'): void {
    this.failure?.(stage);
  }
}

/** Creates FakeSdh per call and keeps them for assertions. */
export function fakeSdhFactory(): { factory: SessionDescriptionHandlerFactory; created: FakeSdh[] } {
  const created: FakeSdh[] = [];
  const factory: SessionDescriptionHandlerFactory = (_session: Session) => {
    const sdh = new FakeSdh();
    created.push(sdh);
    return sdh;
  };
  return { factory, created };
}

/** FAKE microphone: records every acquire and release; grants or denies as told. */
export class FakeMicrophone implements MicrophoneProvider {
  readonly calls: string[] = [];
  readonly tracks: FakeTrack[] = [];
  permission: MicrophoneState = 'unknown';
  deny = false;
  /** How long getUserMedia takes, in (fake) milliseconds. */
  delayMs = 0;
  private listener: ((state: MicrophoneState) => void) | undefined;

  query(): Promise<MicrophoneState> {
    return Promise.resolve(this.permission);
  }
  async acquire(): Promise<MediaStreamTrack> {
    this.calls.push('acquire');
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.deny) throw new MicrophoneDeniedError();
    const track = fakeTrack('mic');
    this.tracks.push(track);
    return track as unknown as MediaStreamTrack;
  }
  release(track: MediaStreamTrack): void {
    this.calls.push('release');
    track.stop();
  }
  onChange(callback: (state: MicrophoneState) => void): () => void {
    this.listener = callback;
    return () => {
      this.listener = undefined;
    };
  }
  /** The permission changed outside (granted from the options page…). */
  change(state: MicrophoneState): void {
    this.permission = state;
    this.listener?.(state);
  }
}

/** FAKE audio output: records what it was asked to play and meter. */
export class FakeAudio implements AudioOutput {
  readonly calls: string[] = [];
  heard = 0.5;
  sent = 0.25;
  play(stream: MediaStream): void {
    this.calls.push(`play:${(stream as unknown as { id: string }).id}`);
  }
  stop(): void {
    this.calls.push('stop');
  }
  configure(options: { deviceId?: string; volume?: number }): Promise<void> {
    this.calls.push(`configure:${options.deviceId ?? ''}:${options.volume ?? ''}`);
    return Promise.resolve();
  }
  meterSent(track: MediaStreamTrack | undefined): void {
    this.calls.push(`meter:${track ? (track as unknown as FakeTrack).label : 'none'}`);
  }
  levels(): { heard: number; sent: number } {
    return { heard: this.heard, sent: this.sent };
  }
}

/** Collects engine events; helpers to read sequences without repeats. */
export class EventLog {
  readonly events: EngineEvent[] = [];
  readonly push = (event: EngineEvent) => {
    this.events.push(event);
  };
  get last(): EngineEvent {
    const event = this.events[this.events.length - 1];
    if (!event) throw new Error('no event yet');
    return event;
  }
  /** A value per event, consecutive repeats collapsed. */
  sequence<T>(pick: (event: EngineEvent) => T): T[] {
    const out: T[] = [];
    for (const event of this.events) {
      const value = pick(event);
      if (out.length === 0 || JSON.stringify(out[out.length - 1]) !== JSON.stringify(value)) out.push(value);
    }
    return out;
  }
  logs(): string[] {
    return this.events.flatMap((e) => e.newLog.map((l) => `${l.kind}: ${l.text}`));
  }
}

/** A dialog-info document for one agent (Asterisk's shape). */
export function dialogInfo(
  extension: string,
  version: number,
  state: 'terminated' | 'early' | 'confirmed',
  remote?: { uri: string; display?: string },
): string {
  const remoteXml = remote
    ? `<remote><identity${remote.display ? ` display="${remote.display}"` : ''}>${remote.uri}</identity><target uri="${remote.uri}"/></remote>`
    : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${version}" state="full" entity="sip:${extension}@${DOMAIN}">` +
    `<dialog id="${extension}" direction="recipient"><state>${state}</state>` +
    `<local><identity>sip:${extension}@${DOMAIN}</identity></local>${remoteXml}</dialog></dialog-info>`
  );
}

// ---- a FAKE MonitorLogic for the engine-mechanics tests ----
// (the profile tests use the real lib/monitor + lib/pbx through defaultMonitorLogic)

const FAKE_DIGITS: Record<Mode, string> = { listen: '4', whisper: '5', barge: '6' };

/** FAKE logic: ChanSpy-like plan (dial *222<ext>, digits 4/5/6 by INFO), a serial coalescing queue. */
export function fakeLogic(overrides: Partial<MonitorLogic> = {}): MonitorLogic {
  return {
    startPlan: (_config, agent) => [{ kind: 'dial', target: `*222${agent}` }],
    modePlan: (config, _agent, _from, to) => [{ kind: 'dtmf', digits: FAKE_DIGITS[to], method: config.profile.overrides.dtmfMethod ?? 'info' }],
    endsWithAgent: () => true,
    hangsUpWithoutCall: () => false,
    isOnNet: (uri) => /^sip:\d{3}@/.test(uri),
    availability: ({ microphone }) => {
      const talk = microphone === 'denied' ? { allowed: false, reason: 'the microphone is blocked' } : { allowed: true };
      return { listen: { allowed: true }, whisper: talk, barge: talk };
    },
    transition: (_from, to) => to,
    createModeQueue: ({ initial, apply, onChange }) => {
      let current = initial;
      let wanted: Mode | undefined;
      let busy = false;
      let closed = false;
      const pump = async () => {
        if (busy) return;
        busy = true;
        while (!closed && wanted !== undefined && wanted !== current) {
          const to: Mode = wanted;
          try {
            await apply(current, to);
            current = to;
          } catch {
            wanted = undefined;
          }
          if (wanted === current) wanted = undefined;
        }
        wanted = undefined;
        busy = false;
        onChange();
      };
      return {
        request(mode) {
          wanted = mode;
          void pump();
        },
        current: () => current,
        pending: () => (busy ? wanted : undefined),
        close() {
          closed = true;
        },
      };
    },
    ...overrides,
  };
}

/** An engine configuration for the fake PBX. */
export function fakeConfig(overrides: Partial<EngineConfig> = {}): EngineConfig {
  return {
    sip: { wsUrl: WS_URL, domain: DOMAIN, username: '9001', password: 'secret', displayName: 'Sam Supervisor' },
    profile: { id: 'asterisk-chanspy', overrides: {} },
    iceServers: [],
    onNetPattern: '^\\d{3,4}$',
    whisperWhenUnknown: 'deny',
    ...overrides,
  };
}

/** FAKE silent source: records prepare/idle/track. */
export class FakeSilence {
  readonly calls: string[] = [];
  track(): MediaStreamTrack {
    this.calls.push('track');
    return fakeTrack('silent') as unknown as MediaStreamTrack;
  }
  prepare(): void {
    this.calls.push('prepare');
  }
  idle(): void {
    this.calls.push('idle');
  }
  close(): void {
    this.calls.push('close');
  }
}

/** FAKE dialog store: the records in memory, as IndexedDB would keep them (structured clones), with every write. */
export class FakeDialogStore implements MonitorDialogStore {
  value: unknown;
  readonly writes: MonitorDialogRecord[][] = [];
  async read(): Promise<unknown> {
    return structuredClone(this.value);
  }
  async write(records: MonitorDialogRecord[]): Promise<void> {
    this.writes.push(structuredClone(records));
    this.value = structuredClone(records);
  }
  get records(): MonitorDialogRecord[] {
    return (this.value as MonitorDialogRecord[] | undefined) ?? [];
  }
}

/** The engine wired to the fakes. Use with vi.useFakeTimers(). */
export function harness(options: { logic?: MonitorLogic; keepAliveSeconds?: number; dialogStore?: MonitorDialogStore; newId?: () => string } = {}) {
  const pbx = new FakePbx();
  const sdh = fakeSdhFactory();
  const mic = new FakeMicrophone();
  const audio = new FakeAudio();
  const silence = new FakeSilence();
  const log = new EventLog();
  let online: (() => void) | undefined;
  let clock = 1_000_000;
  const engine = new PhoneEngine({
    logic: options.logic ?? fakeLogic(),
    microphone: mic,
    audio,
    silence,
    transportConstructor: pbx.Transport,
    sessionDescriptionHandlerFactory: sdh.factory,
    now: () => clock + Date.now(),
    random: () => 0.5,
    newId: options.newId ?? (() => 'session-1'),
    ...(options.dialogStore ? { dialogStore: options.dialogStore } : {}),
    keepAliveSeconds: options.keepAliveSeconds ?? 30,
    onOnline: (callback) => {
      online = callback;
      return () => undefined;
    },
    dtmfTiming: { duration: 100, interToneGap: 70 },
  });
  engine.onEvent(log.push);
  return {
    engine,
    pbx,
    sdh,
    mic,
    audio,
    silence,
    log,
    /** Simulates the browser's "online" event. */
    goOnline: () => online?.(),
    /** Jumps the wall clock (sleep) without running timers. */
    jumpClock: (ms: number) => {
      clock += ms;
    },
  };
}
