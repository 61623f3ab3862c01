/** The keep-alive timer fired this much later than asked: the computer slept. */
const SLEPT_MS = 15_000;

/**
 * The clock of the OPTIONS keep-alive: ticks every `periodMs` while started,
 * and says when a tick came far too late (timers do not run while the
 * computer sleeps). What a tick does is the connection's.
 */
export class KeepAlive {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastTick = 0;

  constructor(
    private readonly periodMs: number,
    private readonly now: () => number,
    private readonly tick: (slept: boolean) => void,
  ) {}

  start(): void {
    this.stop();
    this.lastTick = this.now();
    this.timer = setTimeout(() => this.fire(), this.periodMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    const now = this.now();
    const late = now - this.lastTick - this.periodMs;
    this.lastTick = now;
    this.timer = setTimeout(() => this.fire(), this.periodMs);
    this.tick(late > SLEPT_MS);
  }
}
