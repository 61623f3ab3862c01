import { createStore, getMany, setMany, type UseStore } from 'idb-keyval';

/**
 * Where Earshot keeps its secrets (the settings of SECRET_FIELDS): the
 * extension origin's own IndexedDB. Content scripts can read every
 * `storage.local` item (measured in Chrome and Firefox), but they run with
 * the page's origin: their `indexedDB` is the portal's, never
 * `chrome-extension://<id>` / `moz-extension://<uuid>`. Unlike
 * `storage.session`, IndexedDB survives browser restarts, so a password the
 * user typed stays. Only extension pages and the background open it.
 */
export interface SecretVault {
  read(): Promise<VaultContents>;
  /** Replaces the parts given, leaves the others. */
  write(parts: Partial<VaultContents>): Promise<void>;
}

/** Leaf path → value, per layer. */
export interface VaultContents {
  /** The secrets of the user's options ('stored' credentials mode). */
  user: Record<string, unknown>;
  /** The last valid policy value of each secret field (lib/settings/merge keeps one per field). */
  lastGoodManaged: Record<string, unknown>;
}

const PARTS = ['user', 'lastGoodManaged'] as const;

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The vault over IndexedDB (database `earshot-secrets`, object store `secrets`, one record per part). */
export function indexedDbSecretVault(): SecretVault {
  let store: UseStore | undefined;
  const open = () => (store ??= createStore('earshot-secrets', 'secrets'));
  return {
    async read() {
      const [user, lastGoodManaged] = await getMany(PARTS as unknown as string[], open());
      return { user: asRecord(user), lastGoodManaged: asRecord(lastGoodManaged) };
    },
    async write(parts) {
      const entries = PARTS.filter((part) => parts[part] !== undefined).map((part) => [part, parts[part]] as [string, unknown]);
      if (entries.length > 0) await setMany(entries, open());
    },
  };
}

/** A vault in memory: unit tests, and a context without IndexedDB (secrets then last until it closes, never on disk). */
export function memorySecretVault(initial: Partial<VaultContents> = {}): SecretVault & { contents: VaultContents } {
  const vault = {
    contents: { user: {}, lastGoodManaged: {}, ...structuredClone(initial) } as VaultContents,
    async read() {
      return structuredClone(vault.contents);
    },
    async write(parts: Partial<VaultContents>) {
      vault.contents = { ...vault.contents, ...structuredClone(parts) };
    },
  };
  return vault;
}
