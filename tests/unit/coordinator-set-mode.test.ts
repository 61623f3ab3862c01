// The coordinator forwards mode clicks to the engine (a FAKE engine link that
// records commands): its copy of the session is a round trip behind the
// engine, so it must not drop a click as "already in that mode".
import { afterEach, describe, expect, it } from 'vitest';
import { Coordinator } from '@/lib/coordinator/coordinator';
import type { EngineLink } from '@/lib/coordinator/engine-link';
import { memoryStore, type PersistedCoordinator } from '@/lib/coordinator/store';
import type { EngineCommand, EngineEvent } from '@/lib/contract/engine';

const ALLOWED = { listen: { allowed: true }, whisper: { allowed: true }, barge: { allowed: true } };

function engineState(mode: 'listen' | 'whisper' | 'barge', pendingMode?: 'listen' | 'whisper' | 'barge'): EngineEvent {
  return {
    type: 'state',
    registration: { status: 'registered', since: 1 },
    agents: {},
    session: { id: 's1', agent: { extension: '1001' }, status: 'active', mode, ...(pendingMode ? { pendingMode } : {}), availability: ALLOWED, levels: { heard: 0, sent: 0 } },
    microphone: 'granted',
    newLog: [],
  };
}

let coordinator: Coordinator | undefined;
afterEach(() => coordinator?.dispose());

describe('coordinator: mode clicks', () => {
  it('Listen → Join → Listen clicked faster than the engine reports: every click reaches the engine', async () => {
    const sent: EngineCommand[] = [];
    let deliver: (event: EngineEvent) => void = () => undefined;
    const link: EngineLink = {
      send: (command) => {
        sent.push(command);
      },
      onEvent: (callback) => {
        deliver = callback;
        return () => undefined;
      },
    };
    coordinator = new Coordinator({ link, store: memoryStore<PersistedCoordinator>(undefined) });
    await coordinator.restore();
    deliver(engineState('listen'));
    // Join, then Listen before any state says Join is pending: this copy still reads "Listen, nothing pending".
    expect(await coordinator.setMode('barge')).toEqual({ ok: true });
    expect(await coordinator.setMode('listen')).toEqual({ ok: true });
    const modes = sent.filter((c): c is Extract<EngineCommand, { type: 'set-mode' }> => c.type === 'set-mode').map((c) => c.mode);
    expect(modes).toEqual(['barge', 'listen']);
  });

  it('a mode the session does not allow is refused with the reason and never sent', async () => {
    const sent: EngineCommand[] = [];
    let deliver: (event: EngineEvent) => void = () => undefined;
    const link: EngineLink = {
      send: (command) => void sent.push(command),
      onEvent: (callback) => {
        deliver = callback;
        return () => undefined;
      },
    };
    coordinator = new Coordinator({ link, store: memoryStore<PersistedCoordinator>(undefined) });
    await coordinator.restore();
    const event = engineState('listen');
    if (event.session) event.session.availability = { ...ALLOWED, whisper: { allowed: false, reason: 'this is an internal call' } };
    deliver(event);
    const result = await coordinator.setMode('whisper');
    expect(result.ok).toBe(false);
    expect(sent.some((c) => c.type === 'set-mode')).toBe(false);
  });
});
