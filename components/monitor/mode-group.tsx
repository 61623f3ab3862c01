import { useId, useRef } from 'preact/hooks';
import { MODES, type Mode } from '../../lib/monitor/modes';
import type { SessionSnapshot } from '../../lib/state/snapshot';
import { t } from '../i18n';
import { modeLabel } from './format';

/** Props of {@link ModeGroup}. */
export interface ModeGroupProps {
  session: SessionSnapshot;
  onSelect: (mode: Mode) => void;
}

/** Why every mode is unavailable in a session that is not active. */
function statusBlock(session: SessionSnapshot): string | undefined {
  switch (session.status) {
    case 'active':
      return undefined;
    case 'connecting':
      return t('modeWaitConnected');
    case 'reconnecting':
      return t('modeWaitReconnected');
    case 'ending':
      return t('modeSessionEnding');
    case 'ended':
    case 'failed':
      return t('modeSessionOver');
  }
}

/**
 * Listen Only / Whisper / Join (Barge-In) as a group of toggle buttons: the
 * PBX's current mode is pressed, a switch under way is marked, and an
 * unavailable mode stays focusable (aria-disabled) with its reason shown and
 * linked by aria-describedby. Arrow keys move between the buttons.
 */
export function ModeGroup({ session, onSelect }: ModeGroupProps) {
  const id = useId();
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const blocked = statusBlock(session);

  const onKeyDown = (event: KeyboardEvent) => {
    const index = buttons.current.findIndex((b) => b === event.target);
    if (index < 0) return;
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    let next: number | undefined;
    if (step !== undefined) next = (index + step + MODES.length) % MODES.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = MODES.length - 1;
    if (next === undefined) return;
    event.preventDefault();
    buttons.current[next]?.focus();
  };

  return (
    <div class="earshot-modes" role="group" aria-label={t('modeGroupLabel')} onKeyDown={onKeyDown}>
      {MODES.map((mode, index) => {
        const availability = session.availability[mode];
        const reason = blocked ?? (availability.allowed ? undefined : (availability.reason ?? t('modeNotAvailable')));
        const pressed = session.mode === mode;
        const pending = session.pendingMode === mode && !pressed;
        const reasonId = blocked !== undefined ? `${id}-blocked` : `${id}-${mode}-reason`;
        return (
          <div class="earshot-mode" key={mode}>
            <button
              type="button"
              ref={(el) => {
                buttons.current[index] = el;
              }}
              class="earshot-mode-button"
              data-mode={mode}
              aria-pressed={pressed}
              aria-disabled={reason !== undefined}
              aria-describedby={reason !== undefined ? reasonId : undefined}
              aria-busy={pending || undefined}
              onClick={() => {
                if (reason === undefined) onSelect(mode);
              }}
            >
              {modeLabel(mode)}
              {pending && <span class="earshot-pending">{` ${t('modeSwitching')}`}</span>}
            </button>
            {mode === 'barge' && reason === undefined && <span class="earshot-mode-note">{t('bargeReachesOther')}</span>}
            {reason !== undefined && blocked === undefined && (
              <span id={reasonId} class="earshot-reason">
                {reason}
              </span>
            )}
          </div>
        );
      })}
      {blocked !== undefined && (
        <span id={`${id}-blocked`} class="earshot-reason">
          {blocked}
        </span>
      )}
    </div>
  );
}
