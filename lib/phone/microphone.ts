import type { MicrophoneState } from '../state/snapshot';
import { MicrophoneDeniedError, MicrophoneUnavailableError } from './errors';
import { logCause } from './report';

/**
 * Where the engine gets the supervisor's microphone, injected by the host:
 * - Chrome offscreen document: {@link UserMediaMicrophoneProvider}
 *   (getUserMedia right there; works after a one-time grant from a visible
 *   extension page, or with the AudioCaptureAllowedUrls policy).
 * - Firefox background page: lib/platform/page-microphone.ts (the track
 *   comes from a visible extension page: background pages can never open it).
 *
 * The engine calls {@link acquire} only on the first Whisper or Join and
 * {@link release} on the way back to Listen (and when the session ends).
 */
export interface MicrophoneProvider {
  /** The permission as known now, without prompting. */
  query(): Promise<MicrophoneState>;
  /**
   * Opens the microphone. Rejects with {@link MicrophoneDeniedError} when
   * the permission is refused, {@link MicrophoneUnavailableError} otherwise.
   */
  acquire(): Promise<MediaStreamTrack>;
  /** Stops the track so the browser's "microphone in use" indicator goes off. */
  release(track: MediaStreamTrack): void;
  /** Permission changes (granted later from the options page, revoked…); returns the remover. */
  onChange?(callback: (state: MicrophoneState) => void): () => void;
}

/** Audio constraints for talking to an agent: voice processing on. */
export const VOICE_CONSTRAINTS: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

interface PermissionsLike {
  query(descriptor: { name: string }): Promise<{ state: string; onchange: (() => void) | null }>;
}

function toMicrophoneState(state: string): MicrophoneState {
  if (state === 'granted') return 'granted';
  if (state === 'denied') return 'denied';
  return 'unknown';
}

/**
 * The name of a getUserMedia failure in plain words, as an error class:
 * NotAllowedError (denied, or "Permission dismissed" in an offscreen
 * document that cannot prompt) means denied; the rest means unavailable.
 */
export function userMediaError(error: unknown, deniedHint?: string): Error {
  const name = error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error)
    ? String((error as { name: unknown }).name)
    : '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
    return new MicrophoneDeniedError(deniedHint);
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') {
    return new MicrophoneUnavailableError('No microphone was found on this computer.');
  }
  if (name === 'NotReadableError' || name === 'AbortError') {
    return new MicrophoneUnavailableError('The microphone is in use by another application or could not be started.');
  }
  return new MicrophoneUnavailableError(`The microphone could not be opened (${name || String(error)}).`);
}

/**
 * getUserMedia in this very document: the Chrome offscreen document, or any
 * visible page. The offscreen document cannot prompt: a refusal there means
 * the one-time grant from Earshot's options page (or the policy) is missing.
 */
export class UserMediaMicrophoneProvider implements MicrophoneProvider {
  constructor(
    private readonly mediaDevices: Pick<MediaDevices, 'getUserMedia'> | undefined = globalThis.navigator?.mediaDevices,
    private readonly permissions: PermissionsLike | undefined = (globalThis.navigator as { permissions?: PermissionsLike } | undefined)
      ?.permissions,
    private readonly deniedHint = 'allow it once from the side panel’s “Allow the microphone” link',
  ) {}

  async query(): Promise<MicrophoneState> {
    try {
      const status = await this.permissions?.query({ name: 'microphone' });
      return status ? toMicrophoneState(status.state) : 'unknown';
    } catch {
      // Firefox before 131 does not know the "microphone" permission name.
      return 'unknown';
    }
  }

  async acquire(): Promise<MediaStreamTrack> {
    if (!this.mediaDevices) throw new MicrophoneUnavailableError('This context has no microphone access.');
    let stream: MediaStream;
    try {
      stream = await this.mediaDevices.getUserMedia({ audio: VOICE_CONSTRAINTS, video: false });
    } catch (error) {
      throw userMediaError(error, this.deniedHint);
    }
    const [track] = stream.getAudioTracks();
    if (!track) throw new MicrophoneUnavailableError('The microphone gave no audio track.');
    return track;
  }

  release(track: MediaStreamTrack): void {
    track.stop();
  }

  onChange(callback: (state: MicrophoneState) => void): () => void {
    let active = true;
    void this.permissions
      ?.query({ name: 'microphone' })
      .then((status) => {
        status.onchange = () => {
          if (active) callback(toMicrophoneState(status.state));
        };
      })
      // The state shown stays what query() said; only its later changes are missed.
      .catch(logCause('the microphone permission cannot be watched'));
    return () => {
      active = false;
    };
  }
}
