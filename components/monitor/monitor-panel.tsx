import { mayUseTappingCode } from '../../lib/monitor/authority';
import { t } from '../i18n';
import { downloadText } from './download';
import { MonitorCore, type MonitorCoreProps } from './monitor-core';
import { MonitorExtensionForm } from './monitor-extension-form';
import { OutputControls, type AudioOutputControls } from './output-controls';
import { SessionLog } from './session-log';
import { ShortcutList } from './shortcut-list';
import type { BoundShortcut } from '../../lib/monitor/shortcuts';

/** Props of {@link MonitorPanel}. */
export interface MonitorPanelProps extends Omit<MonitorCoreProps, 'tools'> {
  /** Saves the exported CSV (defaults to a file download). */
  download?: (filename: string, csv: string) => void;
  /** Volume and output device of the call; without it the panel shows none. */
  output?: AudioOutputControls;
  /** The keyboard shortcuts bound now (the browser's commands); without it the panel lists none. */
  shortcuts?: () => Promise<BoundShortcut[]>;
}

/**
 * The side panel: the session controls ({@link MonitorCore}), "monitor an
 * extension" by tapping code (when the user has it), the call's volume and
 * output device, the session log with its CSV export, and the keyboard shortcuts.
 */
export function MonitorPanel({ download = downloadText, output, shortcuts, ...core }: MonitorPanelProps) {
  return (
    <MonitorCore
      {...core}
      tools={({ state, send, live, run, setNotice }) => {
        // The rules' own check (lib/monitor/authority.ts), on the one signed-in user (the portal's, when it shows one).
        const entitled = mayUseTappingCode(state.user).allowed;
        const exportLog = async () => {
          const result = await send({ type: 'export-log' });
          if (result.ok) {
            download(result.filename, result.csv);
            setNotice('');
          } else setNotice(result.reason);
        };
        return (
          <>
            {entitled && (
              <MonitorExtensionForm
                onSubmit={(extension) => void run({ type: 'monitor-extension', extension })}
                disabledReason={live ? t('hangUpFirst') : undefined}
              />
            )}
            {output && <OutputControls controls={output} />}
            <SessionLog log={state.log} onExport={() => void exportLog()} />
            {shortcuts && <ShortcutList load={shortcuts} />}
          </>
        );
      }}
    />
  );
}
