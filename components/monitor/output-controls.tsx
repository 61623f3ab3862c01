import { useEffect, useId, useState } from 'preact/hooks';
import { DEFAULT_AUDIO_OUTPUT, type AudioOutputChoice, type AudioOutputDevices } from '../../lib/state/audio-output';
import { t } from '../i18n';

/** Where the side panel reads, keeps and lists the audio output (injected by its host page). */
export interface AudioOutputControls {
  /** The choice in force. */
  read(): Promise<AudioOutputChoice>;
  /** Keeps a new choice; the engine applies it to the call (now, or when the next session starts). */
  apply(choice: AudioOutputChoice): Promise<void>;
  /** The output devices offered here, or why none can be chosen. */
  devices(): Promise<AudioOutputDevices>;
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Volume and output device of the monitored call. The slider applies as it
 * moves; the device list is read again each time the select is focused (a
 * headset plugged in meanwhile). Where the browser cannot list devices, the
 * select gives way to the reason.
 */
export function OutputControls({ controls }: { controls: AudioOutputControls }) {
  const id = useId();
  const [choice, setChoice] = useState<AudioOutputChoice>(DEFAULT_AUDIO_OUTPUT);
  const [devices, setDevices] = useState<AudioOutputDevices | undefined>();
  const [error, setError] = useState<string | undefined>();

  const list = () =>
    void controls.devices().then(setDevices, (cause: unknown) => setDevices({ ok: false, reason: t('outputListFailed', reasonOf(cause)) }));
  useEffect(() => {
    void controls.read().then(setChoice, (cause: unknown) => setError(t('outputReadFailed', reasonOf(cause))));
    list();
  }, [controls]);

  const change = (next: AudioOutputChoice) => {
    setChoice(next);
    controls.apply(next).then(
      () => setError(undefined),
      (cause: unknown) => setError(t('outputChangeFailed', reasonOf(cause))),
    );
  };
  const percent = Math.round(choice.volume * 100);
  // A device saved earlier but not listed now (unplugged): still shown, so the select tells the truth.
  const listed = devices?.ok ? devices.devices : [];
  const missing = choice.deviceId !== undefined && !listed.some((d) => d.deviceId === choice.deviceId);

  return (
    <section class="earshot-output" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} class="earshot-heading">
        {t('audioOutputHeading')}
      </h2>
      <div class="earshot-row">
        <label for={`${id}-volume`}>{t('volumeLabel')}</label>
        <input
          id={`${id}-volume`}
          type="range"
          min={0}
          max={100}
          step={5}
          value={percent}
          aria-valuetext={t('volumePercent', percent)}
          onInput={(e) => change({ ...choice, volume: Number((e.currentTarget as HTMLInputElement).value) / 100 })}
        />
        <output for={`${id}-volume`}>{t('volumePercent', percent)}</output>
      </div>
      {devices?.ok ? (
        <div class="earshot-row">
          <label for={`${id}-device`}>{t('deviceLabel')}</label>
          <select
            id={`${id}-device`}
            value={choice.deviceId ?? ''}
            onFocus={list}
            onChange={(e) => {
              const deviceId = (e.currentTarget as HTMLSelectElement).value;
              change(deviceId ? { volume: choice.volume, deviceId } : { volume: choice.volume });
            }}
          >
            <option value="">{t('systemDefaultDevice')}</option>
            {listed.map((device) => (
              <option key={device.deviceId} value={device.deviceId}>
                {device.label}
              </option>
            ))}
            {missing && <option value={choice.deviceId}>{t('savedDeviceMissing')}</option>}
          </select>
        </div>
      ) : (
        devices && <p class="earshot-reason">{devices.reason}</p>
      )}
      {error && (
        <p class="earshot-reason" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
