import { Web, type Session, type SessionDescriptionHandler, type SessionDescriptionHandlerFactory } from 'sip.js';
import { messageOf, ModeChangeFailedError } from './errors';
import { logCause } from './report';

const ignore = (): void => undefined;

/** RFC 4733 tone timing, as RTCDTMFSender.insertDTMF takes it (ms). */
export interface DtmfTiming {
  duration: number;
  interToneGap: number;
}

/**
 * What the engine needs from a call's media, beyond sip.js's
 * SessionDescriptionHandler: the remote audio, swapping the one outgoing
 * track (silent ↔ microphone, with `replaceTrack`: no renegotiation),
 * RFC 4733 DTMF, and media failures. The real one is
 * {@link MonitorSessionDescriptionHandler}; tests use a fake.
 */
export interface MonitorMedia {
  /** The PBX's mixed audio. */
  remoteStream(): MediaStream | undefined;
  /** Replaces the outgoing audio track in place (RTCRtpSender.replaceTrack). */
  replaceOutgoingTrack(track: MediaStreamTrack): Promise<void>;
  /** The track being sent now (silent in Listen). */
  outgoingTrack(): MediaStreamTrack | null;
  /**
   * RFC 4733 tones on the audio sender. Resolves once the browser has played
   * them (its `tonechange` with tone '' after them: the buffer is empty and
   * the last tone and gap are over); rejects with a ModeChangeFailedError
   * when there is no DTMF sender or the browser does not play them in time.
   * Serialized per call: it never inserts while earlier tones still play.
   */
  playDtmf(tones: string, timing: DtmfTiming): Promise<void>;
  /** Called once if ICE or DTLS fails for good; returns the remover. */
  onMediaFailure(callback: (stage: 'ice' | 'dtls') => void): () => void;
  /** The received audio's level (0..1) from the browser's own stats (inbound-rtp audioLevel); undefined when it has none. */
  heardLevel?(): Promise<number | undefined>;
}

/** True when a session's SDH is one of ours (or a test fake of the same shape). */
export function isMonitorMedia(sdh: SessionDescriptionHandler | undefined): sdh is SessionDescriptionHandler & MonitorMedia {
  return (
    sdh !== undefined &&
    typeof (sdh as Partial<MonitorMedia>).replaceOutgoingTrack === 'function' &&
    typeof (sdh as Partial<MonitorMedia>).remoteStream === 'function'
  );
}

/**
 * What the DTMF player uses of RTCDTMFSender. Per the spec (and as Chrome and
 * Firefox do): `insertDTMF` REPLACES whatever is still in `toneBuffer`; a tone
 * starts only when the previous tone and gap are over; `tonechange` fires with
 * each tone as it starts, and with '' once the buffer is empty and the last
 * tone and gap are over.
 */
export interface DtmfSenderLike {
  readonly toneBuffer: string;
  readonly canInsertDTMF?: boolean;
  insertDTMF(tones: string, duration?: number, interToneGap?: number): void;
  addEventListener(type: 'tonechange', listener: (event: { tone: string }) => void): void;
  removeEventListener(type: 'tonechange', listener: (event: { tone: string }) => void): void;
}

/** Audio packets sent before the first RFC 4733 tones of a call (about 200 ms at 20 ms per packet). */
const MEDIA_SETTLED_PACKETS = 10;

/** Slack on top of the tones' own play-out time before the player says the browser did not play them. */
export const DTMF_PLAYOUT_SLACK_MS = 1500;


/** The play-out time of tones per the spec: its clamps on duration and gap, 2 s per ','. */
export function dtmfPlayoutMs(tones: string, timing: DtmfTiming): number {
  const duration = Math.min(6000, Math.max(40, timing.duration));
  const gap = Math.max(30, timing.interToneGap);
  let ms = 0;
  for (const tone of tones) ms += tone === ',' ? 2000 : duration + gap;
  return ms;
}

/** A tone as `tonechange` gave it, or the player's close. */
type ToneListener = (tone: string | typeof CLOSED) => void;
const CLOSED = Symbol('closed');
const TIMED_OUT = Symbol('timed out');

/**
 * Plays RFC 4733 tones on one RTCDTMFSender and says when the browser has
 * played them. One per call; requests run one after the other. Before it
 * inserts, it waits until the sender is idle (empty buffer and the last
 * started tone's play-out over, i.e. `tonechange` ''), so `insertDTMF` never
 * replaces a pending digit.
 */
export class DtmfPlayer {
  private chain: Promise<void> = Promise.resolve();
  private attached: DtmfSenderLike | undefined;
  /** A tone started and its tone + gap is not over yet (no '' since). */
  private playing = false;
  private readonly listeners = new Set<ToneListener>();
  private closed = false;
  private readonly onToneChange = (event: { tone: string }): void => {
    this.playing = event.tone !== '';
    for (const listener of [...this.listeners]) listener(event.tone);
  };

  /** `sender` is read at each request (undefined: no DTMF sender on this call). */
  constructor(private readonly sender: () => DtmfSenderLike | null | undefined) {}

  /** Queues `tones` after any earlier request; resolves when the browser has played them. */
  play(tones: string, timing: DtmfTiming): Promise<void> {
    const run = this.chain.then(() => this.playNow(tones, timing));
    // The caller gets the failure through `run`; the chain only orders the next request after it.
    this.chain = run.then(ignore, ignore);
    return run;
  }

  /** The call is gone: pending requests fail now, later ones at once. */
  close(): void {
    this.closed = true;
    this.attached?.removeEventListener('tonechange', this.onToneChange);
    this.attached = undefined;
    for (const listener of [...this.listeners]) listener(CLOSED);
  }

  private async playNow(tones: string, timing: DtmfTiming): Promise<void> {
    const sender = this.closed ? undefined : this.sender();
    if (!sender || sender.canInsertDTMF === false) throw new ModeChangeFailedError('Could not send RFC 4733 DTMF on this call.');
    if (this.attached !== sender) {
      this.attached?.removeEventListener('tonechange', this.onToneChange);
      sender.addEventListener('tonechange', this.onToneChange);
      this.attached = sender;
      this.playing = false;
    }
    await this.idle(sender, timing);
    try {
      sender.insertDTMF(tones, timing.duration, timing.interToneGap);
    } catch (error) {
      throw new ModeChangeFailedError(`Could not send RFC 4733 DTMF: ${messageOf(error)}`);
    }
    const wanted = tones.toUpperCase();
    const bound = dtmfPlayoutMs(tones, timing) + DTMF_PLAYOUT_SLACK_MS;
    let started = '';
    await this.waitForTone(bound, (tone) => {
      if (tone !== '') {
        started += tone;
        return false;
      }
      if (sender.toneBuffer !== '') return false;
      if (!started.toUpperCase().endsWith(wanted)) {
        throw new ModeChangeFailedError(`The browser dropped DTMF: it played "${started}" for "${tones}".`);
      }
      return true;
    }).catch((error: unknown) => {
      if (error === TIMED_OUT) {
        throw new ModeChangeFailedError(`The browser did not play the DTMF "${tones}" (no end of tones within ${bound} ms).`);
      }
      throw error;
    });
  }

  /** Until the sender has nothing in its buffer and no tone playing. */
  private async idle(sender: DtmfSenderLike, timing: DtmfTiming): Promise<void> {
    if (sender.toneBuffer === '' && !this.playing) return;
    // Earlier tones (ours timed out, or someone else's): their play-out plus the slack.
    const bound = dtmfPlayoutMs(`${sender.toneBuffer}0`, timing) + DTMF_PLAYOUT_SLACK_MS;
    try {
      await this.waitForTone(bound, (tone) => tone === '' && sender.toneBuffer === '');
    } catch (error) {
      if (error !== TIMED_OUT) throw error;
      // Nothing pending: inserting cannot replace a digit, whatever became of the last ''.
      if (sender.toneBuffer !== '') {
        throw new ModeChangeFailedError('The browser did not play the earlier DTMF tones: not sending more over them.');
      }
      this.playing = false;
    }
  }

  /** Resolves when `done` says so on a tonechange; rejects with TIMED_OUT after `ms`, or when closed. */
  private waitForTone(ms: number, done: (tone: string) => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: unknown): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        if (error === undefined) resolve();
        else reject(error);
      };
      const listener: ToneListener = (tone) => {
        if (tone === CLOSED) return finish(new ModeChangeFailedError('The call ended before its DTMF was played.'));
        try {
          if (done(tone)) finish();
        } catch (error) {
          finish(error);
        }
      };
      const timer = setTimeout(() => finish(TIMED_OUT), ms);
      this.listeners.add(listener);
    });
  }
}

/** Produces a fresh silent track for each call (sip.js stops the sender's track when the call closes). */
export type SilentTrackFactory = () => MediaStreamTrack | Promise<MediaStreamTrack>;

/**
 * sip.js's WebRTC SDH with the {@link MonitorMedia} additions. Its local
 * stream is always the silent track: the microphone only ever enters by
 * {@link replaceOutgoingTrack}, so Listen sends silence by construction.
 */
export class MonitorSessionDescriptionHandler extends Web.SessionDescriptionHandler implements MonitorMedia {
  remoteStream(): MediaStream | undefined {
    return this.remoteMediaStream;
  }

  async heardLevel(): Promise<number | undefined> {
    const report = await this.peerConnection?.getStats();
    let level: number | undefined;
    report?.forEach((stats: { type?: string; kind?: string; audioLevel?: number }) => {
      if (stats.type === 'inbound-rtp' && stats.kind === 'audio' && typeof stats.audioLevel === 'number') level = stats.audioLevel;
    });
    return level;
  }

  private audioSender(): RTCRtpSender | undefined {
    const senders = this.peerConnection?.getSenders() ?? [];
    return senders.find((s) => s.track?.kind === 'audio') ?? senders[0];
  }

  outgoingTrack(): MediaStreamTrack | null {
    return this.audioSender()?.track ?? null;
  }

  private dtmfPlayer: DtmfPlayer | undefined;

  private player(): DtmfPlayer {
    this.dtmfPlayer ??= new DtmfPlayer(() => (this.peerConnection ? this.audioSender()?.dtmf : undefined));
    return this.dtmfPlayer;
  }

  playDtmf(tones: string, timing: DtmfTiming): Promise<void> {
    // The first tones wait until the audio sender is sending: RFC 4733 events ride its RTP stream, and
    // Firefox's sender starts a moment after the answer (a PIN sent at once was lost: monitor-firefox e2e).
    this.sending ??= this.untilSending();
    return this.sending.then(() => this.player().play(tones, timing));
  }

  /**
   * Resolved once the audio sender's RTP has flowed for a moment (outbound-rtp packetsSent ≥
   * {@link MEDIA_SETTLED_PACKETS}), or after 2 s whatever the stats say: a receiver whose jitter buffer
   * has not started yet may drop events that come with the very first packets (a PIN lost at the lab's
   * FreeSWITCH-style page in Firefox under CI load, twice), and a PBX's script may not be collecting
   * digits the instant it answers.
   */
  private sending: Promise<void> | undefined;

  private async untilSending(): Promise<void> {
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline) {
      const sender = this.audioSender();
      // No stats to read (a sender without getStats): nothing to wait for.
      if (typeof sender?.getStats !== 'function') return;
      const report = await sender.getStats().catch(() => undefined);
      let sent = 0;
      report?.forEach((stats: { type?: string; packetsSent?: number }) => {
        if (stats.type === 'outbound-rtp') sent += stats.packetsSent ?? 0;
      });
      if (sent >= MEDIA_SETTLED_PACKETS) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * sip.js's own RFC 4733 path (a bare insertDTMF on the first sender, which
   * replaces a pending digit) is not used: anything calling it goes through
   * the same serialized player.
   */
  override sendDtmf(tones: string, options?: { duration?: number; interToneGap?: number }): boolean {
    if (!this.peerConnection || !this.audioSender()?.dtmf) return false;
    this.playDtmf(tones, { duration: options?.duration ?? 100, interToneGap: options?.interToneGap ?? 70 }).catch(logCause(`RFC 4733 DTMF ${tones} (through sendDtmf) did not play`));
    return true;
  }

  override close(): void {
    this.dtmfPlayer?.close();
    super.close();
  }

  async replaceOutgoingTrack(track: MediaStreamTrack): Promise<void> {
    const sender = this.audioSender();
    if (!sender) throw new Error('The call has no audio sender.');
    await sender.replaceTrack(track);
  }

  onMediaFailure(callback: (stage: 'ice' | 'dtls') => void): () => void {
    const pc = this.peerConnection;
    if (!pc) return () => undefined;
    let fired = false;
    const check = () => {
      if (fired) return;
      if (pc.iceConnectionState === 'failed') {
        fired = true;
        callback('ice');
      } else if (pc.connectionState === 'failed') {
        fired = true;
        // ICE got through but the connection still failed: the DTLS handshake.
        callback(pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed' ? 'dtls' : 'ice');
      }
    };
    pc.addEventListener('iceconnectionstatechange', check);
    pc.addEventListener('connectionstatechange', check);
    return () => {
      pc.removeEventListener('iceconnectionstatechange', check);
      pc.removeEventListener('connectionstatechange', check);
    };
  }
}

/**
 * The SDH factory for the UserAgent: WebRTC whose only local media is a
 * silent track. `iceGatheringTimeout` is short because sip.js waits for
 * gathering to finish before sending the INVITE.
 */
export function monitorSdhFactory(silentTrack: SilentTrackFactory): SessionDescriptionHandlerFactory {
  return (session: Session, options?: object) => {
    const factoryOptions = (options ?? {}) as Web.SessionDescriptionHandlerFactoryOptions;
    const logger = session.userAgent.getLogger('sip.SessionDescriptionHandler');
    // Never getUserMedia here: whatever constraints sip.js passes, Listen sends silence.
    const mediaStreamFactory: Web.MediaStreamFactory = async () => new MediaStream([await silentTrack()]);
    return new MonitorSessionDescriptionHandler(logger, mediaStreamFactory, {
      iceGatheringTimeout: factoryOptions.iceGatheringTimeout ?? 2000,
      peerConnectionConfiguration: {
        bundlePolicy: 'balanced',
        rtcpMuxPolicy: 'require',
        ...factoryOptions.peerConnectionConfiguration,
      },
    });
  };
}
