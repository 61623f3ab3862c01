import { useEffect, useState } from 'preact/hooks';
import type { MicrophoneState } from '../../lib/state/snapshot';

export interface MicrophoneGrantProps {
  /**
   * getUserMedia in this visible page, passed in by the entrypoint (lib/phone's
   * UserMediaMicrophoneProvider fits; tests pass a fake): components never import lib/phone.
   */
  provider: {
    query(): Promise<MicrophoneState>;
    acquire(): Promise<MediaStreamTrack>;
    release(track: MediaStreamTrack): void;
  };
}

const STATUS: Record<MicrophoneState, string> = {
  granted: 'The microphone is allowed for Earshot. Whisper and Join will use it; Listen never does.',
  denied: 'The microphone is blocked for Earshot. Allow it in the browser’s site settings for this extension, then try again.',
  unknown: 'Earshot has not asked for the microphone yet.',
  'not-needed': 'Earshot has not asked for the microphone yet.',
};

/**
 * The one-time microphone grant (Chrome): the offscreen document that runs
 * the phone cannot show a permission prompt, but it inherits a grant made
 * here, on a visible Earshot page. The track is stopped at once: this page
 * only asks, it never records.
 */
export function MicrophoneGrant({ provider }: MicrophoneGrantProps) {
  const [state, setState] = useState<MicrophoneState>('unknown');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void provider.query().then(setState);
  }, [provider]);

  const ask = async () => {
    setBusy(true);
    setError('');
    try {
      provider.release(await provider.acquire());
      setState('granted');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setState(await provider.query());
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="earshot-grant">
      <h1>Microphone for Whisper and Join</h1>
      <p>
        Earshot opens your microphone only while you Whisper to an agent or Join a call, and releases it when you go back
        to Listen Only. Allow it once here; your browser remembers the choice.
      </p>
      <p role="status" aria-live="polite" data-state={state}>
        {STATUS[state]}
      </p>
      {error && (
        <p role="alert" class="earshot-error">
          {error}
        </p>
      )}
      <button type="button" onClick={() => void ask()} disabled={busy || state === 'granted'}>
        {state === 'granted' ? 'Microphone allowed' : 'Allow the microphone'}
      </button>
    </main>
  );
}
