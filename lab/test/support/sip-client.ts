// A real SIP client for the lab's tests: sip.js 0.21.2 in Node over a real
// WebSocket (`ws`), with real WebRTC media from @roamhq/wrtc (lab/media's
// NodeClient) behind a small SessionDescriptionHandler.
import {
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  Subscriber,
  UserAgent,
  type Session,
  type SessionDescriptionHandler,
} from 'sip.js';
import WebSocket from 'ws';
import { NodeClient } from '../../media/test-client';
import { ToneGenerator } from '../../media/tone';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

/** SessionDescriptionHandler over a wrtc peer: offers when dialling, answers the lab's offer when called. */
class NodeSdh implements SessionDescriptionHandler {
  private remoteOffer: string | undefined;
  constructor(readonly media: NodeClient) {}
  async getDescription() {
    const offer = this.remoteOffer;
    this.remoteOffer = undefined;
    return { body: offer ? await this.media.answer(offer) : await this.media.createOffer(), contentType: 'application/sdp' };
  }
  hasDescription(contentType: string) {
    return contentType === 'application/sdp';
  }
  async setDescription(sdp: string) {
    if (this.media.pc.signalingState === 'have-local-offer') await this.media.acceptAnswer(sdp);
    else this.remoteOffer = sdp;
  }
  sendDtmf() {
    return false;
  }
  close() {
    this.media.close();
  }
}

export interface LabCall {
  session: Session;
  media: NodeClient;
  /** Sends a DTMF sequence by SIP INFO (application/dtmf-relay), one digit per INFO. */
  dtmf(digits: string): Promise<void>;
  /** Starts/stops talking: a tone stands in for the supervisor's voice. */
  talk(hz: number | null): void;
  hangup(): Promise<void>;
}

export class LabSipClient {
  readonly ua: UserAgent;
  readonly registerer: Registerer;
  private readonly calls: LabCall[] = [];
  private readonly subscribers: Subscriber[] = [];
  /** Calls the lab placed to this client (its originate), in arrival order. */
  readonly incoming: Invitation[] = [];

  constructor(
    readonly extension: string,
    password: string,
    wsUrl: string,
    domain = 'lab.earshot.test',
  ) {
    this.ua = new UserAgent({
      uri: UserAgent.makeURI(`sip:${extension}@${domain}`),
      transportOptions: { server: wsUrl, traceSip: process.env.LAB_TRACE_SIP === "1" },
      authorizationUsername: extension,
      authorizationPassword: password,
      logLevel: process.env.LAB_TRACE_SIP === "1" ? "debug" : "error",
      logBuiltinEnabled: process.env.LAB_TRACE_SIP === "1",
      sessionDescriptionHandlerFactory: () => new NodeSdh(new NodeClient(null)),
      delegate: { onInvite: (invitation) => void this.incoming.push(invitation) },
    });
    this.registerer = new Registerer(this.ua, { expires: 300 });
  }

  /** Connects and registers; resolves with the final REGISTER status (200 when registered). */
  async register(): Promise<number> {
    await this.ua.start();
    return new Promise((resolve) => {
      const listener = (state: RegistererState) => {
        if (state === RegistererState.Registered) {
          this.registerer.stateChange.removeListener(listener);
          resolve(200);
        }
      };
      this.registerer.stateChange.addListener(listener);
      void this.registerer.register({
        requestDelegate: {
          onReject: (response) => {
            this.registerer.stateChange.removeListener(listener);
            resolve(response.message.statusCode ?? 0);
          },
        },
      });
    });
  }

  /** Dials `target`; resolves when answered, rejects with the SIP status when refused. */
  async call(target: string, domain = 'lab.earshot.test'): Promise<LabCall> {
    const uri = UserAgent.makeURI(`sip:${target}@${domain}`);
    if (!uri) throw new Error(`bad target ${target}`);
    const inviter = new Inviter(this.ua, uri);
    let refuse: (status: number) => void = () => undefined;
    const established = new Promise<void>((resolve, reject) => {
      refuse = (status) => reject(new CallRefused(status));
      inviter.stateChange.addListener((state) => {
        if (state === SessionState.Established) resolve();
        // A final refusal arrives through onReject first; anything else ends with 0.
        if (state === SessionState.Terminated) setTimeout(() => refuse(0), 0);
      });
    });
    await inviter.invite({ requestDelegate: { onReject: (r) => refuse(r.message.statusCode ?? 0) } });
    await established;
    const media = (inviter.sessionDescriptionHandler as NodeSdh).media;
    const call: LabCall = {
      session: inviter,
      media,
      dtmf: async (digits) => {
        for (const digit of digits) {
          await inviter.info({ requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${digit}\r\nDuration=100` } } });
        }
      },
      talk: (hz) => media.setGenerator(hz === null ? null : new ToneGenerator(hz, 0.3)),
      hangup: async () => {
        if (inviter.state === SessionState.Established) await inviter.bye();
      },
    };
    this.calls.push(call);
    return call;
  }

  /** Answers a call the lab placed; its media is the client's NodeClient. */
  async answer(invitation: Invitation): Promise<LabCall> {
    await invitation.accept();
    const media = (invitation.sessionDescriptionHandler as NodeSdh).media;
    const call: LabCall = {
      session: invitation,
      media,
      dtmf: async (digits) => {
        for (const digit of digits) {
          await invitation.info({ requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${digit}\r\nDuration=100` } } });
        }
      },
      talk: (hz) => media.setGenerator(hz === null ? null : new ToneGenerator(hz, 0.3)),
      hangup: async () => {
        if (invitation.state === SessionState.Established) await invitation.bye();
      },
    };
    this.calls.push(call);
    return call;
  }

  /** Subscribes to an extension's dialog state; every NOTIFY body is pushed to the returned list. */
  watch(extension: string, domain = 'lab.earshot.test'): { bodies: string[]; subscriber: Subscriber } {
    const uri = UserAgent.makeURI(`sip:${extension}@${domain}`);
    if (!uri) throw new Error(`bad extension ${extension}`);
    const bodies: string[] = [];
    const subscriber = new Subscriber(this.ua, uri, 'dialog', { extraHeaders: ['Accept: application/dialog-info+xml'] });
    subscriber.delegate = {
      onNotify: (notification) => {
        notification.accept();
        bodies.push(notification.request.body);
      },
    };
    void subscriber.subscribe();
    this.subscribers.push(subscriber);
    return { bodies, subscriber };
  }

  async close(): Promise<void> {
    for (const call of this.calls) {
      await call.hangup().catch(() => undefined);
      call.media.close();
    }
    // Unsubscribe first: UserAgent.stop() otherwise waits ~32 s for timer N
    // (sip.js issue #863: dispose never sees the terminating NOTIFY).
    await Promise.all(this.subscribers.map((s) => s.unsubscribe().catch(() => undefined)));
    await this.ua.stop().catch(() => undefined);
  }
}

export class CallRefused extends Error {
  constructor(readonly status: number) {
    super(`refused with ${status}`);
  }
}

export { until } from './until';
