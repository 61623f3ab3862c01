import { useId, useState } from 'preact/hooks';
import { t } from '../i18n';

/** Props of {@link MonitorExtensionForm}. */
export interface MonitorExtensionFormProps {
  onSubmit: (extension: string) => void;
  disabledReason?: string;
}

/** "Monitor an extension" by number (DTMF monitoring by tapping code). Shown only when entitled. */
export function MonitorExtensionForm({ onSubmit, disabledReason }: MonitorExtensionFormProps) {
  const id = useId();
  const [extension, setExtension] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submit = (event: Event) => {
    event.preventDefault();
    const value = extension.trim();
    if (disabledReason) return;
    if (!/^[0-9]{1,16}$/.test(value)) {
      setError(t('extensionDigitsError'));
      return;
    }
    setError(undefined);
    onSubmit(value);
  };
  const describedBy = [error ? `${id}-error` : '', disabledReason ? `${id}-disabled` : ''].filter(Boolean).join(' ');
  return (
    <form class="earshot-dtmf" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} class="earshot-heading">
        {t('monitorExtensionHeading')}
      </h2>
      <div class="earshot-row">
        <label for={`${id}-ext`}>{t('extensionLabel')}</label>
        <input
          id={`${id}-ext`}
          name="extension"
          inputMode="numeric"
          autoComplete="off"
          value={extension}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy || undefined}
          onInput={(e) => setExtension((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" aria-disabled={disabledReason !== undefined}>
          {t('monitorButton')}
        </button>
      </div>
      {error && (
        <p id={`${id}-error`} class="earshot-reason">
          {error}
        </p>
      )}
      {disabledReason && (
        <p id={`${id}-disabled`} class="earshot-reason">
          {disabledReason}
        </p>
      )}
    </form>
  );
}
