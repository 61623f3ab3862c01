import { isExtension } from '../../lib/contract/extension';
import type { Mode } from '../../lib/monitor/modes';

export const DIALECT_IDS = ['asterisk-chanspy', 'asterisk-per-mode', 'freeswitch-eavesdrop', 'netsapiens-tapping'] as const;
export type DialectId = (typeof DIALECT_IDS)[number];

/**
 * The monitor feature of one PBX family (shared/design/pbx-dialects.md):
 * which dialled prefixes reach it and in which mode, who may use it, which
 * DTMF sequences switch modes, and whether it outlives the agent's call.
 */
export interface Dialect {
  id: DialectId;
  /** Dial prefix → the mode the session starts in. */
  prefixes: Record<string, Mode>;
  /** DTMF sequence → mode. */
  codes: Record<string, Mode>;
  /** Tapping code (Office Managers or users granted it) instead of the supervisor scope. */
  tapping: boolean;
  /** Default session end. */
  sessionEnd: 'with-agent' | 'persist';
}

export const DIALECTS: Record<DialectId, Dialect> = {
  'asterisk-chanspy': {
    id: 'asterisk-chanspy',
    prefixes: { '*222': 'listen' },
    codes: { '4': 'listen', '5': 'whisper', '6': 'barge' },
    tapping: false,
    sessionEnd: 'with-agent',
  },
  'asterisk-per-mode': {
    id: 'asterisk-per-mode',
    prefixes: { '*221': 'listen', '*223': 'whisper', '*224': 'barge' },
    codes: {},
    tapping: false,
    sessionEnd: 'with-agent',
  },
  'freeswitch-eavesdrop': {
    id: 'freeswitch-eavesdrop',
    prefixes: { '*33': 'listen' },
    // 1 (talk to the other leg) is not offered: Whisper is to the agent only.
    codes: { '0': 'listen', '2': 'whisper', '3': 'barge' },
    tapping: false,
    sessionEnd: 'with-agent',
  },
  'netsapiens-tapping': {
    id: 'netsapiens-tapping',
    prefixes: { '*55': 'listen' },
    codes: { '*1': 'listen', '*2': 'whisper', '*3': 'barge' },
    tapping: true,
    sessionEnd: 'persist',
  },
};

/** Splits a dialled user part into the dialect's prefix and the target extension. */
export function matchPrefix(dialect: Dialect, user: string): { prefix: string; mode: Mode; target: string } | undefined {
  for (const [prefix, mode] of Object.entries(dialect.prefixes)) {
    if (user.startsWith(prefix) && isExtension(user.slice(prefix.length))) return { prefix, mode, target: user.slice(prefix.length) };
  }
  return undefined;
}

/** Every prefix of every dialect: dialled under another dialect they are refused as unknown (404). */
export const ALL_PREFIXES = DIALECT_IDS.flatMap((id) => Object.keys(DIALECTS[id].prefixes));

/**
 * Collects DTMF digits into the dialect's codes: single digits map at once,
 * `*` waits (up to 2 s) for the digit that completes a star code.
 */
export class CodeCollector {
  private buffer = '';
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly codes: Record<string, Mode>,
    private readonly onCode: (mode: Mode, sequence: string) => void,
    private readonly onUnknown: (sequence: string) => void,
  ) {}

  push(digit: string): void {
    clearTimeout(this.timer);
    this.buffer += digit;
    const mode = this.codes[this.buffer];
    if (mode) {
      const sequence = this.buffer;
      this.buffer = '';
      this.onCode(mode, sequence);
      return;
    }
    if (Object.keys(this.codes).some((c) => c.startsWith(this.buffer))) {
      this.timer = setTimeout(() => this.flush(), 2000);
      return;
    }
    this.flush();
  }

  private flush(): void {
    if (this.buffer) this.onUnknown(this.buffer);
    this.buffer = '';
  }

  close(): void {
    clearTimeout(this.timer);
  }
}
