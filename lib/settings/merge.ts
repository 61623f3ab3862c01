import { combinedProblems } from './combined';
import {
  LEAF_PATHS,
  defaultAt,
  isPlainObject,
  setAt,
  structureProblems,
  validateLeaf,
  type FieldProblem,
} from './fields';
import { CREDENTIAL_FIELDS, DEFAULT_SETTINGS, MANAGED_ONLY_FIELDS, fieldLabel, settingsSchema, type Settings } from './schema';

/** Where a field's value in force comes from. */
export type SettingSource = 'managed' | 'user' | 'default';

/** What is in force instead of an invalid value. */
export type InForce = 'previous-policy' | 'user' | 'default';

export interface SettingsError {
  /** Dotted path of the value, possibly below the field (iceServers.0.urls). */
  path: string;
  /** The field (leaf) it belongs to; '' for the layer as a whole. */
  field: string;
  /** managed: the policy; user: the stored options; combined: valid values that do not work together. */
  source: 'managed' | 'user' | 'combined';
  message: string;
  /** For an invalid stored value: what is used instead. */
  inForce?: InForce;
}

/**
 * Leaf path → the raw policy value last seen valid. An invalid new policy
 * value keeps this one in force (product spec); the platform layer persists
 * it in storage.local between runs.
 */
export type LastGoodManaged = Record<string, unknown>;

export interface MergeInput {
  /** storage.managed as read ({} without a policy). */
  managed?: unknown;
  /** The user's stored options. */
  user?: unknown;
  lastGoodManaged?: unknown;
}

export interface MergeResult {
  settings: Settings;
  /** Leaf path → where its value comes from. */
  sources: Record<string, SettingSource>;
  errors: SettingsError[];
  /** Policy locks the user's options (lockUserOverrides). */
  locked: boolean;
  /** The snapshot to persist for the next merge. */
  lastGoodManaged: LastGoodManaged;
}

type LeafRead = { status: 'absent' } | { status: 'broken' } | { status: 'present'; value: unknown };

/** A leaf of a layer: absent (undefined/null), below a group that is not an object, or present. */
function readLeaf(layer: unknown, path: string): LeafRead {
  let current: unknown = layer;
  for (const key of path.split('.')) {
    if (current === undefined || current === null) return { status: 'absent' };
    if (!isPlainObject(current)) return { status: 'broken' };
    current = current[key];
  }
  return current === undefined || current === null ? { status: 'absent' } : { status: 'present', value: current };
}

function toErrors(problems: FieldProblem[], source: SettingsError['source'], inForce?: InForce): SettingsError[] {
  return problems.map((problem) => ({ ...problem, source, ...(inForce ? { inForce } : {}) }));
}

interface Chosen {
  raw: unknown;
  source: SettingSource;
}

/**
 * Merges policy > user options > defaults, field by field. An invalid value
 * is reported and ignored for that field alone: an invalid policy value
 * leaves the previous good policy value in force (or, without one, the next
 * layer's); an invalid user value leaves the default. Nothing stored is
 * changed here: a pure function of its input.
 */
export function mergeSettings(input: MergeInput): MergeResult {
  const errors: SettingsError[] = [];
  const lastGood = isPlainObject(input.lastGoodManaged) ? input.lastGoodManaged : {};
  const nextLastGood: LastGoodManaged = {};
  const chosen = new Map<string, Chosen>();

  errors.push(...toErrors(structureProblems(input.managed), 'managed'));
  const managedBroken = input.managed !== undefined && input.managed !== null && !isPlainObject(input.managed);

  // Policy first, for every leaf: what it sets, or the last good value of an invalid one.
  const managedInvalid = new Set<string>();
  for (const path of LEAF_PATHS) {
    const read = managedBroken ? ({ status: 'broken' } as const) : readLeaf(input.managed, path);
    if (read.status === 'absent') continue;
    if (read.status === 'present') {
      const result = validateLeaf(path, read.value);
      if (result.ok) {
        chosen.set(path, { raw: read.value, source: 'managed' });
        nextLastGood[path] = read.value;
        continue;
      }
      managedInvalid.add(path);
      const previous = path in lastGood && validateLeaf(path, lastGood[path]).ok;
      errors.push(...toErrors(result.problems, 'managed', previous ? 'previous-policy' : undefined));
    }
    // Invalid, or below a broken group (reported once, above): the previous good value stays.
    if (path in lastGood && validateLeaf(path, lastGood[path]).ok) {
      chosen.set(path, { raw: lastGood[path], source: 'managed' });
      nextLastGood[path] = lastGood[path];
    }
  }

  const locked = chosen.get('lockUserOverrides')?.raw === true;
  errors.push(...userLayer(input.user, chosen, locked));

  const raw: Record<string, unknown> = {};
  const sources: Record<string, SettingSource> = {};
  for (const path of LEAF_PATHS) {
    const pick = chosen.get(path);
    sources[path] = pick?.source ?? 'default';
    if (pick) setAt(raw, path, pick.raw);
  }
  // Tell what replaced an invalid policy value with no previous good one.
  for (const error of errors) {
    if (error.source === 'managed' && managedInvalid.has(error.field) && !error.inForce) {
      error.inForce = sources[error.field] === 'user' ? 'user' : 'default';
    }
  }

  const parsed = settingsSchema.safeParse(raw);
  // Each leaf was validated on its own, so this parse only fails on a bug; keep Earshot usable.
  const settings = parsed.success ? parsed.data : DEFAULT_SETTINGS;
  if (!parsed.success) errors.push({ path: '', field: '', source: 'combined', message: 'Settings: could not be combined; defaults apply' });
  errors.push(...combinedProblems(settings).map((problem) => ({ ...problem, source: 'combined' as const })));
  return { settings, sources, errors, locked, lastGoodManaged: nextLastGood };
}

/** Whether the user may set this field, given the lock and the credentials mode in force. */
export function userMayChange(path: string, locked: boolean, credentialsMode: unknown): boolean {
  if (MANAGED_ONLY_FIELDS.has(path)) return false;
  if (!locked) return true;
  return credentialsMode === 'prompt' && CREDENTIAL_FIELDS.has(path);
}

/** Fills `chosen` with the user's values where policy leaves room; returns the problems. */
function userLayer(user: unknown, chosen: Map<string, Chosen>, locked: boolean): SettingsError[] {
  const errors: SettingsError[] = [];
  if (user !== undefined && user !== null && !isPlainObject(user)) {
    return [{ path: '', field: '', source: 'user', message: 'Your saved options: unreadable, defaults apply', inForce: 'default' }];
  }
  // The credentials mode decides what a lock leaves to the user, so it is settled first.
  const ordered = ['pbx.credentials', ...LEAF_PATHS.filter((path) => path !== 'pbx.credentials')];
  for (const path of ordered) {
    const read = readLeaf(user, path);
    if (read.status !== 'present' || chosen.has(path)) continue;
    if (MANAGED_ONLY_FIELDS.has(path)) {
      errors.push({ path, field: path, source: 'user', message: `${fieldLabel(path)}: only your organization's policy can set this`, inForce: 'default' });
      continue;
    }
    const mode = chosen.get('pbx.credentials')?.raw ?? defaultAt('pbx.credentials');
    if (!userMayChange(path, locked, mode)) continue;
    const result = validateLeaf(path, read.value);
    if (result.ok) chosen.set(path, { raw: read.value, source: 'user' });
    else errors.push(...toErrors(result.problems, 'user', 'default'));
  }
  return errors;
}
