import { browser } from 'wxt/browser';
import { isLive } from '../monitor/session-machine';
import type { EngineCommand } from '../contract/engine';
import { toAudioOutputChoice, type AudioOutputChoice, type AudioOutputDevices } from '../state/audio-output';
import type { EarshotState } from '../state/snapshot';

/** storage.local key of the supervisor's output choice (a device id and a volume: no secret). */
export const AUDIO_OUTPUT_KEY = 'earshot:audio-output';

/** The stored output choice: written by the side panel, followed by the background. */
export interface AudioOutputStore {
  read(): Promise<AudioOutputChoice>;
  write(choice: AudioOutputChoice): Promise<void>;
  /** Calls back with each new choice; returns the remover. */
  onChange(callback: (choice: AudioOutputChoice) => void): () => void;
}

/** The slice of `storage.local` and `storage.onChanged` the store uses (injectable in tests). */
export interface AudioOutputStorage {
  local: { get(key: string): Promise<Record<string, unknown>>; set(items: Record<string, unknown>): Promise<void> };
  onChanged: {
    addListener(listener: (changes: Record<string, { newValue?: unknown }>, area: string) => void): void;
    removeListener(listener: (changes: Record<string, { newValue?: unknown }>, area: string) => void): void;
  };
}

export function audioOutputStore(storage: AudioOutputStorage = browser.storage as unknown as AudioOutputStorage): AudioOutputStore {
  return {
    read: async () => toAudioOutputChoice((await storage.local.get(AUDIO_OUTPUT_KEY))[AUDIO_OUTPUT_KEY]),
    write: (choice) => storage.local.set({ [AUDIO_OUTPUT_KEY]: choice }),
    onChange(callback) {
      const listener = (changes: Record<string, { newValue?: unknown }>, area: string) => {
        const change = changes[AUDIO_OUTPUT_KEY];
        if (area === 'local' && change) callback(toAudioOutputChoice(change.newValue));
      };
      storage.onChanged.addListener(listener);
      return () => storage.onChanged.removeListener(listener);
    },
  };
}

/** Said where the engine's host cannot play to a chosen device (Firefox's background page). */
export const NO_DEVICE_CHOICE_FIREFOX =
  'Firefox plays monitored calls on the system’s default output: Earshot’s background page may not pick another device. Choose it in the system’s sound settings.';

/**
 * The audio outputs this extension page may choose from. Chrome lists them
 * with ids and names only once the extension has the microphone (before,
 * one nameless entry per kind), so that case says how to get the list.
 */
export async function listAudioOutputs(media: Pick<MediaDevices, 'enumerateDevices'> | undefined = globalThis.navigator?.mediaDevices): Promise<AudioOutputDevices> {
  if (!media?.enumerateDevices) return { ok: false, reason: 'This browser does not let Earshot list audio outputs.' };
  const outputs = (await media.enumerateDevices()).filter((device) => device.kind === 'audiooutput');
  if (outputs.length === 0) return { ok: false, reason: 'This browser lists no audio output device here.' };
  if (outputs.every((device) => device.deviceId === '' || device.label === '')) {
    return { ok: false, reason: 'Allow the microphone once to choose an output device: the browser lists them only then.' };
  }
  const devices = outputs
    // The default is offered as "System default"; Chrome's "communications" alias duplicates a real device.
    .filter((device) => device.deviceId !== '' && device.deviceId !== 'default' && device.deviceId !== 'communications')
    .map((device) => ({ deviceId: device.deviceId, label: device.label || 'Unnamed output' }));
  return { ok: true, devices };
}

export interface FollowAudioOutputOptions {
  store: AudioOutputStore;
  /** The coordinator's state: a live session is when an output matters. */
  getState: () => EarshotState;
  subscribe: (callback: (state: EarshotState) => void) => () => void;
  /** The coordinator's engine link. */
  send: (command: Extract<EngineCommand, { type: 'set-output' }>) => void | Promise<void>;
  /** The choice could not be read or sent (logged with its cause by the caller). */
  onError: (error: unknown) => void;
}

/**
 * Background: sends the stored choice to the engine at the start of every
 * session (a recreated offscreen document starts at full volume on the
 * default device) and whenever it changes during one. Between sessions
 * nothing is sent, so no engine host is woken for it.
 */
export function followAudioOutput(options: FollowAudioOutputOptions): () => void {
  let choice: AudioOutputChoice | undefined;
  let appliedTo: string | undefined;
  const liveSession = (state: EarshotState) =>
    state.session && isLive(state.session.status) ? state.session.id : undefined;
  const apply = () => {
    if (!choice) return;
    // '' puts the system's default back (setSinkId('')).
    const command = { type: 'set-output', volume: choice.volume, deviceId: choice.deviceId ?? '' } as const;
    Promise.resolve()
      .then(() => options.send(command))
      .catch(options.onError);
  };
  const chosen = (next: AudioOutputChoice) => {
    choice = next;
    appliedTo = liveSession(options.getState());
    if (appliedTo !== undefined) apply();
  };
  options.store.read().then(chosen, options.onError);
  const stopChanges = options.store.onChange(chosen);
  const stopState = options.subscribe((state) => {
    const id = liveSession(state);
    if (id === appliedTo) return;
    appliedTo = id;
    if (id !== undefined) apply();
  });
  return () => {
    stopChanges();
    stopState();
  };
}
