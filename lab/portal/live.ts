// The lab's live call center as the portal styles show it (lab/portal/<style>):
// one view of the directory and calls, the signed-in portal users (a cookie),
// and a Server-Sent Events stream that pushes only what changed. Node side;
// the pages themselves are plain browser scripts next to this file.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LabUser } from '../directory';
import type { Lab } from '../index';
import type { Call } from '../pbx/pbx';

/** An agent of the directory and the call it is on, from the agent's side. */
export interface AgentCall {
  extension: string;
  name: string;
  call?: {
    id: string;
    state: Call['state'];
    startedAt: number;
    /** The other party: a customer's number or the other agent's extension. */
    other: { number: string; name: string; kind: 'customer' | 'agent' };
    /** Who called whom (the lab's calls come in to `call.agent`; an internal one from the other agent). */
    caller: string;
    callee: string;
  };
}

/** Every agent with its call, in directory order. */
export function agentCalls(lab: Lab): AgentCall[] {
  return [...lab.pbx.users.values()]
    .filter((u) => lab.pbx.isAgent(u.extension))
    .map((u) => {
      const call = lab.pbx.callOf(u.extension);
      if (!call) return { extension: u.extension, name: u.name };
      const mine = call.agent === u.extension;
      const other =
        call.other.kind === 'customer'
          ? { number: call.other.number, name: `Customer ${call.other.number}`, kind: 'customer' as const }
          : mine
            ? { number: call.other.extension, name: lab.pbx.users.get(call.other.extension)?.name ?? call.other.extension, kind: 'agent' as const }
            : { number: call.agent, name: lab.pbx.users.get(call.agent)?.name ?? call.agent, kind: 'agent' as const };
      const [caller, callee] = call.other.kind === 'customer' ? [call.other.number, call.agent] : [call.agent, call.other.extension];
      return { extension: u.extension, name: u.name, call: { id: call.id, state: call.state, startedAt: call.startedAt, other, caller, callee } };
    });
}

/** `HH:MM:SS` since `since` (ms epoch). */
export function clock(since: number, now = Date.now()): string {
  const s = Math.max(0, Math.floor((now - since) / 1000));
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Text for HTML (element content and quoted attributes). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const COOKIE = 'lab_portal_session';

/** Who is signed in to the portal styles: a session cookie per sign-in (HttpOnly), like a PHP session. */
export class PortalSessions {
  private readonly byToken = new Map<string, string>();

  constructor(private readonly users: () => ReadonlyMap<string, LabUser>) {}

  /** Signs in with the lab's credentials; the cookie to set, or undefined when they are wrong. */
  signIn(extension: string, password: string): { cookie: string; user: LabUser } | undefined {
    const user = this.users().get(extension);
    if (!user || user.password !== password) return undefined;
    const token = randomUUID();
    this.byToken.set(token, extension);
    return { cookie: `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`, user };
  }

  signOut(req: IncomingMessage): string {
    const token = this.token(req);
    if (token) this.byToken.delete(token);
    return `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  /** The signed-in user of this request, if any. */
  user(req: IncomingMessage): LabUser | undefined {
    const token = this.token(req);
    const extension = token ? this.byToken.get(token) : undefined;
    return extension ? this.users().get(extension) : undefined;
  }

  private token(req: IncomingMessage): string | undefined {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const [name, value] = part.trim().split('=');
      if (name === COOKIE && value) return value;
    }
    return undefined;
  }
}

/**
 * A Server-Sent Events stream of keyed items: every item once on connect,
 * then only the items whose JSON changed (`event`) and the keys that went
 * (`gone`), on every dialog change of the PBX and every `tickMs` (durations,
 * sessions). The page edits its rows from these, never re-rendering them all.
 */
export function liveStream(lab: Lab, req: IncomingMessage, res: ServerResponse, read: () => Map<string, unknown>, events: { event: string; gone: string }, tickMs = 500): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
  let last = new Map<string, string>();
  const push = () => {
    if (res.destroyed || res.writableEnded) return;
    const now = new Map([...read()].map(([key, value]) => [key, JSON.stringify(value)]));
    let out = '';
    for (const [key, json] of now) if (last.get(key) !== json) out += `event: ${events.event}\ndata: ${json}\n\n`;
    for (const key of last.keys()) if (!now.has(key)) out += `event: ${events.gone}\ndata: ${JSON.stringify({ id: key })}\n\n`;
    last = now;
    if (out) res.write(out);
  };
  push();
  const off = lab.pbx.onDialogChange(() => push());
  const timer = setInterval(push, tickMs);
  timer.unref();
  const stop = () => {
    off();
    clearInterval(timer);
  };
  req.on('close', stop);
  res.on('close', stop);
}
