/**
 * Origins and URLs the settings accept. Plain-text http/ws are allowed only on
 * loopback (the lab, a developer's machine): anywhere else credentials and
 * call audio signalling would cross the network unencrypted.
 */

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for localhost, 127.0.0.1 and [::1] (URL.hostname form). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value.trim());
  } catch {
    return undefined;
  }
}

/** Why a portal origin is refused, or undefined when it is fine. */
export function portalOriginProblem(value: string): string | undefined {
  const url = parseUrl(value);
  if (!url || !url.hostname) return 'not a valid address, e.g. https://portal.example.com';
  if (url.username || url.password) return 'leave the user name and password out of the address';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return 'use https:// (http:// only for 127.0.0.1 or localhost)';
}

/**
 * `scheme://host[:port]`: the path, query and fragment are dropped, the host
 * lower-cased and a default port removed (what URL.origin does), so that what
 * an admin pastes from the address bar compares equal to a sender's origin.
 * Call only on a value {@link portalOriginProblem} accepts.
 */
export function normalizeOrigin(value: string): string {
  return new URL(value.trim()).origin;
}

/**
 * The host permission pattern for a portal origin. The port is left out on
 * purpose: Firefox match patterns cannot carry a port, and without one both
 * browsers match every port of the host.
 */
export function originPermissionPattern(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

/** Why a PBX WebSocket URL is refused, or undefined when it is fine. */
export function wsUrlProblem(value: string): string | undefined {
  const url = parseUrl(value);
  if (!url || !url.hostname || (url.protocol !== 'wss:' && url.protocol !== 'ws:')) {
    return 'not a WebSocket address, e.g. wss://pbx.example.com:8089/ws';
  }
  if (url.protocol === 'ws:' && !isLoopbackHost(url.hostname)) return 'use wss:// (ws:// only for 127.0.0.1 or localhost)';
  return undefined;
}

/**
 * Host permission for the portal origin, behind an interface so the options
 * page can be tested with a fake (lib/platform/permissions.ts has the
 * browser's). Patterns come from {@link originPermissionPattern}.
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

/**
 * Why an audit trail endpoint is refused, or undefined when it is fine: an
 * https:// URL (http:// only on loopback, for tests), no user or password in it.
 */
export function auditEndpointProblem(value: string): string | undefined {
  const url = parseUrl(value);
  if (!url || !url.hostname || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    return 'not a web address, e.g. https://audit.example.com/earshot/events';
  }
  if (url.username || url.password) return 'leave the user name and password out of the address (the token goes in its own field)';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return 'use https:// (http:// only for 127.0.0.1 or localhost)';
  if (url.hash) return 'leave out the #fragment';
  return undefined;
}
