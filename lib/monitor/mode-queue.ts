import type { Mode } from './modes';

export interface ModeQueueOptions {
  /** The mode the PBX is in when the queue starts (Listen Only). */
  initial: Mode;
  /**
   * Performs one switch on the PBX; rejects when it failed (the mode stays `from`). It reports
   * its own failure (the engine logs it and shows it on the session) before rejecting.
   */
  apply: (from: Mode, to: Mode) => Promise<void>;
  /** Called after every settled switch and whenever `pending` changes. */
  onChange: () => void;
}

export interface ModeQueue {
  /** Asks for a mode. Asks made while a switch runs coalesce: only the last one is applied next. */
  request(mode: Mode): void;
  /** The mode the PBX is in (last confirmed switch). */
  readonly current: Mode;
  /** The mode last asked for and not yet reached, if any. */
  readonly pending: Mode | undefined;
  /** Resolves when no switch runs and none is waiting. */
  idle(): Promise<void>;
  /** Stops: switches not yet started are dropped. */
  close(): void;
}

/**
 * Serializes mode switches and coalesces fast clicks: the PBX ends in the
 * mode asked for last, with at most one switch running and one waiting.
 * Listen → Whisper → Barge clicked quickly while the first switch runs
 * yields Listen → Whisper (running) then Whisper → Barge, never a third.
 */
export function createModeQueue(options: ModeQueueOptions): ModeQueue {
  let current = options.initial;
  let wanted: Mode | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  async function pump(): Promise<void> {
    while (!closed && wanted !== undefined && wanted !== current) {
      const from = current;
      const to = wanted;
      try {
        await options.apply(from, to);
        current = to;
      } catch {
        // A failed switch (already reported by `apply`) drops what was asked: the PBX stays where it was.
        if (wanted === to) wanted = undefined;
      }
      if (wanted === current) wanted = undefined;
      options.onChange();
    }
    wanted = undefined;
  }

  return {
    request(mode) {
      if (closed) return;
      wanted = mode;
      if (running) {
        options.onChange();
        return;
      }
      if (mode === current) {
        wanted = undefined;
        return;
      }
      options.onChange();
      running = pump().finally(() => {
        running = undefined;
      });
    },
    get current() {
      return current;
    },
    get pending() {
      return wanted !== undefined && wanted !== current ? wanted : undefined;
    },
    idle() {
      return running ?? Promise.resolve();
    },
    close() {
      closed = true;
      wanted = undefined;
    },
  };
}
