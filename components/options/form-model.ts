import { getAt } from '../../lib/settings/fields';
import type { SettingSource, SettingsError } from '../../lib/settings/merge';
import type { UserPatch } from '../../lib/settings/patch';
import type { Settings } from '../../lib/settings/schema';
import { t, type MessageKey } from '../i18n';

/** One ICE server row as typed: addresses separated by spaces or commas. */
export interface IceDraft {
  urls: string;
  username: string;
  credential: string;
}

/** What a form control holds while the user types (kept as typed, even when invalid). */
export type DraftValue = string | boolean | string[] | IceDraft[];

export type FieldKind = 'text' | 'password' | 'number' | 'bool' | 'list' | 'ice';

const KINDS: Record<string, FieldKind> = {
  'pbx.password': 'password',
  auditRetention: 'number',
  'history.enabled': 'bool',
  'history.days': 'number',
  'audit.token': 'password',
  'audit.queueLimit': 'number',
  lockUserOverrides: 'bool',
  'rules.user.dtmfMonitoringGranted': 'bool',
  'rules.monitorScopes': 'list',
  iceServers: 'ice',
};

export function kindOf(path: string): FieldKind {
  return KINDS[path] ?? 'text';
}

/** The form's starting value for a field, from the settings in force. */
export function draftFromSettings(settings: Settings, path: string): DraftValue {
  const value = getAt(settings, path);
  switch (kindOf(path)) {
    case 'bool':
      return value === true;
    case 'list':
      return Array.isArray(value) ? value.map(String) : [];
    case 'ice':
      return (settings.iceServers ?? []).map((server) => ({
        urls: Array.isArray(server.urls) ? server.urls.join(' ') : server.urls,
        username: server.username ?? '',
        credential: server.credential ?? '',
      }));
    default:
      return value === undefined ? '' : String(value);
  }
}

/**
 * The stored value for a draft: empty text removes the user's value (back to
 * policy or default); a number that does not parse is passed on as typed so
 * the schema names the problem.
 */
export function patchValue(path: string, draft: DraftValue): unknown {
  const kind = kindOf(path);
  if (kind === 'bool' || kind === 'list') return draft;
  if (kind === 'ice') {
    return (draft as IceDraft[])
      .filter((row) => row.urls.trim() || row.username.trim() || row.credential)
      .map((row) => ({
        urls: row.urls.split(/[\s,]+/).filter(Boolean),
        ...(row.username.trim() ? { username: row.username.trim() } : {}),
        ...(row.credential ? { credential: row.credential } : {}),
      }));
  }
  const text = draft as string;
  if (kind === 'password') return text === '' ? undefined : text;
  if (text.trim() === '') return undefined;
  if (kind === 'number') return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : text;
  return text;
}

/** The patch of every edited field. */
export function patchFromEdits(edits: Record<string, DraftValue>): UserPatch {
  return Object.fromEntries(Object.entries(edits).map(([path, draft]) => [path, patchValue(path, draft)]));
}

/** Why the user cannot change a field, or undefined when they can. */
export type ReadOnlyReason = 'managed' | 'locked' | 'policy-only';

const READ_ONLY_KEYS: Record<ReadOnlyReason, MessageKey> = {
  managed: 'readOnlyManaged',
  locked: 'readOnlyLocked',
  'policy-only': 'readOnlyPolicyOnly',
};

/** The note under a field the user cannot change. */
export function readOnlyText(reason: ReadOnlyReason): string {
  return t(READ_ONLY_KEYS[reason]);
}

/** Everything a field control needs from the page. */
export interface FormApi {
  value(path: string): DraftValue;
  set(path: string, value: DraftValue): void;
  errors(path: string): SettingsError[];
  readOnly(path: string): ReadOnlyReason | undefined;
  source(path: string): SettingSource | undefined;
}

/** The DOM id of a field's control; errors and hints derive theirs from it. */
export function fieldId(path: string): string {
  return `field-${path.replace(/\./g, '-')}`;
}
