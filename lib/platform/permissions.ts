import { browser } from 'wxt/browser';

/**
 * Host permission for the portal origin, behind an interface so the options
 * page can be tested with a fake. Patterns come from
 * lib/settings/origin.ts originPermissionPattern().
 */
export interface PortalPermissions {
  contains(pattern: string): Promise<boolean>;
  /**
   * Asks the user. Browsers only show the prompt during a user gesture: call
   * it first thing in a click handler, with no `await` before it.
   */
  request(pattern: string): Promise<boolean>;
  /** Calls back when permissions are granted or removed elsewhere; returns the remover. */
  onChange(callback: () => void): () => void;
}

export function browserPortalPermissions(): PortalPermissions {
  return {
    contains: (pattern) => browser.permissions.contains({ origins: [pattern] }),
    request: (pattern) => browser.permissions.request({ origins: [pattern] }),
    onChange(callback) {
      const listener = () => callback();
      browser.permissions.onAdded.addListener(listener);
      browser.permissions.onRemoved.addListener(listener);
      return () => {
        browser.permissions.onAdded.removeListener(listener);
        browser.permissions.onRemoved.removeListener(listener);
      };
    },
  };
}
