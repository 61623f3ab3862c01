import { useId, useState } from 'preact/hooks';

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
      setError('Enter the extension as digits, e.g. 201.');
      return;
    }
    setError(undefined);
    onSubmit(value);
  };
  const describedBy = [error ? `${id}-error` : '', disabledReason ? `${id}-disabled` : ''].filter(Boolean).join(' ');
  return (
    <form class="earshot-dtmf" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} class="earshot-heading">
        Monitor an extension
      </h2>
      <div class="earshot-row">
        <label for={`${id}-ext`}>Extension</label>
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
          Monitor
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
