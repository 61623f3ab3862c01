import { useId } from 'preact/hooks';
import type { LogEntry } from '../../lib/state/snapshot';
import { t, type MessageKey } from '../i18n';
import { formatClock, modeLabel } from './format';

/** Props of {@link SessionLog}. */
export interface SessionLogProps {
  log: readonly LogEntry[];
  onExport: () => void;
  /** Rows shown (the export has them all). */
  limit?: number;
}

const KIND_KEYS: Record<LogEntry['kind'], MessageKey> = {
  start: 'logStart',
  mode: 'logMode',
  end: 'logEnd',
  error: 'logError',
  info: 'logInfo',
};

/** The session log (newest first) with an "Export CSV" button. */
export function SessionLog({ log, onExport, limit = 50 }: SessionLogProps) {
  const headingId = useId();
  const rows = log.slice(-limit).reverse();
  return (
    <section class="earshot-log" aria-labelledby={headingId}>
      <div class="earshot-log-head">
        <h2 id={headingId} class="earshot-heading">
          {t('sessionLogHeading')}
        </h2>
        <button type="button" class="earshot-secondary" onClick={onExport} disabled={log.length === 0}>
          {t('exportCsv')}
        </button>
      </div>
      {rows.length === 0 ? (
        <p class="earshot-muted">{t('noSessions')}</p>
      ) : (
        // Focusable: it scrolls, and a keyboard user must be able to scroll it (axe scrollable-region-focusable).
        <ol class="earshot-log-list" tabIndex={0} aria-labelledby={headingId}>
          {rows.map((entry, i) => {
            // The mode as a label only when the row's text does not already say it ("Join (Barge-In) on Hank Agent").
            const mode = entry.mode && !entry.text.includes(modeLabel(entry.mode)) ? modeLabel(entry.mode) : undefined;
            return (
              <li key={`${entry.at}-${i}`} class={`earshot-log-${entry.kind}`}>
                <time dateTime={new Date(entry.at).toISOString()}>{formatClock(entry.at)}</time>{' '}
                <span class="earshot-log-kind">{t(KIND_KEYS[entry.kind])}</span>{' '}
                {mode && (
                  <>
                    <span class="earshot-log-mode">{mode}</span>{' '}
                  </>
                )}
                <span>{entry.text}</span>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
