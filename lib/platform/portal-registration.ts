import { browser } from 'wxt/browser';
import { originPermissionPattern as originPattern } from '../settings/origin';

/** Id of Earshot's one dynamically registered content script. */
export const PORTAL_SCRIPT_ID = 'earshot-portal';
/** The built portal content script (entrypoints/portal.content.ts). */
export const PORTAL_SCRIPT_FILE = '/content-scripts/portal.js';


export interface PortalRegistration {
  /** Origins the script now runs on. */
  registered: string[];
  /** Configured origins whose host permission is not granted yet ("Enable on this portal"). */
  missingPermission: string[];
}

/**
 * Match patterns carry no port (Firefox refuses them), so the script may load
 * on other ports of the portal's host; there the background refuses it the
 * portal configuration (exact origin check) and it stays idle.
 *
 * Registers the portal content script for the configured origins whose host
 * permission is granted (optional permission from "Enable on this portal",
 * or granted by policy to force-installed extensions), replacing the
 * previous registration, and injects it into tabs already open there. Called
 * at every background start (registrations are re-made, not trusted) and
 * when settings or permissions change.
 */
export async function syncPortalRegistration(origins: string[]): Promise<PortalRegistration> {
  // Each failure below is logged with its cause and taken as the safe answer (not granted, nothing there).
  const warn = <T>(what: string, fallback: T) => (error: unknown): T => {
    console.warn(`[earshot] ${what}`, error);
    return fallback;
  };
  const granted: string[] = [];
  const missingPermission: string[] = [];
  for (const origin of origins) {
    const ok = await browser.permissions.contains({ origins: [originPattern(origin)] }).catch(warn(`could not check the permission for ${origin}`, false));
    (ok ? granted : missingPermission).push(origin);
  }
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [PORTAL_SCRIPT_ID] }).catch(warn('could not list the registered portal script', []));
  if (existing.length > 0) await browser.scripting.unregisterContentScripts({ ids: [PORTAL_SCRIPT_ID] });
  if (granted.length === 0) return { registered: [], missingPermission };
  await browser.scripting.registerContentScripts([
    { id: PORTAL_SCRIPT_ID, matches: granted.map(originPattern), js: [PORTAL_SCRIPT_FILE], runAt: 'document_idle' },
  ]);
  const tabs = await browser.tabs.query({ url: granted.map(originPattern) }).catch(warn('could not list the open portal tabs', []));
  await Promise.all(
    tabs.map((tab) =>
      tab.id === undefined
        ? undefined
        : browser.scripting.executeScript({ target: { tabId: tab.id }, files: [PORTAL_SCRIPT_FILE] }).catch(warn(`could not inject the portal script into tab ${tab.id}`, undefined)),
    ),
  );
  return { registered: granted, missingPermission };
}

/** Calls back when the user or policy grants or removes host permissions. */
export function onHostPermissionsChanged(callback: () => void): void {
  browser.permissions.onAdded.addListener(callback);
  browser.permissions.onRemoved.addListener(callback);
}
