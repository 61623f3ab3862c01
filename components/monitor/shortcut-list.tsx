import { useEffect, useState } from 'preact/hooks';
import type { BoundShortcut, ShortcutCommand } from '../../lib/monitor/shortcuts';
import { t } from '../i18n';
import { modeLabel } from './format';

/** Props of {@link ShortcutList}. */
export interface ShortcutListProps {
  /** The keys bound now (the browser's `commands.getAll()`: the supervisor may have changed them). */
  load: () => Promise<BoundShortcut[]>;
}

const LABELS: Record<ShortcutCommand, () => string> = {
  'mode-listen': () => modeLabel('listen'),
  'mode-whisper': () => modeLabel('whisper'),
  'mode-barge': () => modeLabel('barge'),
  'hang-up': () => t('hangUp'),
};

/**
 * Earshot's keyboard shortcuts as the browser has bound them, read when the
 * panel opens, so what the list says is what the keys do (a key the browser
 * refused or the supervisor cleared shows as not set).
 */
export function ShortcutList({ load }: ShortcutListProps) {
  const [shortcuts, setShortcuts] = useState<BoundShortcut[] | undefined>(undefined);
  useEffect(() => {
    let live = true;
    load().then(
      (bound) => live && setShortcuts(bound),
      () => live && setShortcuts([]),
    );
    return () => {
      live = false;
    };
  }, [load]);
  if (!shortcuts || shortcuts.length === 0) return null;
  return (
    <details class="earshot-shortcuts">
      <summary>{t('shortcutsHeading')}</summary>
      <dl>
        {shortcuts.map(({ command, shortcut }) => (
          <div key={command} class="earshot-shortcut" data-command={command}>
            <dt>{LABELS[command]()}</dt>
            <dd>{shortcut ? <kbd>{shortcut}</kbd> : t('shortcutNotSet')}</dd>
          </div>
        ))}
      </dl>
      <p class="earshot-hint">{t('shortcutsHint')}</p>
    </details>
  );
}
