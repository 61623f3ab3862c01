import { z } from 'zod';
import { MODE_LABELS, MODES } from '../monitor/modes';
import { logEntrySchema, type LogEntry } from '../contract/state';
import { csvCell } from './csv';

/**
 * The session record: who monitored whom, when, in which modes, and how it
 * ended, kept across browser restarts (lib/coordinator/session-history.ts
 * builds it; the extension origin's IndexedDB holds it). Bounded by age and
 * count; exported as CSV with ISO 8601 times and their offset.
 */

const partySchema = z.object({ extension: z.string().optional(), name: z.string().optional() });

export const sessionRecordSchema = z.object({
  id: z.string(),
  supervisor: partySchema,
  agent: z.object({ extension: z.string(), name: z.string().optional() }),
  otherParty: z.object({ uri: z.string(), display: z.string().optional(), onNet: z.boolean() }).optional(),
  /** Each mode in force and when it began (the first is the session's start). */
  modes: z.array(z.object({ mode: z.enum(MODES), at: z.number() })).min(1),
  /** ms epoch of the end or failure; absent while live. */
  end: z.number().optional(),
  outcome: z
    .object({ result: z.enum(['ended', 'failed']), endedBy: z.enum(['supervisor', 'remote']).optional(), reason: z.string().optional() })
    .optional(),
});
export type SessionRecord = z.infer<typeof sessionRecordSchema>;

/** What the history store keeps: the session records and the log rows the panels show. */
export const historySchema = z.object({
  version: z.literal(1),
  sessions: z.array(sessionRecordSchema),
  log: z.array(logEntrySchema),
});
export type History = z.infer<typeof historySchema>;

/** How long and how much is kept (settings: historyDays, auditRetention). */
export interface HistoryLimits {
  /** Days kept; older sessions and log rows are dropped. */
  days: number;
  /** Log rows kept (the newest). */
  logEntries: number;
}

/** Sessions kept at most, whatever the days: a few months of a busy supervisor. */
export const HISTORY_MAX_SESSIONS = 5000;

const DAY_MS = 86_400_000;

/** The history within its limits at `now`: recent enough, the newest kept. */
export function pruneHistory(history: History, limits: HistoryLimits, now: number): History {
  const since = now - limits.days * DAY_MS;
  return {
    version: 1,
    sessions: history.sessions.filter((s) => (s.end ?? s.modes.at(-1)!.at) >= since).slice(-HISTORY_MAX_SESSIONS),
    log: history.log.filter((entry) => entry.at >= since).slice(-limits.logEntries),
  };
}

/** Two logs merged by time, each row once (a row is its time, kind and text). */
export function mergeLogs(older: readonly LogEntry[], newer: readonly LogEntry[]): LogEntry[] {
  const key = (e: LogEntry) => `${e.at}|${e.kind}|${e.text}`;
  const seen = new Set(newer.map(key));
  return [...older.filter((e) => !seen.has(key(e))), ...newer].sort((a, b) => a.at - b.at);
}

/**
 * A time in ISO 8601 with its UTC offset, e.g. 2026-12-02T09:04:05+01:00.
 * `offsetMinutes` is east of UTC (the opposite sign of Date#getTimezoneOffset).
 */
export function isoWithOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().replace(/\.\d+Z$/, '');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The offset east of UTC in force at `ms` where this code runs. */
export function localOffsetMinutes(ms: number): number {
  return -new Date(ms).getTimezoneOffset();
}

export const HISTORY_CSV_HEADER = [
  'Session',
  'Supervisor',
  'Agent',
  'Other party',
  'Mode',
  'Start',
  'End',
  'Duration (s)',
  'Outcome',
] as const;

const person = (p: { extension?: string; name?: string }) =>
  p.name && p.extension ? `${p.name} (${p.extension})` : (p.name ?? p.extension ?? '');

function outcomeText(record: SessionRecord): string {
  const o = record.outcome;
  if (!o) return 'live';
  const head = o.result === 'failed' ? 'failed' : o.endedBy === 'supervisor' ? 'ended by the supervisor' : 'ended by the PBX';
  return o.reason ? `${head}: ${o.reason}` : head;
}

/**
 * The session record as CSV (RFC 4180, CRLF): one row per mode a session was
 * in, so a spreadsheet can total time per mode; every row names the session,
 * the supervisor, the agent, the other party and the session's outcome.
 * Times are ISO 8601 with the offset in force at each time.
 */
export function historyToCsv(sessions: readonly SessionRecord[], now: number, offset: (ms: number) => number = localOffsetMinutes): string {
  const rows = [HISTORY_CSV_HEADER.map(csvCell).join(',')];
  const time = (ms: number) => isoWithOffset(ms, offset(ms));
  for (const record of sessions) {
    const other = record.otherParty ? (record.otherParty.display ? `${record.otherParty.display} <${record.otherParty.uri}>` : record.otherParty.uri) : '';
    record.modes.forEach(({ mode, at }, index) => {
      const next = record.modes[index + 1]?.at ?? record.end;
      const end = next ?? now;
      rows.push(
        [
          record.id,
          person(record.supervisor),
          person(record.agent),
          other,
          MODE_LABELS[mode],
          time(at),
          next === undefined ? '' : time(next),
          String(Math.round((end - at) / 1000)),
          outcomeText(record),
        ]
          .map(csvCell)
          .join(','),
      );
    });
  }
  return rows.join('\r\n') + '\r\n';
}

/** File name for an export made at `at`, e.g. `earshot-sessions-2026-12-02T09-04-05Z.csv`. */
export function historyCsvFilename(at: number): string {
  return `earshot-sessions-${new Date(at).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.csv`;
}
