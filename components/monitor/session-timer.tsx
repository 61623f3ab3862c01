import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { formatElapsed } from './format';

/** Props of {@link SessionTimer}. */
export interface SessionTimerProps {
  /** ms epoch the call was answered; nothing is shown before. */
  startedAt?: number;
  /** ms epoch the session ended: the timer stops there. */
  endedAt?: number;
  now?: () => number;
}

/** Elapsed time of the monitor call (mm:ss), ticking once a second while it runs. */
export function SessionTimer({ startedAt, endedAt, now = Date.now }: SessionTimerProps) {
  const [, setTick] = useState(0);
  const running = startedAt !== undefined && endedAt === undefined;
  useEffect(() => {
    if (!running) return;
    const id = setInterval(() => setTick((t) => t + 1), 1000);
    return () => clearInterval(id);
  }, [running]);
  if (startedAt === undefined) return null;
  const elapsed = formatElapsed((endedAt ?? now()) - startedAt);
  return (
    <p class="earshot-timer">
      <span class="earshot-label">{t('timeLabel')}</span>{' '}
      <span role="timer" aria-label={t('elapsedTime', elapsed)}>
        {elapsed}
      </span>
    </p>
  );
}
