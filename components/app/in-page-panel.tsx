import { useEffect, useRef } from 'preact/hooks';
import type { SendCommand } from '../../lib/messaging/commands';
import type { EarshotState } from '../../lib/state/snapshot';
import { t } from '../i18n';
import { MonitorCore } from '../monitor/monitor-core';

export interface InPagePanelProps {
  state: EarshotState | undefined;
  connected: boolean;
  send: SendCommand;
  open: boolean;
  onClose: () => void;
  /** Shown once to users who may not monitor (e.g. "Audio monitoring is available to Call Center Supervisors…"). */
  notice?: string;
  onDismissNotice?: () => void;
}

/**
 * The "Audio Monitoring" panel Earshot shows at the bottom right of the
 * portal page (inside one closed shadow root): the session controls of the
 * side panel (its log and tools stay there), plus a close button. Also
 * carries the one-time notice for users without the monitoring right.
 */
export function InPagePanel({ state, connected, send, open, onClose, notice, onDismissNotice }: InPagePanelProps) {
  const dialog = useRef<HTMLElement>(null);
  // Opening (a session starting) takes the focus, so the keyboard is where the controls are; Escape closes.
  useEffect(() => {
    if (open) dialog.current?.focus();
  }, [open]);
  return (
    <div class="earshot-dock">
      {notice && (
        <div class="earshot-notice" role="status">
          <span>{notice}</span>
          <button type="button" class="earshot-close" aria-label={t('dismiss')} onClick={onDismissNotice}>
            ×
          </button>
        </div>
      )}
      {open && (
        <section
          ref={dialog}
          class="earshot-inpage"
          role="dialog"
          aria-modal="false"
          aria-label={t('audioMonitoring')}
          tabIndex={-1}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.stopPropagation();
              onClose();
            }
          }}
        >
          <header class="earshot-inpage-header">
            <h2>{t('audioMonitoring')}</h2>
            <button type="button" class="earshot-close" aria-label={t('closeAudioMonitoring')} onClick={onClose}>
              ×
            </button>
          </header>
          <MonitorCore state={state} send={send} connected={connected} heading={false} />
        </section>
      )}
    </div>
  );
}
