import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectedPanel } from '@/components/app/connected-panel';
import { InPagePanel } from '@/components/app/in-page-panel';
import { MonitorPanel } from '@/components/monitor';
import type { SendCommand, UiCommand } from '@/lib/messaging/commands';
import type { PortLike } from '@/lib/messaging/state-port';
import type { EarshotState, SessionSnapshot } from '@/lib/state/snapshot';

afterEach(cleanup);

const NOW = 1_700_000_000_000;

function baseState(overrides: Partial<EarshotState> = {}): EarshotState {
  return {
    revision: 1,
    configured: true,
    registration: { status: 'registered', since: NOW },
    user: { extension: '2001', scope: 'Call Center Supervisor', dtmfMonitoringGranted: false },
    agents: {},
    session: null,
    microphone: 'unknown',
    log: [],
    ...overrides,
  };
}

function session(overrides: Partial<SessionSnapshot> = {}): SessionSnapshot {
  return {
    id: 's1',
    agent: { extension: '1006', name: 'Frank Agent' },
    status: 'active',
    mode: 'listen',
    availability: {
      listen: { allowed: true },
      whisper: { allowed: false, reason: 'Whisper is only for calls between an agent and an outside party; this is an internal call.' },
      barge: { allowed: true },
    },
    startedAt: NOW - 65_000,
    levels: { heard: 0.4, sent: 0 },
    ...overrides,
  };
}

/** A fake `send` (unit test only) that records commands and answers ok. */
function recorder(answer: (c: UiCommand) => unknown = () => ({ ok: true })) {
  const sent: UiCommand[] = [];
  const send = vi.fn((command: UiCommand) => {
    sent.push(command);
    return Promise.resolve(answer(command));
  }) as unknown as SendCommand;
  return { sent, send };
}

describe('side panel (MonitorPanel)', () => {
  it('shows the registration status and the empty state', () => {
    render(<MonitorPanel state={baseState()} send={recorder().send} now={() => NOW} />);
    expect(screen.getByText('Ready')).toBeTruthy();
    expect(screen.getByText(/Not monitoring/)).toBeTruthy();
    expect(screen.queryByRole('group', { name: 'Monitoring mode' })).toBeNull();
  });

  it('renders the session: agent, modes with Listen pressed, timer, levels, hang up', () => {
    render(<MonitorPanel state={baseState({ session: session() })} send={recorder().send} now={() => NOW} />);
    expect(screen.getByText('Frank Agent')).toBeTruthy();
    const group = screen.getByRole('group', { name: 'Monitoring mode' });
    const listen = screen.getByRole('button', { name: /Listen Only/ });
    expect(group.contains(listen)).toBe(true);
    expect(listen.getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByText('01:05')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Hang up' })).toBeTruthy();
    expect(screen.getAllByRole('meter').length).toBeGreaterThanOrEqual(1);
  });

  it('shows Whisper disabled with its reason, linked for screen readers, and sends nothing on click', () => {
    const { sent, send } = recorder();
    render(<MonitorPanel state={baseState({ session: session() })} send={send} now={() => NOW} />);
    const whisper = screen.getByRole('button', { name: /Whisper/ });
    expect(whisper.getAttribute('aria-disabled')).toBe('true');
    const reasonId = whisper.getAttribute('aria-describedby');
    expect(reasonId).toBeTruthy();
    expect(document.getElementById(reasonId ?? '')?.textContent).toMatch(/internal call/);
    fireEvent.click(whisper);
    expect(sent).toEqual([]);
  });

  it('sends set-mode for Join and hang-up', async () => {
    const { sent, send } = recorder();
    render(<MonitorPanel state={baseState({ session: session() })} send={send} now={() => NOW} />);
    fireEvent.click(screen.getByRole('button', { name: /Join \(Barge-In\)/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Hang up' }));
    await waitFor(() => expect(sent).toEqual([{ type: 'set-mode', mode: 'barge' }, { type: 'hangup' }]));
  });

  it('moves between mode buttons with the arrow keys', () => {
    render(<MonitorPanel state={baseState({ session: session() })} send={recorder().send} now={() => NOW} />);
    const listen = screen.getByRole('button', { name: /Listen Only/ });
    listen.focus();
    fireEvent.keyDown(listen, { key: 'ArrowRight' });
    expect(document.activeElement?.textContent).toMatch(/Whisper/);
  });

  it('shows a refused command reason to the user', async () => {
    const { send } = recorder(() => ({ ok: false, reason: 'The PBX does not allow you to monitor 1006 (403).' }));
    render(<MonitorPanel state={baseState({ session: session() })} send={send} now={() => NOW} />);
    fireEvent.click(screen.getByRole('button', { name: /Join/ }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/does not allow you to monitor 1006 \(403\)/));
  });

  it('shows a failed registration with its message', () => {
    const state = baseState({ registration: { status: 'failed', message: 'The PBX refused the user name or password (403).', since: NOW } });
    render(<MonitorPanel state={state} send={recorder().send} now={() => NOW} />);
    expect(screen.getAllByText(/refused the user name or password/).length).toBeGreaterThan(0);
  });

  it('lists the session log and exports it as CSV', async () => {
    const download = vi.fn();
    const { send } = recorder((c) => (c.type === 'export-log' ? { ok: true, filename: 'earshot-log.csv', csv: 'at,kind\n' } : { ok: true }));
    const log = [
      { at: NOW - 60_000, kind: 'start' as const, agent: '1006', mode: 'listen' as const, text: 'Started monitoring 1006 in Listen Only' },
      { at: NOW - 30_000, kind: 'mode' as const, agent: '1006', mode: 'barge' as const, text: 'Switched to Join (Barge-In)' },
    ];
    render(<MonitorPanel state={baseState({ log })} send={send} now={() => NOW} download={download} />);
    expect(screen.getByText('Started monitoring 1006 in Listen Only')).toBeTruthy();
    expect(screen.getByText('Switched to Join (Barge-In)')).toBeTruthy();
    // The mode is not said twice on a row whose text names it; the list scrolls and takes focus.
    const rows = [...document.querySelectorAll('.earshot-log-list li')].map((li) => li.textContent?.replace(/^\S+ /, ''));
    expect(rows).toEqual(['Mode Switched to Join (Barge-In)', 'Start Started monitoring 1006 in Listen Only']);
    expect(document.querySelector('.earshot-log-list')?.getAttribute('tabindex')).toBe('0');
    fireEvent.click(screen.getByRole('button', { name: /Export/i }));
    await waitFor(() => expect(download).toHaveBeenCalledWith('earshot-log.csv', 'at,kind\n'));
  });

  it('offers "monitor an extension" only to users entitled to DTMF monitoring', () => {
    const { unmount } = render(<MonitorPanel state={baseState()} send={recorder().send} now={() => NOW} />);
    expect(screen.queryByLabelText('Extension')).toBeNull();
    unmount();
    const { sent, send } = recorder();
    render(
      <MonitorPanel state={baseState({ user: { scope: 'Office Manager', dtmfMonitoringGranted: false } })} send={send} now={() => NOW} />,
    );
    const input = screen.getByLabelText('Extension');
    fireEvent.input(input, { target: { value: '1003' } });
    fireEvent.submit(input.closest('form') as HTMLFormElement);
    expect(sent).toEqual([{ type: 'monitor-extension', extension: '1003' }]);
  });
});

/** A fake runtime.Port (unit test only): the test plays the background. */
function fakePort() {
  const messageListeners: ((m: unknown) => void)[] = [];
  const disconnectListeners: (() => void)[] = [];
  const port: PortLike = {
    name: 'earshot:state',
    postMessage: () => undefined,
    disconnect: () => undefined,
    onMessage: { addListener: (l: (m: unknown) => void) => messageListeners.push(l) },
    onDisconnect: { addListener: (l: () => void) => disconnectListeners.push(l) },
  } as unknown as PortLike;
  return {
    port,
    push: (state: EarshotState) => messageListeners.forEach((l) => l({ type: 'snapshot', state })),
    drop: () => disconnectListeners.forEach((l) => l()),
  };
}

describe('side panel bound to the background (ConnectedPanel)', () => {
  it('renders each snapshot from the state port and ignores malformed ones', async () => {
    const fake = fakePort();
    render(<ConnectedPanel connect={() => fake.port} send={recorder().send} />);
    expect(screen.getByText('Loading…')).toBeTruthy();
    fake.push(baseState({ revision: 2, session: session() }));
    await waitFor(() => expect(screen.getByText('Frank Agent')).toBeTruthy());
    fake.push({ nonsense: true } as unknown as EarshotState);
    fake.push(baseState({ revision: 1 }));
    await new Promise((r) => setTimeout(r, 10));
    expect(screen.getByText('Frank Agent')).toBeTruthy();
  });
});

describe('who hears the supervisor', () => {
  const parties = () =>
    [...document.querySelectorAll('.earshot-party')].map((li) => `${li.getAttribute('data-party')}: ${li.textContent}`);
  const withCall = (mode: SessionSnapshot['mode']) =>
    baseState({
      session: session({ mode }),
      agents: { '1006': { extension: '1006', dialog: 'confirmed', remote: { uri: 'sip:5550106@pbx', display: 'Acme Corp', onNet: false } } },
    });

  it('in Listen: nobody, and no live-microphone sign; the other party named with its number', () => {
    render(<MonitorPanel state={withCall('listen')} send={recorder().send} now={() => NOW} />);
    expect(parties()).toEqual(['agent: Agentdoes not hear you', 'other: Other party Acme Corp (5550106)does not hear you']);
    expect(document.querySelector('.earshot-mic-live')).toBeNull();
  });

  it('in Whisper: the agent only, with the microphone marked live', () => {
    render(<MonitorPanel state={withCall('whisper')} send={recorder().send} now={() => NOW} />);
    expect(parties()).toEqual(['agent: Agenthears you', 'other: Other party Acme Corp (5550106)does not hear you']);
    expect(document.querySelector('.earshot-mic-live')?.textContent).toMatch(/Microphone on: the agent hears you/);
  });

  it('in Join: both; the Join button says it reaches the other party', () => {
    render(<MonitorPanel state={withCall('barge')} send={recorder().send} now={() => NOW} />);
    expect(parties()).toEqual(['agent: Agenthears you', 'other: Other party Acme Corp (5550106)hears you']);
    expect(document.querySelector('.earshot-mic-live')?.textContent).toMatch(/the agent and the other party hear you/);
    expect(document.querySelector('[data-mode="barge"]')?.parentElement?.textContent).toMatch(/the other party hears you/);
  });

  it('an unknown other party says so', () => {
    render(<MonitorPanel state={baseState({ session: session() })} send={recorder().send} now={() => NOW} />);
    expect(parties()[1]).toBe('other: Other party unknowndoes not hear you');
  });
});

describe('push-to-talk Whisper', () => {
  const offNetSession = () =>
    session({ availability: { listen: { allowed: true }, whisper: { allowed: true }, barge: { allowed: true } } });

  it('whispers while held (pointer) and returns to Listen on release', async () => {
    const { sent, send } = recorder();
    render(<MonitorPanel state={baseState({ session: offNetSession() })} send={send} now={() => NOW} />);
    const ptt = screen.getByRole('button', { name: 'Hold to whisper' });
    fireEvent.pointerDown(ptt);
    fireEvent.pointerUp(ptt);
    await waitFor(() => expect(sent).toEqual([{ type: 'set-mode', mode: 'whisper' }, { type: 'set-mode', mode: 'listen' }]));
  });

  it('works with Space held on the focused button, ignoring key repeat', async () => {
    const { sent, send } = recorder();
    render(<MonitorPanel state={baseState({ session: offNetSession() })} send={send} now={() => NOW} />);
    const ptt = screen.getByRole('button', { name: 'Hold to whisper' });
    fireEvent.keyDown(ptt, { key: ' ' });
    fireEvent.keyDown(ptt, { key: ' ', repeat: true });
    fireEvent.keyUp(ptt, { key: ' ' });
    await waitFor(() => expect(sent).toEqual([{ type: 'set-mode', mode: 'whisper' }, { type: 'set-mode', mode: 'listen' }]));
  });

  // Each way a hold can end without a pointerup on the button: none may leave Whisper on.
  const WHISPER_THEN_LISTEN = [{ type: 'set-mode', mode: 'whisper' }, { type: 'set-mode', mode: 'listen' }];
  it.each([
    ['the pointer capture is lost', (ptt: HTMLElement) => fireEvent(ptt, new Event('lostpointercapture'))],
    ['the pointer is cancelled', (ptt: HTMLElement) => fireEvent.pointerCancel(ptt)],
    ['the window loses focus', () => fireEvent.blur(window)],
    ['the button loses focus', (ptt: HTMLElement) => fireEvent.blur(ptt)],
  ])('returns to Listen when %s', async (_what, end) => {
    const { sent, send } = recorder();
    render(<MonitorPanel state={baseState({ session: offNetSession() })} send={send} now={() => NOW} />);
    const ptt = screen.getByRole('button', { name: 'Hold to whisper' });
    fireEvent.pointerDown(ptt);
    end(ptt);
    await waitFor(() => expect(sent).toEqual(WHISPER_THEN_LISTEN));
  });

  it('returns to Listen when the page is hidden while held', async () => {
    const { sent, send } = recorder();
    render(<MonitorPanel state={baseState({ session: offNetSession() })} send={send} now={() => NOW} />);
    fireEvent.pointerDown(screen.getByRole('button', { name: 'Hold to whisper' }));
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    fireEvent(document, new Event('visibilitychange'));
    visibility.mockRestore();
    await waitFor(() => expect(sent).toEqual(WHISPER_THEN_LISTEN));
  });

  it('returns to Listen when the held key comes up elsewhere (focus moved away)', async () => {
    const { sent, send } = recorder();
    render(<MonitorPanel state={baseState({ session: offNetSession() })} send={send} now={() => NOW} />);
    fireEvent.keyDown(screen.getByRole('button', { name: 'Hold to whisper' }), { key: 'Enter' });
    fireEvent.keyUp(document.body, { key: 'Enter' });
    await waitFor(() => expect(sent).toEqual(WHISPER_THEN_LISTEN));
  });

  it('returns to Listen when the panel goes away while held, and a release after that sends nothing more', async () => {
    const { sent, send } = recorder();
    const { unmount } = render(<MonitorPanel state={baseState({ session: offNetSession() })} send={send} now={() => NOW} />);
    fireEvent.pointerDown(screen.getByRole('button', { name: 'Hold to whisper' }));
    unmount();
    fireEvent.blur(window);
    await waitFor(() => expect(sent).toEqual(WHISPER_THEN_LISTEN));
  });

  it('a secondary button does not whisper; a blur without a hold sends nothing', () => {
    const { sent, send } = recorder();
    render(<MonitorPanel state={baseState({ session: offNetSession() })} send={send} now={() => NOW} />);
    const ptt = screen.getByRole('button', { name: 'Hold to whisper' });
    fireEvent.pointerDown(ptt, { button: 2 });
    fireEvent.blur(window);
    fireEvent.blur(ptt);
    expect(sent).toEqual([]);
  });

  it('sends nothing when Whisper is not available, and says why', () => {
    const { sent, send } = recorder();
    render(<MonitorPanel state={baseState({ session: session() })} send={send} now={() => NOW} />);
    const ptt = screen.getByRole('button', { name: 'Hold to whisper' });
    fireEvent.pointerDown(ptt);
    fireEvent.pointerUp(ptt);
    expect(sent).toEqual([]);
    expect(ptt.getAttribute('title')).toMatch(/internal call/);
  });
});

describe('in-page Audio Monitoring panel (InPagePanel)', () => {
  it('has the session controls of the side panel but not its log or "monitor an extension"', () => {
    const state = baseState({ session: session(), user: { extension: '3001', scope: 'Office Manager', dtmfMonitoringGranted: false } });
    render(<InPagePanel state={state} send={recorder().send} connected open onClose={() => undefined} />);
    expect(screen.getByRole('dialog', { name: 'Audio Monitoring' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Monitoring mode' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Hang up' })).toBeTruthy();
    expect(screen.queryByText('Session log')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Export CSV' })).toBeNull();
    expect(screen.queryByLabelText(/extension/i)).toBeNull();
    // One heading, the panel's own: no "Earshot" h1 below the "Audio Monitoring" h2, no banner of its own.
    expect(screen.getAllByRole('heading').map((h) => `${h.tagName} ${h.textContent}`)).toEqual(['H2 Audio Monitoring']);
    expect(document.querySelectorAll('header')).toHaveLength(1);
  });

  it('takes the focus when it opens, and Escape closes it', () => {
    const onClose = vi.fn();
    const state = baseState({ session: session() });
    const { rerender } = render(<InPagePanel state={state} send={recorder().send} connected open={false} onClose={onClose} />);
    rerender(<InPagePanel state={state} send={recorder().send} connected open onClose={onClose} />);
    const dialog = screen.getByRole('dialog', { name: 'Audio Monitoring' });
    expect(document.activeElement).toBe(dialog);
    fireEvent.keyDown(screen.getByRole('button', { name: 'Hang up' }), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('the side panel, for an Office Manager, has the log and "monitor an extension"', () => {
    const state = baseState({ user: { extension: '3001', scope: 'Office Manager', dtmfMonitoringGranted: false } });
    render(<MonitorPanel state={state} send={recorder().send} now={() => NOW} />);
    expect(screen.getByText('Session log')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeTruthy();
    expect(screen.getAllByLabelText(/extension/i).length).toBeGreaterThan(0);
  });
});
