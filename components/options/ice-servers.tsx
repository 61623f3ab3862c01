import { fieldLabel } from '../../lib/settings/schema';
import { fieldId, READ_ONLY_TEXT, type FormApi, type IceDraft } from './form-model';

const PATH = 'iceServers';

/** The ICE server list: one row per server, rows added and removed with buttons. */
export function IceServersField({ form }: { form: FormApi }) {
  const id = fieldId(PATH);
  const rows = form.value(PATH) as IceDraft[];
  const reason = form.readOnly(PATH);
  const errors = form.errors(PATH);
  const update = (index: number, patch: Partial<IceDraft>) =>
    form.set(PATH, rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  const describedBy = [reason ? `${id}-readonly` : '', `${id}-hint`, errors.length ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <fieldset class={`field ice${errors.length ? ' invalid' : ''}`} id={id} aria-describedby={describedBy} aria-invalid={errors.length > 0}>
      <legend>{fieldLabel(PATH)}</legend>
      {reason && <p class="note managed" id={`${id}-readonly`}>{READ_ONLY_TEXT[reason]}</p>}
      <p class="note" id={`${id}-hint`}>
        STUN/TURN servers for the call audio. Leave empty when the PBX is on your network. Separate several addresses of
        one server with spaces.
      </p>
      {rows.length === 0 && <p class="note">No ICE servers.</p>}
      {rows.map((row, index) => (
        <div class="ice-row" key={index} role="group" aria-label={`ICE server ${index + 1}`}>
          <label>
            Addresses
            <input
              type="text"
              value={row.urls}
              placeholder="stun:stun.example.com:3478"
              readOnly={reason !== undefined}
              spellcheck={false}
              onInput={(event) => update(index, { urls: event.currentTarget.value })}
            />
          </label>
          <label>
            Username
            <input type="text" value={row.username} readOnly={reason !== undefined} autoComplete="off" onInput={(event) => update(index, { username: event.currentTarget.value })} />
          </label>
          <label>
            Credential
            <input
              type="password"
              value={reason === 'managed' ? '' : row.credential}
              readOnly={reason !== undefined}
              autoComplete="off"
              onInput={(event) => update(index, { credential: event.currentTarget.value })}
            />
          </label>
          {!reason && (
            <button type="button" class="secondary" onClick={() => form.set(PATH, rows.filter((_, i) => i !== index))}>
              Remove server {index + 1}
            </button>
          )}
        </div>
      ))}
      {!reason && (
        <button type="button" class="secondary" onClick={() => form.set(PATH, [...rows, { urls: '', username: '', credential: '' }])}>
          Add ICE server
        </button>
      )}
      {errors.length > 0 && (
        <div class="field-error" id={`${id}-error`}>
          {errors.map((error) => (
            <p key={error.path + error.message}>{error.message}</p>
          ))}
        </div>
      )}
    </fieldset>
  );
}
