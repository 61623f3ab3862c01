import type { AudioOutput } from './audio';
import type { MonitorSession } from './monitor-session';

/** The heard level (RMS, 0..1) that counts as the call's first audio, and how it is watched for. */
const FIRST_AUDIO_LEVEL = 0.005;
const FIRST_AUDIO_POLL_MS = 20;
const FIRST_AUDIO_WATCH_MS = 10_000;

/**
 * A live session's levels, published a few times a second; nothing ticks when
 * idle. Until the first audio arrives the analyser is read every 20 ms, so
 * "hearing the call" is known to within a frame; then every `intervalMs`. A
 * call that stays silent for 10 s gets a notice, taken back when audio arrives.
 */
export class LevelMeter {
  levels = { heard: 0, sent: 0 };
  /** When the first audio of the call was heard. */
  heardAt: number | undefined;
  /** The "nothing heard" notice once shown (cleared from the message when audio arrives). */
  private silenceNotice: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly session: MonitorSession,
    private readonly audio: AudioOutput | undefined,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.timer !== undefined || !this.audio) return;
    this.timer = setTimeout(() => this.tick(), FIRST_AUDIO_POLL_MS);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    this.timer = undefined;
    const session = this.session;
    const audio = this.audio;
    if (!audio || !session.live) return;
    const host = session.host;
    const now = host.now();
    const { heard, sent } = audio.levels();
    if (this.heardAt === undefined && heard >= FIRST_AUDIO_LEVEL) {
      this.heardAt = now;
      host.log('info', `Hearing ${session.who}: first audio ${((this.heardAt - session.requestedAt) / 1000).toFixed(2)} s after the start.`, { agent: session.agent });
      if (this.silenceNotice !== undefined && session.message === this.silenceNotice) session.message = undefined;
    } else if (
      this.heardAt === undefined &&
      this.silenceNotice === undefined &&
      audio.metering?.() !== false &&
      now - (session.startedAt ?? session.requestedAt) >= FIRST_AUDIO_WATCH_MS
    ) {
      // The PBX is connected but sends only silence (ChanSpy waits quietly on a line with no call).
      // Only said where the level is measured: a meter that cannot run reads 0 whatever plays.
      const who = session.who;
      this.silenceNotice = `Nothing heard from ${who} in ${FIRST_AUDIO_WATCH_MS / 1000} s: the PBX sends only silence. ${who} may have no call (the PBX waits quietly until one starts), or the call is on hold. Hang up, or stay on: this goes away when audio arrives.`;
      session.message = this.silenceNotice;
      host.log('error', this.silenceNotice, { agent: session.agent });
    }
    const waiting = this.heardAt === undefined && now - session.requestedAt < FIRST_AUDIO_WATCH_MS;
    this.timer = setTimeout(() => this.tick(), waiting ? FIRST_AUDIO_POLL_MS : this.intervalMs);
    const next = { heard: round2(heard), sent: session.mode === 'listen' ? 0 : round2(sent) };
    if (next.heard === this.levels.heard && next.sent === this.levels.sent && !host.logPending()) return;
    this.levels = next;
    host.emit();
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
