import type { Mode } from '../../lib/monitor/modes';
import type { SessionSnapshot } from '../../lib/state/snapshot';
import { t } from '../i18n';

export interface HoldToWhisperProps {
  session: SessionSnapshot;
  onSelect: (mode: Mode) => void;
}

/**
 * Push-to-talk Whisper: hold the button (mouse, touch, or Space/Enter while
 * it has focus) to whisper to the agent; release to return to Listen Only.
 * The commands API has no key-up event, so push-to-talk lives here, not in
 * the global shortcuts. Disabled with Whisper's own reason when it is not
 * available on this call.
 */
export function HoldToWhisper({ session, onSelect }: HoldToWhisperProps) {
  const availability = session.availability.whisper;
  const reason = availability.allowed ? undefined : (availability.reason ?? t('whisperUnavailable'));
  const press = () => {
    if (reason === undefined && session.mode !== 'whisper') onSelect('whisper');
  };
  const release = () => {
    if (reason === undefined) onSelect('listen');
  };
  return (
    <button
      type="button"
      class="earshot-ptt"
      aria-disabled={reason !== undefined}
      title={reason ?? t('holdToWhisperTitle')}
      onPointerDown={press}
      onPointerUp={release}
      onPointerCancel={release}
      onKeyDown={(e) => {
        if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) {
          e.preventDefault();
          press();
        }
      }}
      onKeyUp={(e) => {
        if (e.key === ' ' || e.key === 'Enter') {
          e.preventDefault();
          release();
        }
      }}
    >
      {t('holdToWhisper')}
    </button>
  );
}
