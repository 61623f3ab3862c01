import { useId } from 'preact/hooks';
import { MODE_LABELS } from '../../lib/monitor/modes';
import type { LogEntry } from '../../lib/state/snapshot';
import { formatClock } from './format';

/** Props of {@link SessionLog}. */
export interface SessionLogProps {
  log: readonly LogEntry[];
  onExport: () => void;
  /** Rows shown (the export has them all). */
  limit?: number;
}

const KIND_LABELS: Record<LogEntry['kind'], string> = {
  start: 'Start',
  mode: 'Mode',
  end: 'End',
  error: 'Error',
  info: 'Info',
};

/** The session log (newest first) with an "Export CSV" button. */
export function SessionLog({ log, onExport, limit = 50 }: SessionLogProps) {
  const headingId = useId();
  const rows = log.slice(-limit).reverse();
  return (
    <section class="earshot-log" aria-labelledby={headingId}>
      <div class="earshot-log-head">
        <h2 id={headingId} class="earshot-heading">
          Session log
        </h2>
        <button type="button" class="earshot-secondary" onClick={onExport} disabled={log.length === 0}>
          Export CSV
        </button>
      </div>
      {rows.length === 0 ? (
        <p class="earshot-muted">No sessions yet.</p>
      ) : (
        <ol class="earshot-log-list">
          {rows.map((entry, i) => (
            <li key={`${entry.at}-${i}`} class={`earshot-log-${entry.kind}`}>
              <time dateTime={new Date(entry.at).toISOString()}>{formatClock(entry.at)}</time>{' '}
              <span class="earshot-log-kind">{KIND_LABELS[entry.kind]}</span>{' '}
              {entry.mode && <span class="earshot-log-mode">{MODE_LABELS[entry.mode]}</span>} <span>{entry.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
