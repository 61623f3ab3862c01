/**
 * Where and how loud Earshot plays the monitored call: the supervisor's choice
 * (side panel), kept per browser profile and applied by the phone engine
 * (engine command `set-output`). Not part of the state snapshot: the engine
 * does not report it, so the choice kept is what every UI shows.
 */
export interface AudioOutputChoice {
  /** Volume of the call, 0..1. */
  volume: number;
  /** `MediaDeviceInfo.deviceId` of an audio output; undefined: the system's default. */
  deviceId?: string;
}

/** The choice until the supervisor makes one: full volume, the default device. */
export const DEFAULT_AUDIO_OUTPUT: AudioOutputChoice = { volume: 1 };

/** The output devices a UI may offer, or why it can offer none (said in the UI). */
export type AudioOutputDevices =
  | { ok: true; devices: { deviceId: string; label: string }[] }
  | { ok: false; reason: string };

/** A stored value as a choice: anything malformed falls back to the default, field by field. */
export function toAudioOutputChoice(value: unknown): AudioOutputChoice {
  const raw = (typeof value === 'object' && value !== null ? value : {}) as { volume?: unknown; deviceId?: unknown };
  const volume = typeof raw.volume === 'number' && Number.isFinite(raw.volume) ? Math.min(1, Math.max(0, raw.volume)) : DEFAULT_AUDIO_OUTPUT.volume;
  return typeof raw.deviceId === 'string' && raw.deviceId !== '' && raw.deviceId !== 'default' ? { volume, deviceId: raw.deviceId } : { volume };
}
