import { browser } from 'wxt/browser';
import type { CoordinatorSettings, SettingsSource } from '../coordinator/settings-port';
import { toCoordinatorSettings } from '../settings/engine-config';
import { getAt, isPlainObject, LEAF_PATHS, setAt } from '../settings/fields';
import { mergeSettings, type MergeResult, type SettingsError } from '../settings/merge';
import { applyUserPatch, type UserPatch } from '../settings/patch';
import { CREDENTIAL_FIELDS } from '../settings/schema';

/** storage.local: the user's options. */
export const USER_SETTINGS_KEY = 'earshot:settings';
/** storage.local: the last valid policy values, per field (see lib/settings/merge). */
export const LAST_GOOD_MANAGED_KEY = 'earshot:lastGoodManaged';
/** storage.session: credentials typed by the user when pbx.credentials is 'prompt'. */
export const SESSION_CREDENTIALS_KEY = 'earshot:credentials';

/** The part of a storage area the store uses (browser.storage.local / managed / session). */
export interface StorageAreaLike {
  get(keys?: string | string[] | null): Promise<Record<string, unknown>>;
  set?(items: Record<string, unknown>): Promise<void>;
}

/** The storage the store runs on: the browser's, or fakes in unit tests. */
export interface SettingsStorage {
  managed?: StorageAreaLike;
  local: StorageAreaLike & Required<Pick<StorageAreaLike, 'set'>>;
  session?: StorageAreaLike & Required<Pick<StorageAreaLike, 'set'>>;
  /** storage.onChanged; returns the remover. */
  onChanged(listener: (changes: Record<string, unknown>, areaName: string) => void): () => void;
}

/** The merge, plus what the options page needs to edit the user's layer. */
export interface SettingsState extends MergeResult {
  /** The user's stored options (credentials of 'prompt' mode included), as stored. */
  user: Record<string, unknown>;
}

export type SaveResult = { ok: true; state: SettingsState } | { ok: false; errors: SettingsError[] };

export interface SettingsStore extends SettingsSource {
  /** Everything: merged settings, sources, errors (the options page). */
  read(): Promise<SettingsState>;
  /** Validates and stores a user patch; refuses invalid values and fields set or locked by policy. */
  save(patch: UserPatch): Promise<SaveResult>;
}

/** The browser's storage through the polyfill. */
export function browserSettingsStorage(): SettingsStorage {
  const onChanged = browser.storage.onChanged;
  return {
    managed: browser.storage.managed as StorageAreaLike | undefined,
    local: browser.storage.local,
    session: browser.storage.session,
    onChanged(listener) {
      const wrapped = (changes: Record<string, unknown>, areaName: string) => listener(changes, areaName);
      onChanged.addListener(wrapped);
      return () => onChanged.removeListener(wrapped);
    },
  };
}

/**
 * The policy, or {} without one. Chrome answers {} when no policy is set;
 * Firefox throws ("Managed storage manifest not found") and some builds lack
 * the area: all mean "no policy".
 */
async function readManaged(area: StorageAreaLike | undefined): Promise<Record<string, unknown>> {
  if (!area) return {};
  try {
    return await area.get(null);
  } catch {
    return {};
  }
}

/** Splits the credential fields out of the user's options ('prompt' mode keeps them for the session only). */
function splitCredentials(user: Record<string, unknown>): { rest: Record<string, unknown>; credentials: Record<string, unknown> } {
  const rest = structuredClone(user);
  const credentials: Record<string, unknown> = {};
  for (const path of CREDENTIAL_FIELDS) {
    const value = getAt(rest, path);
    if (value === undefined) continue;
    setAt(credentials, path, value);
    setAt(rest, path, undefined);
  }
  return { rest, credentials };
}

/** Overlays the session credentials on the stored options. */
function withCredentials(user: Record<string, unknown>, credentials: unknown): Record<string, unknown> {
  const merged = structuredClone(user);
  for (const path of LEAF_PATHS) {
    const value = getAt(credentials, path);
    if (CREDENTIAL_FIELDS.has(path) && value !== undefined) setAt(merged, path, value);
  }
  return merged;
}

/**
 * The settings store: reads policy (storage.managed), the user's options
 * (storage.local, plus storage.session credentials in 'prompt' mode) and the
 * last good policy snapshot, merges them (lib/settings), and keeps that
 * snapshot current. Implements the background's SettingsSource.
 */
export function createSettingsStore(storage: SettingsStorage = browserSettingsStorage()): SettingsStore {
  async function readLayers() {
    const [managed, local, session] = await Promise.all([
      readManaged(storage.managed),
      storage.local.get([USER_SETTINGS_KEY, LAST_GOOD_MANAGED_KEY]),
      storage.session ? storage.session.get(SESSION_CREDENTIALS_KEY).catch(() => ({})) : Promise.resolve({}),
    ]);
    const stored = local[USER_SETTINGS_KEY];
    const lastGoodManaged = local[LAST_GOOD_MANAGED_KEY];
    let user = isPlainObject(stored) ? stored : {};
    // Session credentials count only in 'prompt' mode: stale ones must not override stored ones.
    if (mergeSettings({ managed, user, lastGoodManaged }).settings.pbx.credentials === 'prompt') {
      user = withCredentials(user, (session as Record<string, unknown>)[SESSION_CREDENTIALS_KEY]);
    }
    return { managed, user, lastGoodManaged };
  }

  async function read(): Promise<SettingsState> {
    const layers = await readLayers();
    const result = mergeSettings(layers);
    if (JSON.stringify(result.lastGoodManaged) !== JSON.stringify(layers.lastGoodManaged ?? {})) {
      await storage.local.set({ [LAST_GOOD_MANAGED_KEY]: result.lastGoodManaged });
    }
    return { ...result, user: layers.user };
  }

  async function save(patch: UserPatch): Promise<SaveResult> {
    const layers = await readLayers();
    const result = applyUserPatch(layers, patch);
    if (!result.ok) return result;
    const merged = mergeSettings({ ...layers, user: result.user });
    if (merged.settings.pbx.credentials === 'prompt' && storage.session) {
      // Typed credentials live for the browser session only; none stay on disk.
      const { rest, credentials } = splitCredentials(result.user);
      await storage.session.set({ [SESSION_CREDENTIALS_KEY]: credentials });
      await storage.local.set({ [USER_SETTINGS_KEY]: rest });
    } else {
      await storage.local.set({ [USER_SETTINGS_KEY]: result.user });
    }
    return { ok: true, state: await read() };
  }

  return {
    read,
    save,
    async load(): Promise<CoordinatorSettings> {
      return toCoordinatorSettings((await read()).settings);
    },
    onChange(callback) {
      // Only the keys that change the merge: writing the last-good snapshot must not loop.
      return storage.onChanged((changes, areaName) => {
        if (
          areaName === 'managed' ||
          (areaName === 'local' && USER_SETTINGS_KEY in changes) ||
          (areaName === 'session' && SESSION_CREDENTIALS_KEY in changes)
        ) {
          callback();
        }
      });
    },
  };
}
