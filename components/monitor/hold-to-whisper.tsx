import { useEffect, useRef } from 'preact/hooks';
import type { Mode } from '../../lib/monitor/modes';
import type { SessionSnapshot } from '../../lib/state/snapshot';
import { t } from '../i18n';

export interface HoldToWhisperProps {
  session: SessionSnapshot;
  onSelect: (mode: Mode) => void;
}

/** The keys that hold the button while it has focus. */
const HOLD_KEYS = new Set([' ', 'Enter']);

/**
 * Push-to-talk Whisper: hold the button (mouse, touch, or Space/Enter while
 * it has focus) to whisper to the agent; let go to return to Listen Only.
 * It cannot stick: the pointer is captured on press, so the release counts
 * wherever it happens (dragged off the button, off the panel); losing the
 * capture, the window losing focus, the page being hidden, the button losing
 * focus, a held key coming up anywhere, or the panel going away all end the
 * hold too. The commands API has no key-up event, so push-to-talk lives here,
 * not in the global shortcuts. Disabled with Whisper's own reason when it is
 * not available on this call.
 */
export function HoldToWhisper({ session, onSelect }: HoldToWhisperProps) {
  const availability = session.availability.whisper;
  const reason = availability.allowed ? undefined : (availability.reason ?? t('whisperUnavailable'));
  /** How the button is held now: by a pointer (its id), by a key, or not at all. */
  const held = useRef<{ by: 'pointer'; id: number } | { by: 'key' } | undefined>(undefined);
  const select = useRef(onSelect);
  select.current = onSelect;

  const release = () => {
    if (!held.current) return;
    held.current = undefined;
    select.current('listen');
  };
  const press = (how: NonNullable<typeof held.current>) => {
    if (reason !== undefined || held.current) return;
    held.current = how;
    if (session.mode !== 'whisper') select.current('whisper');
  };

  // Whatever takes the supervisor away from the button ends the hold.
  useEffect(() => {
    const onKeyUp = (event: KeyboardEvent) => {
      if (held.current?.by === 'key' && HOLD_KEYS.has(event.key)) release();
    };
    const onHidden = () => {
      if (document.visibilityState === 'hidden') release();
    };
    window.addEventListener('blur', release);
    window.addEventListener('keyup', onKeyUp, true);
    document.addEventListener('visibilitychange', onHidden);
    return () => {
      window.removeEventListener('blur', release);
      window.removeEventListener('keyup', onKeyUp, true);
      document.removeEventListener('visibilitychange', onHidden);
      release();
    };
  }, []);

  return (
    <button
      type="button"
      class="earshot-ptt"
      aria-disabled={reason !== undefined}
      title={reason ?? t('holdToWhisperTitle')}
      onPointerDown={(event) => {
        if (event.button !== 0) return;
        // Captured: pointerup comes here even when the pointer was dragged off the button.
        (event.currentTarget as HTMLElement).setPointerCapture?.(event.pointerId);
        press({ by: 'pointer', id: event.pointerId });
      }}
      onPointerUp={release}
      onPointerCancel={release}
      onLostPointerCapture={release}
      onBlur={release}
      onKeyDown={(event) => {
        if (HOLD_KEYS.has(event.key) && !event.repeat) {
          event.preventDefault();
          press({ by: 'key' });
        }
      }}
      onKeyUp={(event) => {
        if (HOLD_KEYS.has(event.key)) {
          event.preventDefault();
          release();
        }
      }}
    >
      {t('holdToWhisper')}
    </button>
  );
}
