import { MODE_LABELS } from '../monitor/modes';
import type { LogEntry } from '../state/snapshot';

/** Leading characters a spreadsheet may read as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): quoted when it holds a quote, comma or line
 * break; cells a spreadsheet would run as a formula get a leading `'`.
 */
export function csvCell(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** The header row of {@link logToCsv}. */
export const LOG_CSV_HEADER = ['Time', 'Event', 'Agent', 'Mode', 'Details'] as const;

/** The session log as CSV text (CRLF line ends, header first, ISO times in UTC). */
export function logToCsv(log: readonly LogEntry[]): string {
  const rows = [LOG_CSV_HEADER.map(csvCell).join(',')];
  for (const entry of log) {
    rows.push(
      [
        new Date(entry.at).toISOString(),
        entry.kind,
        entry.agent ?? '',
        entry.mode ? MODE_LABELS[entry.mode] : '',
        entry.text,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return rows.join('\r\n') + '\r\n';
}

/** File name for an export made at `at` (ms epoch), e.g. `earshot-log-2025-01-31T10-04-05Z.csv`. */
export function logCsvFilename(at: number): string {
  return `earshot-log-${new Date(at).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.csv`;
}
