import type { WebSocket } from 'ws';
import type { EventLog } from '../log';
import type { MediaHub } from '../media';
import type { LabPbx, MonitorSession } from '../pbx/pbx';
import { DigestAuth } from './digest';
import { dialogInfoXml } from './dialog-info';
import {
  buildRequest,
  buildResponse,
  IncomingRequestMessage,
  IncomingResponseMessage,
  newBranch,
  newCallId,
  newTag,
  parseSip,
} from './message';
import type { WebRtcLeg } from '../media';

const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REGISTER, SUBSCRIBE, NOTIFY';
const MAX_EXPIRES = 3600;

interface Registration {
  conn: WebSocket;
  contact: string;
  expiresAt: number;
}

interface Subscription {
  callId: string;
  target: string;
  subscriber: string;
  conn: WebSocket;
  /** The subscriber's From (with its tag): our NOTIFYs' To. */
  remote: string;
  localTag: string;
  contact: string;
  cseq: number;
  version: number;
  expiresAt: number;
}

interface MonitorDialog {
  callId: string;
  supervisor: string;
  conn: WebSocket;
  /** The supervisor's From (our BYE's To) and our To with tag (our BYE's From). */
  remote: string;
  local: string;
  /** The dialog's id besides the Call-ID (RFC 3261 §12): the supervisor's tag and ours. */
  remoteTag: string;
  localTag: string;
  contact: string;
  cseq: number;
  answer: string;
  session: MonitorSession;
  /** FreeSWITCH's originated eavesdrop reads RFC 4733 only: INFO digits get 200 OK and do nothing. */
  infoIgnored?: boolean;
}

/** What the lab's INVITE to a user's devices asks for (FusionPBX's originate, or a test's). */
export interface OriginateRequest {
  /** The extension whose registered devices ring. */
  to: string;
  callerName: string;
  callerNumber: string;
  /** Answered, the call eavesdrops on this agent's call; without it the lab hangs up at once. */
  agent?: string;
  ringTimeoutMs?: number;
}

/** One fork of an originated INVITE: its client transaction (RFC 3261 §17.1.1), keyed by branch. */
interface OriginateBranch {
  branch: string;
  conn: WebSocket;
  ruri: string;
  final: boolean;
  call: OriginatedCall;
}

interface OriginatedCall {
  request: OriginateRequest;
  callId: string;
  from: string;
  to: string;
  localTag: string;
  offer: string;
  leg: WebRtcLeg;
  branches: OriginateBranch[];
  answered: boolean;
  timer: ReturnType<typeof setTimeout>;
}

/** How long an originated call rings before the lab CANCELs it. */
const RING_TIMEOUT_MS = 30_000;

export interface Faults {
  /** Answer the next `count` requests with this status (503 by default). */
  refuse?: { status: number; count: number };
  /** Delay every response by this many ms. */
  delayMs?: number;
}

/** What a request's R-URI or a header's URI names: the user part. */
function userOf(uri: string | undefined): string {
  return /sips?:([^@;>]+)@/.exec(uri ?? '')?.[1] ?? '';
}

function contactUri(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return /<([^>]+)>/.exec(header)?.[1] ?? header.split(';')[0]?.trim();
}

/**
 * The lab's SIP side over WebSocket (RFC 7118): registrar with digest auth,
 * the monitor feature's INVITE dialogs, DTMF by INFO, and the dialog event
 * package (RFC 4235). Each WebSocket is the flow to its client (RFC 5626
 * style): requests to a client go over the connection it registered on.
 */
export class SipServer {
  readonly registrations = new Map<string, Registration>();
  readonly subscriptions = new Map<string, Subscription>();
  readonly dialogs = new Map<string, MonitorDialog>();
  readonly connections = new Set<WebSocket>();
  readonly faults: Faults = {};
  private readonly auth: DigestAuth;
  private readonly originating = new Map<string, OriginateBranch>();

  constructor(
    private readonly pbx: LabPbx,
    private readonly media: MediaHub,
    private readonly log: EventLog,
  ) {
    this.auth = new DigestAuth(pbx.config.domain);
    pbx.onDialogChange((extension) => this.notifyDialog(extension));
    pbx.onSessionEnd((session, reason) => this.byeSupervisor(session, reason));
  }

  get domain(): string {
    return this.pbx.config.domain;
  }

  accept(conn: WebSocket, remote: string): void {
    this.connections.add(conn);
    this.log.add('transport', `WebSocket from ${remote}`);
    conn.on('message', (data, isBinary) => {
      const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data);
      try {
        this.receive(conn, text);
      } catch (error) {
        this.log.add('error', `handling a message failed: ${String(error)}`);
      }
    });
    conn.on('close', () => this.dropConnection(conn));
    conn.on('error', () => undefined);
  }

  /** Fault: close every WebSocket (clients must reconnect and re-register; calls' media goes on). */
  dropSockets(): number {
    const count = this.connections.size;
    for (const conn of this.connections) conn.terminate();
    this.log.add('fault', `dropped ${count} WebSocket(s)`);
    return count;
  }

  /** Fault: a dialog-info NOTIFY with a broken body to everyone watching `extension`. */
  malformedNotify(extension: string): number {
    let sent = 0;
    for (const sub of this.subscriptions.values()) {
      if (sub.target !== extension) continue;
      this.sendNotify(sub, '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="x"><dialog><state>confirmed</dialog', 'active');
      sent++;
    }
    this.log.add('fault', `sent ${sent} malformed NOTIFY for ${extension}`);
    return sent;
  }

  private send(conn: WebSocket, text: string): void {
    const go = () => {
      if (conn.readyState === conn.OPEN) conn.send(text);
    };
    if (this.faults.delayMs) setTimeout(go, this.faults.delayMs).unref();
    else go();
  }

  private reply(conn: WebSocket, req: IncomingRequestMessage, status: number, reason: string, options: Parameters<typeof buildResponse>[3] = {}): void {
    this.send(conn, buildResponse(req, status, reason, options));
  }

  private receive(conn: WebSocket, text: string): void {
    if (/^\s*$/.test(text)) return; // CRLF keep-alive
    const parsed = parseSip(text);
    if (!parsed.ok) {
      this.log.add('bad-message', `${parsed.status} ${parsed.reason}`);
      // Answer when enough of the request parsed to address a response; garbage is dropped.
      if (parsed.message instanceof IncomingRequestMessage && parsed.message.hasHeader('via') && parsed.message.method !== 'ACK') {
        this.reply(conn, parsed.message, parsed.status, parsed.reason);
      }
      return;
    }
    const message = parsed.message;
    if (message instanceof IncomingResponseMessage) {
      const branch = message.method === 'INVITE' ? this.originating.get(message.viaBranch) : undefined;
      if (branch) return this.onOriginateResponse(branch, message);
      // Answers to our NOTIFY, BYE and CANCEL: nothing to do but note refusals.
      if ((message.statusCode ?? 0) >= 300) this.log.add('response', `${message.statusCode} ${message.reasonPhrase ?? ''} to ${message.method}`);
      return;
    }
    const req = message;
    if (req.method !== 'ACK' && this.faults.refuse && this.faults.refuse.count > 0) {
      this.faults.refuse.count--;
      this.log.add('fault', `refusing ${req.method} with ${this.faults.refuse.status}`);
      this.reply(conn, req, this.faults.refuse.status, 'Service Unavailable', { headers: ['Retry-After: 1'] });
      return;
    }
    switch (req.method) {
      case 'REGISTER':
        return this.onRegister(conn, req);
      case 'OPTIONS':
        return this.reply(conn, req, 200, 'OK', { headers: [`Allow: ${ALLOW}`, 'Accept: application/sdp, application/dialog-info+xml'] });
      case 'INVITE':
        return void this.onInvite(conn, req);
      case 'ACK':
        return;
      case 'BYE':
        return this.onBye(conn, req);
      case 'CANCEL':
        return this.reply(conn, req, 481, 'Call/Transaction Does Not Exist');
      case 'INFO':
        return this.onInfo(conn, req);
      case 'SUBSCRIBE':
        return this.onSubscribe(conn, req);
      default:
        this.log.add('bad-message', `501 for ${req.method}`);
        return this.reply(conn, req, 501, 'Not Implemented', { headers: [`Allow: ${ALLOW}`] });
    }
  }

  /** Digest check; on failure the challenge or refusal is sent and undefined returned. */
  private authenticate(conn: WebSocket, req: IncomingRequestMessage): string | undefined {
    const header = req.getHeader('authorization') ?? req.getHeader('proxy-authorization');
    const { verdict, user } = this.auth.verify(header, req.method, (u) => this.pbx.users.get(u)?.password);
    const aor = userOf(req.getHeader('from'));
    if (verdict === 'ok' && user === aor) return user;
    if (verdict === 'missing' || verdict === 'stale') {
      this.reply(conn, req, 401, 'Unauthorized', { toTag: newTag(), headers: [`WWW-Authenticate: ${this.auth.challenge(verdict === 'stale')}`] });
      return undefined;
    }
    this.log.add('auth', `${req.method} from ${aor || '?'}: wrong credentials (user ${user ?? '?'})`);
    this.reply(conn, req, 403, 'Forbidden (bad credentials)', { toTag: newTag() });
    return undefined;
  }

  private onRegister(conn: WebSocket, req: IncomingRequestMessage): void {
    const user = this.authenticate(conn, req);
    if (!user) return;
    const contactHeader = req.getHeader('contact') ?? '';
    const contact = contactUri(contactHeader) ?? '';
    const expiresParam = /;\s*expires=(\d+)/i.exec(contactHeader)?.[1];
    const expires = Math.min(Number(expiresParam ?? req.getHeader('expires') ?? 600), MAX_EXPIRES);
    if (expires === 0 || contactHeader.trim() === '*') {
      this.registrations.delete(user);
      this.log.add('register', `${user} unregistered`);
      this.reply(conn, req, 200, 'OK', { toTag: newTag() });
      return;
    }
    const known = this.registrations.get(user);
    this.registrations.set(user, { conn, contact, expiresAt: Date.now() + expires * 1000 });
    if (!known || known.conn !== conn) this.log.add('register', `${user} registered (${this.pbx.users.get(user)?.scope})`);
    this.reply(conn, req, 200, 'OK', { toTag: newTag(), headers: [`Contact: <${contact}>;expires=${expires}`, `Expires: ${expires}`] });
  }

  private async onInvite(conn: WebSocket, req: IncomingRequestMessage): Promise<void> {
    const existing = this.dialogs.get(req.callId);
    if (req.toTag && existing) {
      // Re-INVITE: the media leg stays as it is; answer with its description.
      existing.conn = conn;
      this.reply(conn, req, 200, 'OK', { headers: [`Contact: <sip:lab@${this.domain};transport=ws>`], body: existing.answer, contentType: 'application/sdp' });
      return;
    }
    if (req.toTag) return this.reply(conn, req, 481, 'Call/Transaction Does Not Exist');
    const user = this.authenticate(conn, req);
    if (!user) return;
    const dialled = decodeURIComponent(req.ruri?.user ?? '');
    this.log.add('invite', `${user} dials ${dialled}`);
    this.reply(conn, req, 100, 'Trying');
    const leg = this.media.createLeg(`leg:${req.callId}`);
    const result = this.pbx.startMonitor(user, dialled, req.callId, leg);
    if (!('id' in result)) {
      this.media.removeLeg(leg.id);
      this.reply(conn, req, result.status, result.reason, { toTag: newTag() });
      return;
    }
    let answer: string;
    try {
      answer = await leg.answer(req.body);
    } catch (error) {
      this.log.add('error', `SDP answer failed: ${String(error)}`);
      this.pbx.endSession(result.id, 'media negotiation failed');
      this.reply(conn, req, 488, 'Not Acceptable Here', { toTag: newTag() });
      return;
    }
    leg.onDtmf((digit) => this.pbx.digit(result.id, digit, 'rfc4733'));
    const toTag = newTag();
    this.dialogs.set(req.callId, {
      callId: req.callId,
      supervisor: user,
      conn,
      remote: req.getHeader('from') ?? '',
      local: `${req.getHeader('to') ?? ''};tag=${toTag}`,
      remoteTag: req.fromTag ?? '',
      localTag: toTag,
      contact: contactUri(req.getHeader('contact')) ?? '',
      cseq: 1,
      answer,
      session: result,
    });
    this.reply(conn, req, 200, 'OK', {
      toTag,
      headers: [`Contact: <sip:lab@${this.domain};transport=ws>`, `Allow: ${ALLOW}`],
      body: answer,
      contentType: 'application/sdp',
    });
  }

  private onBye(conn: WebSocket, req: IncomingRequestMessage): void {
    const dialog = this.dialogs.get(req.callId);
    // The dialog is the Call-ID and both tags: a BYE with the right Call-ID and wrong tags ends nothing.
    if (!dialog || req.fromTag !== dialog.remoteTag || req.toTag !== dialog.localTag) {
      if (dialog) this.log.add('bad-message', `BYE for ${req.callId} with tags that are not the dialog's: 481`);
      return this.reply(conn, req, 481, 'Call/Transaction Does Not Exist');
    }
    this.dialogs.delete(req.callId);
    this.reply(conn, req, 200, 'OK');
    this.pbx.endSession(dialog.session.id, 'the supervisor hung up');
  }

  private onInfo(conn: WebSocket, req: IncomingRequestMessage): void {
    const dialog = this.dialogs.get(req.callId);
    if (!dialog) return this.reply(conn, req, 481, 'Call/Transaction Does Not Exist');
    dialog.conn = conn;
    if (dialog.infoIgnored) {
      this.log.add('dtmf', `${dialog.supervisor} sent an INFO: ignored (FreeSWITCH reads RFC 4733 here)`, { session: dialog.session.id, method: 'info' });
      return this.reply(conn, req, 200, 'OK');
    }
    const type = (req.getHeader('content-type') ?? '').toLowerCase();
    const body = req.body ?? '';
    let digit: string | undefined;
    if (type.startsWith('application/dtmf-relay')) digit = /Signal\s*=\s*([0-9A-D*#])/i.exec(body)?.[1];
    else if (type.startsWith('application/dtmf')) digit = /^\s*([0-9A-D*#])\s*$/i.exec(body)?.[1];
    else return this.reply(conn, req, 415, 'Unsupported Media Type', { headers: ['Accept: application/dtmf-relay, application/dtmf'] });
    if (!digit) return this.reply(conn, req, 400, 'Bad Request (no DTMF signal)');
    this.reply(conn, req, 200, 'OK');
    this.pbx.digit(dialog.session.id, digit.toUpperCase(), 'info');
  }

  private onSubscribe(conn: WebSocket, req: IncomingRequestMessage): void {
    const event = (req.getHeader('event') ?? '').split(';')[0]?.trim().toLowerCase();
    if (event !== 'dialog') return this.reply(conn, req, 489, 'Bad Event', { headers: ['Allow-Events: dialog'] });
    const existing = this.subscriptions.get(req.callId);
    const user = this.authenticate(conn, req);
    if (!user) return;
    const target = decodeURIComponent(req.ruri?.user ?? '');
    if (!this.pbx.users.has(target)) return this.reply(conn, req, 404, 'Not Found', { toTag: newTag() });
    const expires = Math.min(Number(req.getHeader('expires') ?? 3600), MAX_EXPIRES);
    const sub: Subscription = existing ?? {
      callId: req.callId,
      target,
      subscriber: user,
      conn,
      remote: req.getHeader('from') ?? '',
      localTag: newTag(),
      contact: contactUri(req.getHeader('contact')) ?? '',
      cseq: 0,
      version: 0,
      expiresAt: 0,
    };
    sub.conn = conn;
    sub.expiresAt = Date.now() + expires * 1000;
    this.reply(conn, req, 200, 'OK', {
      toTag: sub.localTag,
      headers: [`Expires: ${expires}`, `Contact: <sip:${target}@${this.domain};transport=ws>`],
    });
    if (expires === 0) {
      this.subscriptions.delete(req.callId);
      this.sendNotify(sub, this.dialogBody(sub), 'terminated');
      return;
    }
    if (!existing) {
      this.subscriptions.set(req.callId, sub);
      this.log.add('subscribe', `${user} watches ${target}`);
    }
    this.sendNotify(sub, this.dialogBody(sub), `active;expires=${expires}`);
  }

  private dialogBody(sub: Subscription): string {
    const call = this.pbx.callOf(sub.target);
    return dialogInfoXml(`sip:${sub.target}@${this.domain}`, sub.version++, this.pbx.dialogView(sub.target, call?.state === 'early'));
  }

  private notifyDialog(extension: string): void {
    for (const sub of this.subscriptions.values()) {
      if (sub.target !== extension) continue;
      if (sub.expiresAt < Date.now()) {
        this.subscriptions.delete(sub.callId);
        continue;
      }
      const left = Math.max(1, Math.round((sub.expiresAt - Date.now()) / 1000));
      this.sendNotify(sub, this.dialogBody(sub), `active;expires=${left}`);
    }
  }

  private sendNotify(sub: Subscription, body: string, state: string): void {
    sub.cseq++;
    const text = buildRequest({
      method: 'NOTIFY',
      ruri: sub.contact,
      from: `<sip:${sub.target}@${this.domain}>;tag=${sub.localTag}`,
      to: sub.remote,
      callId: sub.callId,
      cseq: sub.cseq,
      headers: ['Event: dialog', `Subscription-State: ${state}`, `Contact: <sip:${sub.target}@${this.domain};transport=ws>`],
      body,
      contentType: 'application/dialog-info+xml',
    });
    const dialogState = /<state>(\w+)<\/state>/.exec(body)?.[1] ?? 'idle';
    this.log.add('notify', `${sub.target} → ${sub.subscriber}: ${dialogState}${/<identity/.test(body) ? ' (with remote identity)' : ''}`);
    this.send(sub.conn, text);
  }

  /** The PBX ended a monitor session (agent's call ended, wrong PIN…): BYE to the supervisor. */
  private byeSupervisor(session: MonitorSession, reason: string): void {
    const dialog = this.dialogs.get(session.id);
    if (!dialog) return;
    this.dialogs.delete(session.id);
    // The dialog's socket may have dropped since; the supervisor's current registration is the flow now.
    const conn = dialog.conn.readyState === dialog.conn.OPEN ? dialog.conn : this.registrations.get(dialog.supervisor)?.conn;
    if (!conn) return;
    dialog.cseq++;
    this.log.add('bye', `to ${dialog.supervisor}: ${reason}`);
    this.sendBye(conn, { ruri: dialog.contact, from: dialog.local, to: dialog.remote, callId: dialog.callId, cseq: dialog.cseq }, reason);
  }

  private sendBye(conn: WebSocket, d: { ruri: string; from: string; to: string; callId: string; cseq: number }, reason: string): void {
    this.send(conn, buildRequest({ method: 'BYE', ...d, headers: [`Reason: SIP;cause=200;text="${reason.replace(/"/g, "'")}"`] }));
  }

  /**
   * The lab calls a user (FreeSWITCH's `originate … user/<ext>`): an INVITE
   * with a PCMU-first offer to every device registered for the extension
   * (forked, first 200 wins), CANCEL after the ring timeout. Undefined when
   * nothing is registered for it.
   */
  async originate(request: OriginateRequest): Promise<string | undefined> {
    // The registrar keeps one flow per extension (its latest REGISTER), so the fork is over at most one device today.
    const registration = this.registrations.get(request.to);
    const devices = registration && registration.conn.readyState === registration.conn.OPEN ? [registration] : [];
    if (devices.length === 0) {
      this.log.add('originate', `${request.to} has no registered device: the ${request.callerName} call is not placed`);
      return undefined;
    }
    const callId = newCallId();
    const leg = this.media.createLeg(`leg:${callId}`);
    // absolute_codec_string=PCMU: the call runs at the spied call's 8 kHz, digits as telephone-event/8000.
    let offer: string;
    try {
      offer = pcmuFirst(await leg.offer());
    } catch (error) {
      this.media.removeLeg(leg.id);
      this.log.add('error', `the ${request.callerName} call to ${request.to} has no offer: ${String(error)}`);
      return undefined;
    }
    const localTag = newTag();
    const call: OriginatedCall = {
      request,
      callId,
      from: `"${request.callerName.replace(/"/g, '')}" <sip:${request.callerNumber}@${this.domain}>;tag=${localTag}`,
      to: `<sip:${request.to}@${this.domain}>`,
      localTag,
      offer,
      leg,
      branches: [],
      answered: false,
      timer: setTimeout(() => this.ringTimeout(call), request.ringTimeoutMs ?? RING_TIMEOUT_MS),
    };
    call.timer.unref();
    for (const device of devices) {
      const branch: OriginateBranch = { branch: newBranch(), conn: device.conn, ruri: device.contact, final: false, call };
      call.branches.push(branch);
      this.originating.set(branch.branch, branch);
      this.send(device.conn, this.originateRequest(branch, 'INVITE', call.to));
    }
    this.log.add('originate', `calling ${request.to} as "${request.callerName}" <${request.callerNumber}>${request.agent ? ` to eavesdrop on ${request.agent}` : ''}`, { callId });
    return callId;
  }

  /** The INVITE, its CANCEL or the ACK of a non-2xx: one transaction, so one branch and CSeq 1. */
  private originateRequest(branch: OriginateBranch, method: 'INVITE' | 'CANCEL' | 'ACK', to: string): string {
    const { call } = branch;
    return buildRequest({
      method,
      ruri: branch.ruri,
      from: call.from,
      to,
      callId: call.callId,
      cseq: 1,
      branch: branch.branch,
      ...(method === 'INVITE'
        ? { headers: [`Contact: <sip:lab@${this.domain};transport=ws>`, `Allow: ${ALLOW}`], body: call.offer, contentType: 'application/sdp' }
        : {}),
    });
  }

  private onOriginateResponse(branch: OriginateBranch, res: IncomingResponseMessage): void {
    const { call } = branch;
    const status = res.statusCode ?? 0;
    if (status < 200) {
      if (status === 180) this.log.add('originate', `${call.request.to} is ringing`, { callId: call.callId });
      return;
    }
    const to = res.getHeader('to') ?? call.to;
    if (status >= 300) {
      // RFC 3261 §17.1.1.3: the client transaction ACKs a final non-2xx itself.
      this.send(branch.conn, this.originateRequest(branch, 'ACK', to));
      if (branch.final) return; // a retransmission
      branch.final = true;
      if (!call.answered && call.branches.every((b) => b.final)) this.originateFailed(call, status === 487 ? 'the call was cancelled (no answer)' : `${call.request.to} declined the ${call.request.callerName} call (${[status, res.reasonPhrase].filter(Boolean).join(' ')})`);
      return;
    }
    const dialog = {
      ruri: contactUri(res.getHeader('contact')) ?? branch.ruri,
      from: call.from,
      to,
      callId: call.callId,
    };
    // A 2xx is ACKed end to end (a new transaction), retransmissions too.
    this.send(branch.conn, buildRequest({ method: 'ACK', ...dialog, cseq: 1 }));
    if (branch.final) return;
    branch.final = true;
    if (call.answered) {
      // Another fork answered after the winner: its dialog is hung up at once.
      this.sendBye(branch.conn, { ...dialog, cseq: 2 }, 'answered elsewhere');
      return;
    }
    call.answered = true;
    clearTimeout(call.timer);
    for (const other of call.branches) if (!other.final) this.send(other.conn, this.originateRequest(other, 'CANCEL', call.to));
    void this.finishOriginate(call, branch, res, dialog);
  }

  private async finishOriginate(call: OriginatedCall, branch: OriginateBranch, res: IncomingResponseMessage, dialog: { ruri: string; from: string; to: string; callId: string }): Promise<void> {
    const { request } = call;
    const hangUp = (reason: string) => {
      this.forget(call);
      this.media.removeLeg(call.leg.id);
      this.log.add('bye', `to ${request.to}: ${reason}`, { callId: call.callId });
      this.sendBye(branch.conn, { ...dialog, cseq: 2 }, reason);
    };
    try {
      await call.leg.acceptAnswer(res.body);
    } catch (error) {
      return hangUp(`media negotiation failed: ${String(error)}`);
    }
    this.log.add('originate', `${request.to} answered the ${request.callerName} call`, { callId: call.callId });
    if (!request.agent) return hangUp('nothing to connect the call to');
    const session = this.pbx.startEavesdrop(request.to, request.agent, call.callId, call.leg);
    if (!('id' in session)) return hangUp(`eavesdrop on ${request.agent} refused: ${session.status} ${session.reason}`);
    this.forget(call);
    call.leg.onDtmf((digit) => this.pbx.digit(session.id, digit, 'rfc4733'));
    this.dialogs.set(call.callId, {
      callId: call.callId,
      supervisor: request.to,
      conn: branch.conn,
      remote: dialog.to,
      local: call.from,
      remoteTag: res.toTag ?? '',
      localTag: call.localTag,
      contact: dialog.ruri,
      cseq: 1,
      answer: call.offer,
      session,
      infoIgnored: true,
    });
  }

  private ringTimeout(call: OriginatedCall): void {
    if (call.answered) return;
    this.log.add('originate', `${call.request.to} did not answer the ${call.request.callerName} call: CANCEL`, { callId: call.callId });
    for (const branch of call.branches) if (!branch.final) this.send(branch.conn, this.originateRequest(branch, 'CANCEL', call.to));
  }

  private originateFailed(call: OriginatedCall, text: string): void {
    clearTimeout(call.timer);
    this.forget(call);
    this.media.removeLeg(call.leg.id);
    this.log.add('originate', text, { callId: call.callId });
  }

  private forget(call: OriginatedCall): void {
    for (const branch of call.branches) this.originating.delete(branch.branch);
  }

  private dropConnection(conn: WebSocket): void {
    this.connections.delete(conn);
    for (const [user, reg] of this.registrations) {
      if (reg.conn === conn) {
        this.registrations.delete(user);
        this.log.add('transport', `${user}'s WebSocket closed; registration dropped`);
      }
    }
    for (const [id, sub] of this.subscriptions) if (sub.conn === conn) this.subscriptions.delete(id);
    // Monitor dialogs stay: their media goes on and the client re-attaches on its next request.
  }
}

/** The offer with PCMU/8000 first and only telephone-event/8000 (FreeSWITCH's `absolute_codec_string=PCMU`). */
export function pcmuFirst(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const pt = (name: string, rate: number) => lines.flatMap((l) => new RegExp(`^a=rtpmap:(\\d+) ${name}/${rate}`, 'i').exec(l)?.slice(1, 2) ?? []);
  const keep = new Set([...pt('PCMU', 8000), ...pt('telephone-event', 8000)]);
  if (keep.size < 2) throw new Error('the offer has no PCMU/8000 with telephone-event/8000');
  return lines
    .filter((l) => {
      const m = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)[ ]/.exec(l);
      return !m || keep.has(m[1]!);
    })
    .map((l) => (l.startsWith('m=audio ') ? [...l.split(' ').slice(0, 3), ...l.split(' ').slice(3).filter((p) => keep.has(p))].join(' ') : l))
    .join(eol);
}
