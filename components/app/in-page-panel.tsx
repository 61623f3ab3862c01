import type { SendCommand } from '../../lib/messaging/commands';
import type { EarshotState } from '../../lib/state/snapshot';
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
  return (
    <div class="earshot-dock">
      {notice && (
        <div class="earshot-notice" role="status">
          <span>{notice}</span>
          <button type="button" class="earshot-close" aria-label="Dismiss" onClick={onDismissNotice}>
            ×
          </button>
        </div>
      )}
      {open && (
        <section class="earshot-inpage" role="dialog" aria-modal="false" aria-label="Audio Monitoring">
          <header class="earshot-inpage-header">
            <h2>Audio Monitoring</h2>
            <button type="button" class="earshot-close" aria-label="Close Audio Monitoring" onClick={onClose}>
              ×
            </button>
          </header>
          <MonitorCore state={state} send={send} connected={connected} />
        </section>
      )}
    </div>
  );
}

/** Styles of the dock; the monitor panel brings its own (MONITOR_PANEL_CSS). */
export const IN_PAGE_CSS = `
:host { all: initial; }
.earshot-dock { position: fixed; right: 16px; bottom: 16px; z-index: 2147483000; display: flex; flex-direction: column;
  gap: 8px; align-items: flex-end; font: 14px/1.4 system-ui, sans-serif; }
.earshot-inpage, .earshot-notice { background: Canvas; color: CanvasText; border: 1px solid #8886; border-radius: 10px;
  box-shadow: 0 6px 24px #0003; }
.earshot-inpage { width: 300px; max-height: 70vh; overflow: auto; }
.earshot-inpage-header { display: flex; align-items: center; justify-content: space-between; padding: 8px 12px 0; }
.earshot-inpage-header h2 { font-size: 15px; margin: 0; }
.earshot-notice { display: flex; gap: 8px; align-items: center; padding: 10px 12px; max-width: 340px; }
.earshot-close { all: unset; cursor: pointer; font-size: 18px; padding: 0 6px; border-radius: 4px; }
.earshot-close:focus-visible { outline: 2px solid #0b57d0; }
:host { color-scheme: light dark; }
`;
