import { describe, expect, it, vi } from 'vitest';
import { AUDIO_OUTPUT_KEY, audioOutputStore, followAudioOutput, listAudioOutputs, type AudioOutputStorage } from '@/lib/platform/audio-output';
import { toAudioOutputChoice, type AudioOutputChoice } from '@/lib/state/audio-output';
import type { EarshotState } from '@/lib/state/snapshot';

type Listener = Parameters<AudioOutputStorage['onChanged']['addListener']>[0];

function memoryStorage(initial: Record<string, unknown> = {}): AudioOutputStorage {
  const items = { ...initial };
  const listeners = new Set<Listener>();
  return {
    local: {
      get: (key) => Promise.resolve(key in items ? { [key]: items[key] } : {}),
      set: (next) => {
        Object.assign(items, next);
        const changes = Object.fromEntries(Object.entries(next).map(([k, v]) => [k, { newValue: v }]));
        for (const l of listeners) l(changes, 'local');
        return Promise.resolve();
      },
    },
    onChanged: { addListener: (l) => listeners.add(l), removeListener: (l) => listeners.delete(l) },
  };
}

const state = (session: 'none' | 'active' | 'ended', id = 's1'): EarshotState => ({
  revision: 1,
  configured: true,
  registration: { status: 'registered', since: 0 },
  user: { dtmfMonitoringGranted: false },
  agents: {},
  session:
    session === 'none'
      ? null
      : {
          id,
          agent: { extension: '1001' },
          status: session,
          mode: 'listen',
          availability: { listen: { allowed: true }, whisper: { allowed: true }, barge: { allowed: true } },
          levels: { heard: 0, sent: 0 },
        },
  microphone: 'not-needed',
  log: [],
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the stored audio output', () => {
  it('reads what is stored, falling back to full volume on the default device', async () => {
    expect(await audioOutputStore(memoryStorage()).read()).toEqual({ volume: 1 });
    expect(await audioOutputStore(memoryStorage({ [AUDIO_OUTPUT_KEY]: { volume: 0.3, deviceId: 'x' } })).read()).toEqual({ volume: 0.3, deviceId: 'x' });
    expect(toAudioOutputChoice({ volume: 7, deviceId: 'default' })).toEqual({ volume: 1 });
    expect(toAudioOutputChoice({ volume: Number.NaN, deviceId: 3 })).toEqual({ volume: 1 });
    expect(toAudioOutputChoice('junk')).toEqual({ volume: 1 });
  });
});

describe('the background following the choice', () => {
  function follow(initial: EarshotState) {
    const storage = memoryStorage({ [AUDIO_OUTPUT_KEY]: { volume: 0.4 } });
    let current = initial;
    const subscribers = new Set<(s: EarshotState) => void>();
    const sent: unknown[] = [];
    const onError = vi.fn();
    followAudioOutput({
      store: audioOutputStore(storage),
      getState: () => current,
      subscribe: (cb) => {
        subscribers.add(cb);
        return () => subscribers.delete(cb);
      },
      send: (command) => {
        sent.push(command);
      },
      onError,
    });
    const publish = (next: EarshotState) => {
      current = next;
      for (const cb of subscribers) cb(next);
    };
    const choose = (choice: AudioOutputChoice) => audioOutputStore(storage).write(choice);
    return { sent, publish, choose, onError };
  }

  it('sends nothing between sessions, the choice at the start of each session, and each change during one', async () => {
    const { sent, publish, choose } = follow(state('none'));
    await settle();
    await choose({ volume: 0.6 });
    await settle();
    expect(sent).toEqual([]);
    publish(state('active'));
    publish(state('active'));
    await settle();
    expect(sent).toEqual([{ type: 'set-output', volume: 0.6, deviceId: '' }]);
    await choose({ volume: 0.2, deviceId: 'headset' });
    await settle();
    expect(sent.at(-1)).toEqual({ type: 'set-output', volume: 0.2, deviceId: 'headset' });
    publish(state('ended'));
    publish(state('active', 's2'));
    await settle();
    expect(sent).toHaveLength(3);
  });

  it('applies the stored choice to a session already live when the background starts', async () => {
    const { sent } = follow(state('active'));
    await settle();
    expect(sent).toEqual([{ type: 'set-output', volume: 0.4, deviceId: '' }]);
  });
});

describe('listing the audio outputs', () => {
  const device = (kind: MediaDeviceKind, deviceId: string, label: string) => ({ kind, deviceId, label, groupId: '', toJSON: () => ({}) });
  it('lists named outputs, leaving out the default and communications aliases', async () => {
    const media = { enumerateDevices: () => Promise.resolve([device('audioinput', 'm', 'Mic'), device('audiooutput', 'default', 'Default'), device('audiooutput', 'communications', 'Comms'), device('audiooutput', 'h1', 'Headset')]) };
    expect(await listAudioOutputs(media)).toEqual({ ok: true, devices: [{ deviceId: 'h1', label: 'Headset' }] });
  });
  it('says how to get the list when the browser hides it (Chrome before the microphone is allowed)', async () => {
    const media = { enumerateDevices: () => Promise.resolve([device('audiooutput', '', '')]) };
    expect(await listAudioOutputs(media)).toEqual({ ok: false, reason: expect.stringMatching(/Allow the microphone/) });
    expect(await listAudioOutputs(undefined)).toEqual({ ok: false, reason: expect.stringMatching(/does not let Earshot list/) });
  });
});
