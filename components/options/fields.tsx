import type { ComponentChildren } from 'preact';
import { fieldLabel } from '../../lib/settings/schema';
import { fieldId, readOnlyText, type FormApi } from './form-model';

export interface FieldProps {
  form: FormApi;
  path: string;
  hint?: string;
}

/** The ids a control is described by: its read-only note, hint and errors. */
function describedBy(form: FormApi, path: string, hint: string | undefined): string | undefined {
  const id = fieldId(path);
  const ids = [
    form.readOnly(path) ? `${id}-readonly` : '',
    hint ? `${id}-hint` : '',
    form.errors(path).length ? `${id}-error` : '',
  ].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/** Read-only note, hint and errors under a control. */
function FieldNotes({ form, path, hint }: FieldProps) {
  const id = fieldId(path);
  const reason = form.readOnly(path);
  const errors = form.errors(path);
  return (
    <>
      {reason && (
        <p class="note managed" id={`${id}-readonly`}>
          {readOnlyText(reason)}
        </p>
      )}
      {hint && (
        <p class="note" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {errors.length > 0 && (
        <div class="field-error" id={`${id}-error`}>
          {errors.map((error) => (
            <p key={error.path + error.message}>{error.message}</p>
          ))}
        </div>
      )}
    </>
  );
}

function FieldRow({ form, path, hint, children }: FieldProps & { children: ComponentChildren }) {
  return (
    <div class={`field${form.errors(path).length ? ' invalid' : ''}`}>
      <label for={fieldId(path)}>{fieldLabel(path)}</label>
      {children}
      <FieldNotes form={form} path={path} hint={hint} />
    </div>
  );
}

export interface TextFieldProps extends FieldProps {
  type?: 'text' | 'password' | 'url' | 'number';
  placeholder?: string;
  autoComplete?: string;
  inputMode?: 'text' | 'numeric' | 'url';
}

export function TextField({ form, path, hint, type = 'text', placeholder, autoComplete, inputMode }: TextFieldProps) {
  const reason = form.readOnly(path);
  // A password set by policy is never put into the page.
  const hidden = type === 'password' && form.source(path) === 'managed';
  return (
    <FieldRow form={form} path={path} hint={hint}>
      <input
        id={fieldId(path)}
        type={type}
        value={hidden ? '' : (form.value(path) as string)}
        placeholder={hidden ? readOnlyText('managed') : placeholder}
        readOnly={reason !== undefined}
        aria-invalid={form.errors(path).length > 0}
        aria-describedby={describedBy(form, path, hint)}
        autoComplete={autoComplete ?? 'off'}
        inputMode={inputMode}
        spellcheck={false}
        onInput={(event) => form.set(path, event.currentTarget.value)}
      />
    </FieldRow>
  );
}

export interface SelectFieldProps extends FieldProps {
  options: readonly (readonly [value: string, label: string])[];
  /** Label of the empty choice for optional fields ("use the profile's"). */
  emptyLabel?: string;
}

export function SelectField({ form, path, hint, options, emptyLabel }: SelectFieldProps) {
  return (
    <FieldRow form={form} path={path} hint={hint}>
      <select
        id={fieldId(path)}
        value={form.value(path) as string}
        disabled={form.readOnly(path) !== undefined}
        aria-invalid={form.errors(path).length > 0}
        aria-describedby={describedBy(form, path, hint)}
        onChange={(event) => form.set(path, event.currentTarget.value)}
      >
        {emptyLabel !== undefined && <option value="">{emptyLabel}</option>}
        {options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </FieldRow>
  );
}

export function CheckboxField({ form, path, hint }: FieldProps) {
  const id = fieldId(path);
  return (
    <div class={`field checkbox${form.errors(path).length ? ' invalid' : ''}`}>
      <input
        id={id}
        type="checkbox"
        checked={form.value(path) === true}
        disabled={form.readOnly(path) !== undefined}
        aria-invalid={form.errors(path).length > 0}
        aria-describedby={describedBy(form, path, hint)}
        onChange={(event) => form.set(path, event.currentTarget.checked)}
      />
      <label for={id}>{fieldLabel(path)}</label>
      <FieldNotes form={form} path={path} hint={hint} />
    </div>
  );
}

/** A set of checkboxes for a list field (scopes). */
export function ChoiceListField({ form, path, hint, choices }: FieldProps & { choices: readonly string[] }) {
  const id = fieldId(path);
  const selected = form.value(path) as string[];
  const disabled = form.readOnly(path) !== undefined;
  const toggle = (choice: string, on: boolean) =>
    form.set(path, on ? choices.filter((c) => c === choice || selected.includes(c)) : selected.filter((c) => c !== choice));
  return (
    <fieldset
      class={`field choices${form.errors(path).length ? ' invalid' : ''}`}
      id={id}
      aria-invalid={form.errors(path).length > 0}
      aria-describedby={describedBy(form, path, hint)}
    >
      <legend>{fieldLabel(path)}</legend>
      {choices.map((choice) => (
        <div class="checkbox" key={choice}>
          <input
            id={`${id}-${choice.replace(/\W+/g, '-')}`}
            type="checkbox"
            checked={selected.includes(choice)}
            disabled={disabled}
            onChange={(event) => toggle(choice, event.currentTarget.checked)}
          />
          <label for={`${id}-${choice.replace(/\W+/g, '-')}`}>{choice}</label>
        </div>
      ))}
      <FieldNotes form={form} path={path} hint={hint} />
    </fieldset>
  );
}
