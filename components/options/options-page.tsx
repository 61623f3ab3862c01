import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { PortalPermissions } from '../../lib/settings/origin';
import type { SaveResult, SettingsState } from '../../lib/settings/source';
import { missingForEngine } from '../../lib/settings/engine-config';
import type { SettingsError } from '../../lib/settings/merge';
import { userMayChange } from '../../lib/settings/merge';
import type { UserPatch } from '../../lib/settings/patch';
import { t } from '../i18n';
import { AuditSection, type AuditStatusSource } from './audit-section';
import { ErrorSummary, PolicyBanner } from './banners';
import { draftFromSettings, patchFromEdits, type DraftValue, type FormApi, type ReadOnlyReason } from './form-model';
import { AudioSection, PbxSection, PortalSection, ProfileSection, RulesSection } from './sections';

/** The settings store as the page uses it (lib/platform/settings-store; a fake in unit tests). */
export interface OptionsStore {
  read(): Promise<SettingsState>;
  save(patch: UserPatch): Promise<SaveResult>;
  onChange(callback: () => void): () => void;
}

export interface OptionsPageProps {
  store: OptionsStore;
  permissions: PortalPermissions;
  /** The audit trail queue's status (the background's); none in tests that do not look at it. */
  auditStatus?: AuditStatusSource;
}

type SaveStatus = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'failed'; message: string };

/**
 * Earshot's options: every setting, grouped; policy fields read-only. Typed
 * values stay in the form until they are saved (an invalid save keeps them
 * and stores nothing); changes made elsewhere show in untouched fields.
 */
export function OptionsPage({ store, permissions, auditStatus }: OptionsPageProps) {
  const [state, setState] = useState<SettingsState | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [edits, setEdits] = useState<Record<string, DraftValue>>({});
  const [saveErrors, setSaveErrors] = useState<SettingsError[]>([]);
  const [status, setStatus] = useState<SaveStatus>({ kind: 'idle' });

  useEffect(() => {
    let live = true;
    const refresh = () =>
      store.read().then(
        (next) => live && setState(next),
        (error: unknown) => live && setLoadError(error instanceof Error ? error.message : String(error)),
      );
    void refresh();
    const remove = store.onChange(() => void refresh());
    return () => {
      live = false;
      remove();
    };
  }, [store]);

  const form = useMemo<FormApi | undefined>(() => {
    if (!state) return undefined;
    const credentialsMode = edits['pbx.credentials'] ?? state.settings.pbx.credentials;
    const readOnly = (path: string): ReadOnlyReason | undefined => {
      if (state.sources[path] === 'managed') return 'managed';
      if (userMayChange(path, state.locked, credentialsMode)) return undefined;
      return state.locked && path !== 'lockUserOverrides' ? 'locked' : 'policy-only';
    };
    // Save errors replace the stored ones for the fields they name; policy errors go to the banner.
    const failed = new Set(saveErrors.map((e) => e.field));
    const shown = [...saveErrors, ...state.errors.filter((e) => e.source !== 'managed' && !failed.has(e.field))];
    return {
      value: (path) => edits[path] ?? draftFromSettings(state.settings, path),
      set: (path, value) => {
        setEdits((current) => ({ ...current, [path]: value }));
        setStatus({ kind: 'idle' });
      },
      errors: (path) => shown.filter((e) => e.field === path),
      readOnly,
      source: (path) => state.sources[path],
    };
  }, [state, edits, saveErrors]);

  const onSubmit = useCallback(
    (event: Event) => {
      event.preventDefault();
      setStatus({ kind: 'saving' });
      store.save(patchFromEdits(edits)).then(
        (result) => {
          if (result.ok) {
            setState(result.state);
            setEdits({});
            setSaveErrors([]);
            setStatus({ kind: 'saved' });
          } else {
            setSaveErrors(result.errors);
            setStatus({ kind: 'idle' });
            requestAnimationFrame(() => document.getElementById('error-summary')?.focus());
          }
        },
        (error: unknown) => setStatus({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
      );
    },
    [store, edits],
  );

  if (loadError) return <p role="alert">{t('optionsLoadFailed', loadError)}</p>;
  if (!state || !form) return <p role="status">{t('optionsLoading')}</p>;

  const missing = missingForEngine(state.settings);
  const dirty = Object.keys(edits).length > 0;
  return (
    <main class="options">
      <h1>{t('optionsTitle')}</h1>
      <p role="status" class="setup">
        {missing.length === 0 ? t('optionsSetUp') : t('optionsNotSetUp', missing.join(', '))}
      </p>
      {state.locked && <p class="banner info">{t('optionsLocked')}</p>}
      <PolicyBanner errors={state.errors.filter((e) => e.source === 'managed')} />
      <ErrorSummary errors={saveErrors} />
      <form onSubmit={onSubmit} noValidate>
        <PbxSection form={form} />
        <ProfileSection form={form} />
        <PortalSection form={form} permissions={permissions} savedOrigin={state.settings.portal.origin} />
        <AudioSection form={form} />
        <RulesSection form={form} />
        <AuditSection form={form} statusSource={auditStatus} />
        <div class="actions">
          <button type="submit" disabled={status.kind === 'saving' || !dirty}>
            {t('optionsSave')}
          </button>
          <button type="button" class="secondary" disabled={!dirty} onClick={() => { setEdits({}); setSaveErrors([]); }}>
            {t('optionsUndo')}
          </button>
          <span role="status" aria-live="polite">
            {status.kind === 'saved' && t('optionsSaved')}
            {status.kind === 'saving' && t('optionsSaving')}
            {status.kind === 'failed' && t('optionsNotSaved', status.message)}
          </span>
        </div>
      </form>
    </main>
  );
}
