import { isLeafPath, isPlainObject, setAt, validateLeaf } from './fields';
import { mergeSettings, userMayChange, type MergeInput, type SettingsError } from './merge';
import { fieldLabel } from './schema';

/** Leaf path → new raw value; undefined removes the user's value (back to policy/default). */
export type UserPatch = Record<string, unknown>;

export type PatchResult =
  | { ok: true; user: Record<string, unknown> }
  | { ok: false; errors: SettingsError[] };

function key(error: SettingsError): string {
  return `${error.path}\u0000${error.message}`;
}

/**
 * The user's stored options with a patch applied, or why it is refused.
 * Refused as a whole (nothing stored) when any value is invalid, a field is
 * set by policy or locked, or the result breaks a combination that worked
 * before (a custom profile without codes). Stored values the patch does not
 * touch are kept as they are, unknown ones included: nothing stored is lost.
 */
export function applyUserPatch(current: MergeInput, patch: UserPatch): PatchResult {
  const before = mergeSettings(current);
  const errors: SettingsError[] = [];
  const next: Record<string, unknown> = isPlainObject(current.user) ? structuredClone(current.user) : {};
  const credentialsMode = 'pbx.credentials' in patch && !before.locked ? patch['pbx.credentials'] : before.settings.pbx.credentials;
  for (const [path, value] of Object.entries(patch)) {
    const refuse = (message: string) => errors.push({ path, field: path, source: 'user', message: `${fieldLabel(path)}: ${message}` });
    if (!isLeafPath(path)) {
      errors.push({ path, field: path, source: 'user', message: `${path}: unknown setting` });
    } else if (before.sources[path] === 'managed') {
      refuse('set by your organization');
    } else if (!userMayChange(path, before.locked, credentialsMode)) {
      refuse(before.locked ? 'your organization has locked this setting' : "only your organization's policy can set this");
    } else if (value === undefined || value === null) {
      setAt(next, path, undefined);
    } else {
      const result = validateLeaf(path, value);
      // Stored normalized (portal origin as scheme://host[:port], text trimmed).
      if (result.ok) setAt(next, path, result.value);
      else errors.push(...result.problems.map((problem) => ({ ...problem, source: 'user' as const })));
    }
  }
  if (errors.length) return { ok: false, errors };

  const after = mergeSettings({ ...current, user: next });
  const existing = new Set(before.errors.filter((e) => e.source === 'combined').map(key));
  const introduced = after.errors.filter((e) => e.source === 'combined' && !existing.has(key(e)));
  if (introduced.length) return { ok: false, errors: introduced };
  return { ok: true, user: next };
}
