import { browser } from 'wxt/browser';
import type { PortalPermissions } from '../settings/origin';


/** {@link PortalPermissions} over the browser's permissions API. */
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
