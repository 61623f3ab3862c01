import { browser } from 'wxt/browser';
import type { CoordinatorSettings, SaveResult, SettingsSource, SettingsState } from '../settings/source';
import { toCoordinatorSettings } from '../settings/engine-config';
import { getAt, isPlainObject, LEAF_PATHS, setAt } from '../settings/fields';
import { mergeSettings } from '../settings/merge';
import { applyUserPatch, type UserPatch } from '../settings/patch';
import { CREDENTIAL_FIELDS, SECRET_FIELDS } from '../settings/schema';
import { indexedDbSecretVault, memorySecretVault, type SecretVault } from './secret-vault';

// Content scripts can read all of storage.local (and storage.managed): no
// secret (SECRET_FIELDS) is ever written there. They go to the vault, and the
// user's options in storage.local keep a placeholder where each one was: the
// object there still says which secrets the options have (one written over
// it without a password, by hand or by a test, has none), not what they are.

/** What stands in storage.local for a secret kept in the vault. */
export const SECRET_PLACEHOLDER = Object.freeze({ storedIn: 'earshot-secrets' });

function isPlaceholder(value: unknown): boolean {
  return isPlainObject(value) && value.storedIn === SECRET_PLACEHOLDER.storedIn && Object.keys(value).length === 1;
}

/** storage.local: the user's options, without their secrets. */
export const USER_SETTINGS_KEY = 'earshot:settings';
/** storage.local: the last valid policy values, per field (see lib/settings/merge), without the secrets. */
export const LAST_GOOD_MANAGED_KEY = 'earshot:lastGoodManaged';
/** storage.local: when a secret of the user's last changed (a time, no secret): wakes every settings listener. */
export const SECRETS_CHANGED_KEY = 'earshot:secretsChangedAt';
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
  /** Where the secrets are kept (the extension origin's IndexedDB). */
  vault: SecretVault;
  /** storage.onChanged; returns the remover. */
  onChanged(listener: (changes: Record<string, unknown>, areaName: string) => void): () => void;
}

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
    vault: typeof indexedDB === 'undefined' ? memorySecretVault() : indexedDbSecretVault(),
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
  } catch (error) {
    // No managed storage (no policy, or Firefox without one): the user's settings and defaults apply.
    console.info('[earshot] no managed storage to read (no policy installed?)', error);
    return {};
  }
}

/** Takes `fields` out of a layer of options: the layer without them, and their values by leaf path. */
function takeFields(layer: Record<string, unknown>, fields: ReadonlySet<string>): { rest: Record<string, unknown>; taken: Record<string, unknown> } {
  const rest = structuredClone(layer);
  const taken: Record<string, unknown> = {};
  for (const path of fields) {
    const value = getAt(rest, path);
    if (value === undefined) continue;
    taken[path] = value;
    setAt(rest, path, undefined);
  }
  return { rest, taken };
}

/** A layer of options with values (by leaf path) put in. */
function withFields(layer: Record<string, unknown>, values: Record<string, unknown>): Record<string, unknown> {
  const merged = structuredClone(layer);
  for (const [path, value] of Object.entries(values)) if (value !== undefined) setAt(merged, path, value);
  return merged;
}

/** A per-field map (the last good policy) split into what may go to storage.local and the secrets. */
function splitFlat(map: Record<string, unknown>): { rest: Record<string, unknown>; secrets: Record<string, unknown> } {
  const rest: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(map)) (SECRET_FIELDS.has(path) ? secrets : rest)[path] = value;
  return { rest, secrets };
}

/** Splits the credential fields out of the user's options ('prompt' mode keeps them for the session only). */
function splitCredentials(user: Record<string, unknown>): { rest: Record<string, unknown>; credentials: Record<string, unknown> } {
  const { rest, taken } = takeFields(user, CREDENTIAL_FIELDS);
  return { rest, credentials: withFields({}, taken) };
}

/** Overlays the session credentials on the stored options. */
function withCredentials(user: Record<string, unknown>, credentials: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const path of LEAF_PATHS) if (CREDENTIAL_FIELDS.has(path)) values[path] = getAt(credentials, path);
  return withFields(user, values);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The settings store: reads policy (storage.managed), the user's options
 * (storage.local, their secrets from the vault, plus storage.session
 * credentials in 'prompt' mode) and the last good policy snapshot, merges
 * them (lib/settings), and keeps that snapshot current. Implements the
 * background's SettingsSource.
 *
 * Secrets found in plain text in storage.local (written there by an earlier
 * Earshot, or by hand) are taken as the newest values: the next read moves
 * them to the vault and leaves placeholders. A secret whose placeholder is
 * gone is gone: the read deletes it from the vault too.
 */
export function createSettingsStore(storage: SettingsStorage = browserSettingsStorage()): SettingsStore {
  async function readLayers() {
    const [managed, local, vault, session] = await Promise.all([
      readManaged(storage.managed),
      storage.local.get([USER_SETTINGS_KEY, LAST_GOOD_MANAGED_KEY]),
      storage.vault.read(),
      storage.session ? storage.session.get(SESSION_CREDENTIALS_KEY).catch((error: unknown) => {
            console.warn('[earshot] storage.session unreadable: the typed credentials are asked again', error);
            return {};
          }) : Promise.resolve({}),
    ]);
    const storedUser = local[USER_SETTINGS_KEY];
    const storedLastGood = isPlainObject(local[LAST_GOOD_MANAGED_KEY]) ? local[LAST_GOOD_MANAGED_KEY] : {};
    const { rest: userRest, taken: storedSecrets } = takeFields(isPlainObject(storedUser) ? storedUser : {}, SECRET_FIELDS);
    // A placeholder: the vault's value. Anything else: a secret in plain text, newer than the vault's.
    const userSecrets: Record<string, unknown> = {};
    let plainText = false;
    for (const [path, value] of Object.entries(storedSecrets)) {
      if (!isPlaceholder(value)) {
        userSecrets[path] = value;
        plainText = true;
      } else if (vault.user[path] !== undefined) {
        userSecrets[path] = vault.user[path];
      }
    }
    // Secrets of the last good policy in plain text (an earlier Earshot): read() rewrites both parts.
    const { rest: lastGoodRest, secrets: plainLastGoodSecrets } = splitFlat(storedLastGood);
    const lastGoodManaged = { ...lastGoodRest, ...vault.lastGoodManaged, ...plainLastGoodSecrets };
    /** The user's options as kept: storage.local and the vault, without session credentials. */
    const kept = withFields(userRest, userSecrets);
    let user = kept;
    // Session credentials count only in 'prompt' mode: stale ones must not override stored ones.
    if (mergeSettings({ managed, user, lastGoodManaged }).settings.pbx.credentials === 'prompt') {
      user = withCredentials(user, (session as Record<string, unknown>)[SESSION_CREDENTIALS_KEY]);
    }
    // Plain text to move, or vault entries the options no longer have (written over without them).
    const rewrite = plainText || !same(userSecrets, vault.user);
    return { managed, user, lastGoodManaged, kept, vault, storedLastGood, rewrite };
  }
  type Layers = Awaited<ReturnType<typeof readLayers>>;

  /** Writes the user's options: the secrets to the vault first, then the rest, with placeholders, to storage.local. */
  async function storeUser(user: Record<string, unknown>, layers: Layers): Promise<void> {
    const { rest, taken: secrets } = takeFields(user, SECRET_FIELDS);
    const changed = !same(secrets, layers.vault.user);
    if (changed) await storage.vault.write({ user: secrets });
    const placeholders = Object.fromEntries(Object.keys(secrets).map((path) => [path, { ...SECRET_PLACEHOLDER }]));
    // The stamp makes storage.onChanged fire when only a secret changed: every listener reads again.
    await storage.local.set({ [USER_SETTINGS_KEY]: withFields(rest, placeholders), ...(changed ? { [SECRETS_CHANGED_KEY]: Date.now() } : {}) });
  }

  async function read(): Promise<SettingsState> {
    const layers = await readLayers();
    const result = mergeSettings(layers);
    if (layers.rewrite) await storeUser(layers.kept, layers);
    const lastGood = splitFlat(result.lastGoodManaged);
    if (!same(lastGood.secrets, layers.vault.lastGoodManaged)) await storage.vault.write({ lastGoodManaged: lastGood.secrets });
    if (!same(lastGood.rest, layers.storedLastGood)) await storage.local.set({ [LAST_GOOD_MANAGED_KEY]: lastGood.rest });
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
      await storeUser(rest, layers);
    } else {
      await storeUser(result.user, layers);
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
          (areaName === 'local' && (USER_SETTINGS_KEY in changes || SECRETS_CHANGED_KEY in changes)) ||
          (areaName === 'session' && SESSION_CREDENTIALS_KEY in changes)
        ) {
          callback();
        }
      });
    },
  };
}
