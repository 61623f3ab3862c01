import type { Mode } from '../../lib/monitor/modes';
import type { LabUser } from '../directory';
import { SEEDED_USERS, toneOf } from '../directory';
import type { EventLog } from '../log';
import type { MediaHub, WebRtcLeg } from '../media';
import type { DialogView } from '../sip/dialog-info';
import { CodeCollector, DIALECTS, matchPrefix, ALL_PREFIXES, type DialectId } from './dialects';
import { MediaTimeout } from './media-timeout';

export interface PbxConfig {
  domain: string;
  dialect: DialectId;
  /** FreeSWITCH-style PIN asked after answer (digits). */
  pin?: string;
  /** Asterisk sends the remote identity only in the early NOTIFY; `always` adds it to every one. */
  remoteIdentity: 'early' | 'always';
  /** Overrides the dialect's session end. */
  sessionEnd?: 'with-agent' | 'persist';
  /**
   * Ends a monitor session whose caller sent no RTP packet for this long (Asterisk `rtp_timeout`,
   * FreeSWITCH `media_timeout`); undefined or 0: off (the default: a test pausing media is unaffected).
   */
  mediaTimeoutMs?: number;
}

export type Other = { kind: 'customer'; number: string } | { kind: 'agent'; extension: string };

export interface Call {
  id: string;
  agent: string;
  other: Other;
  state: 'early' | 'confirmed';
  startedAt: number;
}

export interface MonitorSession {
  id: string;
  supervisor: string;
  agent: string;
  dialect: DialectId;
  mode: Mode;
  /** The lab call monitored; undefined once it ended (persisting sessions). */
  callId: string | undefined;
  legId: string;
  /** Waiting for the PIN before any audio. */
  awaitingPin: boolean;
  pinDigits: string;
  startedAt: number;
  collector: CodeCollector;
}

export type MonitorRefusal = { status: 403 | 404 | 480 | 486; reason: string };

export const partyId = {
  agent: (ext: string) => `agent:${ext}`,
  customer: (number: string) => `customer:${number}`,
  other: (o: Other) => (o.kind === 'agent' ? `agent:${o.extension}` : `customer:${o.number}`),
};

/**
 * The PBX's call state and monitor feature, without SIP: calls between
 * simulated parties, monitor sessions in the configured dialect, the rules
 * a PBX enforces, and the mixing matrix it applies through the media hub.
 * The SIP layer (lab/sip/server.ts) calls in and listens to its events.
 */
export class LabPbx {
  readonly users = new Map<string, LabUser>(SEEDED_USERS.map((u) => [u.extension, u]));
  readonly calls = new Map<string, Call>();
  readonly sessions = new Map<string, MonitorSession>();
  private callSeq = 0;
  private readonly dialogListeners = new Set<(extension: string) => void>();
  private readonly endListeners = new Set<(session: MonitorSession, reason: string) => void>();
  private readonly mediaTimeout: MediaTimeout;

  constructor(
    readonly config: PbxConfig,
    readonly media: MediaHub,
    readonly log: EventLog,
  ) {
    for (const u of SEEDED_USERS) if (u.scope === 'Call Center Agent' && /^10\d\d$/.test(u.extension)) media.addParty(partyId.agent(u.extension), { kind: 'tone', hz: toneOf(partyId.agent(u.extension)) });
    this.mediaTimeout = new MediaTimeout(
      {
        sessions: () => this.sessions.values(),
        leg: (session) => this.media.getLeg(session.legId),
        end: (session, reason) => this.endSession(session.id, reason),
        timeoutMs: () => this.config.mediaTimeoutMs,
      },
      log,
    );
  }

  /** Stops the PBX's own timers (the media timeout). */
  close(): void {
    this.mediaTimeout.close();
  }

  onDialogChange(listener: (extension: string) => void): () => void {
    this.dialogListeners.add(listener);
    return () => this.dialogListeners.delete(listener);
  }

  onSessionEnd(listener: (session: MonitorSession, reason: string) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** Adds an agent (extension 1010–1099) to the directory, with its tone. */
  addAgent(extension: string, name: string): void {
    if (!/^10\d\d$/.test(extension) || this.users.has(extension)) throw new Error(`${extension} cannot be added as an agent.`);
    this.users.set(extension, { extension, name, scope: 'Call Center Agent', dtmfMonitoringGranted: false, password: `lab-${extension}` });
    this.media.addParty(partyId.agent(extension), { kind: 'tone', hz: toneOf(partyId.agent(extension)) });
  }

  isAgent(extension: string): boolean {
    return /^10\d\d$/.test(extension) && this.users.has(extension);
  }

  /** The call an extension is on (as the agent or as the other agent of an internal call). */
  callOf(extension: string): Call | undefined {
    for (const call of this.calls.values()) {
      if (call.agent === extension || (call.other.kind === 'agent' && call.other.extension === extension)) return call;
    }
    return undefined;
  }

  /** Starts a call; `answerAfterMs` keeps it ringing (early) first, like a real call. */
  startCall(agent: string, other: Other, answerAfterMs = 300): Call {
    if (!this.isAgent(agent)) throw new Error(`${agent} is not an agent of the lab.`);
    if (this.callOf(agent)) throw new Error(`${agent} is already on a call.`);
    if (other.kind === 'agent' && (!this.isAgent(other.extension) || this.callOf(other.extension))) {
      throw new Error(`${other.extension} is not an agent free to take a call.`);
    }
    if (other.kind === 'customer' && !/^\d{5,15}$/.test(other.number)) throw new Error('A customer number is 5 to 15 digits.');
    const call: Call = { id: `call-${++this.callSeq}`, agent, other, state: 'early', startedAt: Date.now() };
    this.calls.set(call.id, call);
    if (other.kind === 'customer') this.media.addParty(partyId.customer(other.number), { kind: 'tone', hz: toneOf(partyId.customer(other.number)) });
    this.log.add('call', `${call.id}: ${agent} ↔ ${other.kind === 'agent' ? other.extension : other.number} ringing`);
    this.route(call);
    this.emitDialog(call);
    const answer = () => {
      if (!this.calls.has(call.id)) return;
      call.state = 'confirmed';
      call.startedAt = Date.now();
      this.log.add('call', `${call.id} answered`);
      this.emitDialog(call);
    };
    if (answerAfterMs > 0) setTimeout(answer, answerAfterMs).unref();
    else answer();
    return call;
  }

  endCall(id: string): boolean {
    const call = this.calls.get(id);
    if (!call) return false;
    this.calls.delete(id);
    this.log.add('call', `${id} ended`);
    for (const p of [partyId.agent(call.agent), partyId.other(call.other)]) this.media.setRoute(p, []);
    if (call.other.kind === 'customer') this.media.removeParty(partyId.customer(call.other.number));
    for (const session of [...this.sessions.values()].filter((s) => s.callId === id)) {
      const end = this.config.sessionEnd ?? DIALECTS[session.dialect].sessionEnd;
      if (end === 'with-agent') this.endSession(session.id, "the agent's call ended");
      else {
        session.callId = undefined;
        this.media.setRoute(session.legId, []);
        this.log.add('monitor', `${session.supervisor} stays on ${session.agent}'s line after the call ended (persisting session)`);
      }
    }
    this.emitDialog(call, true);
    return true;
  }

  /**
   * Checks a monitor INVITE as the PBX would and creates the session. Returns
   * the refusal (403 scope, 404 unknown target, 480 not on a call, 486 already
   * monitored) or the session.
   */
  startMonitor(supervisor: string, dialled: string, sessionId: string, leg: WebRtcLeg): MonitorSession | MonitorRefusal {
    const user = this.users.get(supervisor);
    const dialect = DIALECTS[this.config.dialect];
    const match = matchPrefix(dialect, dialled);
    if (!match) {
      const other = ALL_PREFIXES.find((p) => dialled.startsWith(p));
      return { status: 404, reason: other ? `Not Found (${other} is not a feature code of this PBX)` : 'Not Found' };
    }
    if (dialect.tapping) {
      if (!(user?.scope === 'Office Manager' || user?.dtmfMonitoringGranted)) {
        this.refuse(supervisor, `tapping code refused: ${user?.scope ?? 'unknown user'} without the DTMF monitoring grant`);
        return { status: 403, reason: 'Forbidden (DTMF monitoring is for Office Managers or users granted it)' };
      }
    } else if (user?.scope !== 'Call Center Supervisor') {
      this.refuse(supervisor, `monitor code refused: ${user?.scope ?? 'unknown user'} is not a Call Center Supervisor`);
      return { status: 403, reason: 'Forbidden (monitoring is for Call Center Supervisors)' };
    }
    const session = this.openSession(supervisor, match.target, dialect.id, sessionId, leg, `${match.prefix}${match.target}`);
    if ('id' in session && match.mode !== 'listen') this.setMode(session, match.mode, match.prefix);
    return session;
  }

  /**
   * FusionPBX's Eavesdrop button: the PBX called the supervisor and the
   * answered call runs `eavesdrop(<uuid>)` on the agent's call, whatever
   * dialect is configured for dialled codes. No PIN on this path.
   */
  startEavesdrop(supervisor: string, agent: string, sessionId: string, leg: WebRtcLeg): MonitorSession | MonitorRefusal {
    if (this.users.get(supervisor)?.scope !== 'Call Center Supervisor') {
      this.refuse(supervisor, `eavesdrop refused: ${this.users.get(supervisor)?.scope ?? 'unknown user'} is not a Call Center Supervisor`);
      return { status: 403, reason: 'Forbidden (monitoring is for Call Center Supervisors)' };
    }
    return this.openSession(supervisor, agent, 'freeswitch-eavesdrop', sessionId, leg, 'originated by the portal', false);
  }

  /** The checks every monitor session shares (target, call, busy) and the session in Listen. */
  private openSession(supervisor: string, agent: string, dialectId: DialectId, sessionId: string, leg: WebRtcLeg, how: string, pinAllowed = true): MonitorSession | MonitorRefusal {
    const dialect = DIALECTS[dialectId];
    if (!this.isAgent(agent)) return { status: 404, reason: 'Not Found' };
    const call = this.callOf(agent);
    if (!call || call.state !== 'confirmed') {
      this.refuse(supervisor, `${agent} is not on a call`);
      return { status: 480, reason: 'Temporarily Unavailable (not on a call)' };
    }
    const busy = [...this.sessions.values()].find((s) => s.callId === call.id && s.supervisor !== supervisor);
    if (busy) {
      this.refuse(supervisor, `${call.id} is already monitored by ${busy.supervisor}`);
      return { status: 486, reason: 'Busy Here (already monitored)' };
    }
    // One code per mode: the same supervisor re-dialling replaces its own session.
    for (const own of [...this.sessions.values()].filter((s) => s.callId === call.id)) this.endSession(own.id, 'replaced by a new monitor call');
    const session: MonitorSession = {
      id: sessionId,
      supervisor,
      agent,
      dialect: dialect.id,
      mode: 'listen',
      callId: call.id,
      legId: leg.id,
      awaitingPin: pinAllowed && dialect.id === 'freeswitch-eavesdrop' && Boolean(this.config.pin),
      pinDigits: '',
      startedAt: Date.now(),
      collector: new CodeCollector(
        dialect.codes,
        (mode, sequence) => this.setMode(session, mode, sequence),
        (sequence) => this.log.add('dtmf', `${supervisor}: "${sequence}" is not a code of ${dialect.id}; ignored`),
      ),
    };
    this.sessions.set(session.id, session);
    this.log.add('monitor', `${supervisor} monitors ${agent} (${dialect.id}, ${how})`, { session: session.id });
    this.routeSession(session);
    return session;
  }

  /** A DTMF digit from the supervisor's monitor call. */
  digit(sessionId: string, digit: string, method: 'rfc4733' | 'info'): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    this.log.add('dtmf', `${session.supervisor} sent "${digit}" by ${method === 'info' ? 'SIP INFO' : 'RFC 4733'}`, { session: sessionId, digit, method });
    if (session.awaitingPin) {
      session.pinDigits += digit;
      const pin = this.config.pin ?? '';
      if (session.pinDigits.length < pin.length) return;
      if (session.pinDigits === pin) {
        session.awaitingPin = false;
        this.log.add('monitor', `${session.supervisor} entered the PIN`);
        this.routeSession(session);
      } else this.endSession(sessionId, 'wrong PIN');
      return;
    }
    // FreeSWITCH's eavesdrop hangs up on `*` (eavesdrop_enable_dtmf).
    if (session.dialect === 'freeswitch-eavesdrop' && digit === '*') return this.endSession(sessionId, 'the supervisor pressed *');
    session.collector.push(digit);
  }

  private setMode(session: MonitorSession, mode: Mode, sequence: string): void {
    const call = session.callId ? this.calls.get(session.callId) : undefined;
    if (mode === 'whisper' && call && call.other.kind === 'agent') {
      this.refuse(session.supervisor, `Whisper refused on ${call.id}: both parties are on-net; mode stays ${session.mode}`);
      return;
    }
    const from = session.mode;
    session.mode = mode;
    this.log.add('mode', `${session.supervisor} → ${mode} on ${session.agent} (from ${from}, "${sequence}")`, { session: session.id, from, to: mode });
    this.routeSession(session);
  }

  endSession(id: string, reason: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    session.collector.close();
    this.log.add('monitor', `${session.supervisor} stopped monitoring ${session.agent}: ${reason}`, { session: id });
    const call = session.callId ? this.calls.get(session.callId) : undefined;
    this.media.removeLeg(session.legId);
    if (call) this.route(call);
    for (const listener of this.endListeners) listener(session, reason);
  }

  /** Which dialog the extension is in, for its dialog-info NOTIFY. */
  dialogView(extension: string, early: boolean): DialogView | undefined {
    const call = this.callOf(extension);
    if (!call) return undefined;
    const iAmAgent = call.agent === extension;
    const other = iAmAgent ? call.other : ({ kind: 'agent', extension: call.agent } as Other);
    const remote =
      other.kind === 'agent'
        ? { uri: `sip:${other.extension}@${this.config.domain}`, display: this.users.get(other.extension)?.name ?? other.extension }
        : { uri: `sip:${other.number}@${this.config.domain}`, display: `Customer ${other.number}` };
    const withIdentity = early || this.config.remoteIdentity === 'always';
    return {
      id: call.id,
      state: call.state,
      direction: iAmAgent ? 'recipient' : 'initiator',
      ...(withIdentity ? { remote } : {}),
    };
  }

  private refuse(supervisor: string, text: string): void {
    this.log.add('refused', `${supervisor}: ${text}`);
  }

  private emitDialog(call: Call, ended = false): void {
    const extensions = [call.agent, ...(call.other.kind === 'agent' ? [call.other.extension] : [])];
    if (ended) this.log.add('dialog', `${extensions.join(', ')} terminated`);
    for (const extension of extensions) for (const listener of this.dialogListeners) listener(extension);
  }

  private routeSession(session: MonitorSession): void {
    const call = session.callId ? this.calls.get(session.callId) : undefined;
    if (call) this.route(call);
    else this.media.setRoute(session.legId, []);
  }

  /**
   * The mixing matrix. Agent and other party always hear each other. The
   * supervisor hears both (not before the PIN). Whisper: the monitored agent
   * also hears the supervisor, the other party does not. Barge-In: both do.
   */
  private route(call: Call): void {
    const a = partyId.agent(call.agent);
    const b = partyId.other(call.other);
    const hearsA = [b];
    const hearsB = [a];
    for (const s of this.sessions.values()) {
      if (s.callId !== call.id) continue;
      if (s.awaitingPin) {
        this.media.setRoute(s.legId, []);
        continue;
      }
      this.media.setRoute(s.legId, [a, b]);
      const target = s.agent === call.agent ? hearsA : hearsB;
      const otherSide = s.agent === call.agent ? hearsB : hearsA;
      if (s.mode === 'whisper' || s.mode === 'barge') target.push(s.legId);
      if (s.mode === 'barge') otherSide.push(s.legId);
    }
    this.media.setRoute(a, hearsA);
    this.media.setRoute(b, hearsB);
  }
}
