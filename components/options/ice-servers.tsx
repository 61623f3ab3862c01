import { fieldLabel } from '../../lib/settings/schema';
import { t } from '../i18n';
import { fieldId, readOnlyText, type FormApi, type IceDraft } from './form-model';

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
      {reason && <p class="note managed" id={`${id}-readonly`}>{readOnlyText(reason)}</p>}
      <p class="note" id={`${id}-hint`}>
        {t('hintIceServers')}
      </p>
      {rows.length === 0 && <p class="note">{t('iceNone')}</p>}
      {rows.map((row, index) => (
        <div class="ice-row" key={index} role="group" aria-label={t('iceServerGroup', index + 1)}>
          <label>
            {t('iceAddresses')}
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
            {t('iceUsername')}
            <input type="text" value={row.username} readOnly={reason !== undefined} autoComplete="off" onInput={(event) => update(index, { username: event.currentTarget.value })} />
          </label>
          <label>
            {t('iceCredential')}
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
              {t('iceRemove', index + 1)}
            </button>
          )}
        </div>
      ))}
      {!reason && (
        <button type="button" class="secondary" onClick={() => form.set(PATH, [...rows, { urls: '', username: '', credential: '' }])}>
          {t('iceAdd')}
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
