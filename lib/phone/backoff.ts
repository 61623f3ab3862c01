/** Exponential backoff settings for reconnecting and re-registering. */
export interface BackoffOptions {
  /** First delay (ms). */
  baseMs: number;
  /** Ceiling (ms). */
  maxMs: number;
}

/** 1 s, 2 s, 4 s … up to a minute. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 60_000 };

/**
 * Delay before retry number `attempt` (0-based): exponential with "equal
 * jitter" (half fixed, half random), so many supervisors dropped by the same
 * PBX restart do not all come back in the same second, yet each waits at
 * least half the nominal delay.
 */
export function backoffDelay(attempt: number, random: () => number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const nominal = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(nominal / 2 + (nominal / 2) * Math.min(1, Math.max(0, random())));
}
