import { cleanup, render, screen, waitFor } from '@testing-library/preact';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ShortcutList } from '@/components/monitor/shortcut-list';
import { toolbarIndicator } from '@/components/monitor/toolbar-indicator';
import { boundShortcuts, shortcutAction, SHORTCUTS } from '@/lib/monitor/shortcuts';
import type { SessionSnapshot } from '@/lib/state/snapshot';

afterEach(cleanup);

describe('keyboard shortcuts', () => {
  it('maps each declared command to its action and ignores any other name', () => {
    expect(shortcutAction('mode-whisper')).toEqual({ type: 'mode', mode: 'whisper' });
    expect(shortcutAction('mode-barge')).toEqual({ type: 'mode', mode: 'barge' });
    expect(shortcutAction('hang-up')).toEqual({ type: 'hangup' });
    expect(shortcutAction('_execute_action')).toBeUndefined();
    expect(shortcutAction('toString')).toBeUndefined();
  });

  it('suggests none of the keys the browsers refuse (Chromium: Alt+Shift+W, X; Firefox: its menu letters)', () => {
    const refused = ['W', 'X', 'F', 'E', 'V', 'S', 'B', 'T', 'H'].map((letter) => `Alt+Shift+${letter}`);
    const keys = Object.values(SHORTCUTS).map((s) => s.key);
    expect(keys.filter((key) => refused.includes(key))).toEqual([]);
    expect(new Set(keys).size).toBe(keys.length);
    // Chromium binds at most four suggested keys.
    expect(keys.length).toBeLessThanOrEqual(4);
  });

  it('reads what the browser bound, in Earshot order, a missing or cleared one as not set', () => {
    const bound = boundShortcuts([
      { name: '_execute_action', shortcut: '' },
      { name: 'hang-up', shortcut: 'Alt+Shift+U' },
      { name: 'mode-listen', shortcut: 'Ctrl+Shift+1' },
      { name: 'mode-whisper', shortcut: '' },
    ]);
    expect(bound).toEqual([
      { command: 'mode-listen', shortcut: 'Ctrl+Shift+1' },
      { command: 'mode-whisper', shortcut: '' },
      { command: 'mode-barge', shortcut: '' },
      { command: 'hang-up', shortcut: 'Alt+Shift+U' },
    ]);
  });

  it('the side panel lists them as bound, saying which are not set', async () => {
    render(<ShortcutList load={() => Promise.resolve(boundShortcuts([{ name: 'mode-barge', shortcut: 'Alt+Shift+J' }]))} />);
    await waitFor(() => expect(screen.getByText('Keyboard shortcuts')).toBeTruthy());
    const barge = document.querySelector('[data-command="mode-barge"]')!;
    expect(barge.textContent).toBe('Join (Barge-In)Alt+Shift+J');
    expect(document.querySelector('[data-command="mode-whisper"]')!.textContent).toBe('WhisperNot set');
  });

  it('the README and the admin guide give the keys the manifest suggests', () => {
    for (const file of ['README.md', 'docs/admin-guide.md']) {
      const text = readFileSync(file, 'utf8');
      for (const { key } of Object.values(SHORTCUTS)) expect(text, `${file} names ${key}`).toContain(key);
    }
  });
});

describe('the toolbar button', () => {
  const session = (overrides: Partial<SessionSnapshot>): SessionSnapshot => ({
    id: 's1',
    agent: { extension: '1001', name: 'Hank Agent' },
    status: 'active',
    mode: 'listen',
    availability: { listen: { allowed: true }, whisper: { allowed: true }, barge: { allowed: true } },
    levels: { heard: 0, sent: 0 },
    ...overrides,
  });

  it('shows no badge without a live session', () => {
    expect(toolbarIndicator(null).text).toBe('');
    expect(toolbarIndicator(session({ status: 'ended' })).text).toBe('');
    expect(toolbarIndicator(session({ status: 'failed' })).title).toBe('Earshot');
  });

  it('says who hears the supervisor in each mode, the microphone marked live in Whisper and Join', () => {
    expect(toolbarIndicator(session({ mode: 'listen' }))).toEqual({
      text: 'ON',
      color: '#1a73e8',
      title: 'Earshot: Listen Only on Hank Agent (1001). Nobody hears you.',
    });
    expect(toolbarIndicator(session({ mode: 'whisper' })).title).toBe(
      'Earshot: Whisper on Hank Agent (1001). The agent hears you; the other party does not.',
    );
    const barge = toolbarIndicator(session({ mode: 'barge' }));
    expect(barge.text).toBe('MIC');
    expect(barge.title).toMatch(/the other party hear you/);
    expect(barge.color).not.toBe(toolbarIndicator(session({ mode: 'whisper' })).color);
    expect(toolbarIndicator(session({ status: 'connecting' })).title).toBe('Earshot: connecting to Hank Agent (1001)…');
  });
});
