import type { EventLog } from '../log';
import type { WebRtcLeg } from '../media';
import type { MonitorSession } from './pbx';

/** What the watchdog needs of the PBX: its live sessions, their legs, and ending one. */
export interface MediaTimeoutHost {
  sessions(): Iterable<MonitorSession>;
  leg(session: MonitorSession): WebRtcLeg | undefined;
  end(session: MonitorSession, reason: string): void;
  /** The timeout now (ms); undefined or 0: off. */
  timeoutMs(): number | undefined;
}

/**
 * A real PBX's RTP timeout (Asterisk `rtp_timeout`, FreeSWITCH `media_timeout`): a monitor
 * session whose caller sends no RTP packet for the timeout is ended, with a BYE to the caller
 * (the SIP layer's session-end listener). Packets, not decoded audio: the lab's jitter buffer
 * plays out concealment every 10 ms whether packets come or not (measured). Off unless set.
 */
export class MediaTimeout {
  /** The last packet count seen per session, and since when it has not moved. */
  private readonly seen = new Map<string, { packets: number; since: number }>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private checking = false;

  constructor(
    private readonly host: MediaTimeoutHost,
    private readonly log: EventLog,
    private readonly now: () => number = Date.now,
    intervalMs = 1000,
  ) {
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref?.();
  }

  /** One pass: sessions whose packet count has not moved for the timeout are ended. */
  async check(): Promise<void> {
    const timeout = this.host.timeoutMs();
    if (!timeout || this.checking) {
      if (!timeout) this.seen.clear();
      return;
    }
    this.checking = true;
    try {
      const live = new Set<string>();
      for (const session of [...this.host.sessions()]) {
        live.add(session.id);
        const leg = this.host.leg(session);
        if (!leg) continue;
        const packets = await leg.packetsReceived().catch(() => 0);
        const now = this.now();
        const last = this.seen.get(session.id);
        if (!last || packets > last.packets) {
          this.seen.set(session.id, { packets, since: now });
        } else if (now - last.since >= timeout) {
          this.seen.delete(session.id);
          this.log.add('media-timeout', `no RTP from ${session.supervisor} for ${Math.round((now - last.since) / 1000)} s on ${session.agent}: ending the session`, { session: session.id });
          this.host.end(session, 'media timeout (no RTP)');
        }
      }
      for (const id of this.seen.keys()) if (!live.has(id)) this.seen.delete(id);
    } finally {
      this.checking = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
