import { useEffect, useState } from 'preact/hooks';
import type { MicrophoneState } from '../../lib/state/snapshot';
import { t, type MessageKey } from '../i18n';

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

const STATUS: Record<MicrophoneState, MessageKey> = {
  granted: 'micGranted',
  denied: 'micDenied',
  unknown: 'micNotAsked',
  'not-needed': 'micNotAsked',
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
      <h1>{t('micHeading')}</h1>
      <p>{t('micExplanation')}</p>
      <p role="status" aria-live="polite" data-state={state}>
        {t(STATUS[state])}
      </p>
      {error && (
        <p role="alert" class="earshot-error">
          {error}
        </p>
      )}
      <button type="button" onClick={() => void ask()} disabled={busy || state === 'granted'}>
        {state === 'granted' ? t('micAllowed') : t('allowMicrophone')}
      </button>
    </main>
  );
}
