// The HTTP routes of the portal styles (lab/portal/<style>): their pages,
// the fragment and streams they load, the portal sign-in, and the lab's
// switches for them (`/api/portal-styles`). Mounted by lab/control/api.ts.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../index';
import { activeChannels } from './fusionpbx/channels';
import { callCenterFragment } from './fusionpbx/call-center';
import { callCenterExec } from './fusionpbx/exec';
import { escapeHtml, liveStream, PortalSessions } from './live';
import { netsapiensAgents } from './netsapiens/agents';

const DIR = dirname(fileURLToPath(import.meta.url));
const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
/** Static files of the styles: URL → [file under lab/portal, type]. */
const FILES: Record<string, [string, string]> = {
  '/netsapiens/': ['netsapiens/index.html', HTML],
  '/netsapiens/app.js': ['netsapiens/app.js', JS],
  '/netsapiens/style.css': ['netsapiens/style.css', CSS],
  '/fusionpbx/style.css': ['fusionpbx/style.css', CSS],
  '/fusionpbx/call-center-active.js': ['fusionpbx/call-center-active.js', JS],
  '/fusionpbx/active-calls.js': ['fusionpbx/active-calls.js', JS],
  '/fusionpbx/login.js': ['fusionpbx/login.js', JS],
};
/** FusionPBX pages: behind its sign-in (the login page for whoever is not signed in). */
const FUSION_PAGES: Record<string, string> = {
  '/fusionpbx/app/call_center_active/call_center_active.php': 'fusionpbx/call-center-active.html',
  '/fusionpbx/app/active_calls/active_calls.php': 'fusionpbx/active-calls.html',
};

/** Where each style's page is (the demo and the e2e open these). */
export const PORTAL_STYLE_PATHS = {
  lab: '/',
  netsapiens: '/netsapiens/',
  'fusionpbx-call-center': '/fusionpbx/app/call_center_active/call_center_active.php?queue_name=3c0b8a4e-5d1f-4e8a-9b6c-000000005000&name=Support',
  'fusionpbx-active-calls': '/fusionpbx/app/active_calls/active_calls.php',
} as const;

/** The lab's switches for the styles (POST /api/portal-styles). */
export interface PortalStyleConfig {
  /** The FusionPBX user's group has call_center_active_options (the Options column). */
  fusionpbxOptions: boolean;
  /** FreeSWITCH's event socket is up (down: the call-center fragment says so). */
  fusionpbxEventSocket: boolean;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    // As the lab's own portal: the pages' inline handlers (NetSapiens' listen control, FusionPBX's
    // Eavesdrop button) are data for adapters here, never run.
    'content-security-policy': "default-src 'self'; style-src 'self'; script-src 'self'",
    ...headers,
  });
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 4096) return {};
  }
  try {
    const value = JSON.parse(text || '{}') as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The styles' request handler: true when it answered the request (the
 * control API's own routes take the rest).
 */
export function createPortalStyles(lab: Lab): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const sessions = new PortalSessions(() => lab.pbx.users);
  const config: PortalStyleConfig = { fusionpbxOptions: true, fusionpbxEventSocket: true };
  const file = (name: string) => readFileSync(join(DIR, name));

  return async (req, res, url) => {
    const path = url.pathname;
    const get = req.method === 'GET';
    const user = sessions.user(req);
    const known = FILES[path];
    if (get && known) {
      send(res, 200, known[1], file(known[0]));
      return true;
    }
    const page = FUSION_PAGES[path];
    if (get && page) {
      send(res, 200, HTML, file(user ? page : 'fusionpbx/login.html'));
      return true;
    }
    if (path === '/portal/api/session') {
      if (req.method === 'POST') {
        const body = await readBody(req);
        const signed = sessions.signIn(String(body.extension ?? ''), String(body.password ?? ''));
        if (!signed) json(res, 401, { error: 'Unknown extension or wrong password.' });
        else json(res, 200, { extension: signed.user.extension, name: signed.user.name, scope: signed.user.scope, domain: lab.pbx.config.domain }, { 'set-cookie': signed.cookie });
      } else if (req.method === 'DELETE') json(res, 200, {}, { 'set-cookie': sessions.signOut(req) });
      else if (user) json(res, 200, { extension: user.extension, name: user.name, scope: user.scope, domain: lab.pbx.config.domain });
      else json(res, 401, { error: 'Not signed in.' });
      return true;
    }
    if (path === '/api/portal-styles') {
      if (req.method === 'POST') {
        const body = await readBody(req);
        if (typeof body.fusionpbxOptions === 'boolean') config.fusionpbxOptions = body.fusionpbxOptions;
        if (typeof body.fusionpbxEventSocket === 'boolean') config.fusionpbxEventSocket = body.fusionpbxEventSocket;
      }
      json(res, 200, config);
      return true;
    }
    if (!get) return false;
    switch (path) {
      case '/netsapiens/api/agents/stream':
        if (!user) json(res, 401, { error: 'Not signed in.' });
        else liveStream(lab, req, res, () => netsapiensAgents(lab), { event: 'agent', gone: 'agent-removed' });
        return true;
      case '/fusionpbx/app/active_calls/stream':
        if (!user) json(res, 401, { error: 'Not signed in.' });
        else liveStream(lab, req, res, () => activeChannels(lab), { event: 'channel', gone: 'hangup' });
        return true;
      case '/fusionpbx/app/call_center_active/call_center_active_inc.php':
        send(res, 200, HTML, callCenterFragment(lab, { user, options: config.fusionpbxOptions, eventSocket: config.fusionpbxEventSocket }));
        return true;
      case '/fusionpbx/app/call_center_active/call_center_exec.php': {
        const result = callCenterExec(lab, user, url.searchParams);
        send(res, result.status, 'text/plain; charset=utf-8', result.text);
        return true;
      }
      case '/fusionpbx/app/call_centers/call_center_agent_edit.php': {
        const id = escapeHtml(url.searchParams.get('id') ?? '');
        send(res, 200, HTML, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Call Center Agent</title><link rel="stylesheet" href="/fusionpbx/style.css"></head><body><div id="main_content"><h1>Call Center Agent</h1><p class="agent-uuid">${id}</p></div></body></html>`);
        return true;
      }
      default:
        return false;
    }
  };
}
