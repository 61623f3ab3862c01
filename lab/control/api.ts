import { readFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../index';
import type { PartySource } from '../media';
import { DIALECT_IDS, type DialectId } from '../pbx/dialects';
import { partyId, type Call } from '../pbx/pbx';
import { toneOf } from '../directory';
import { createPortalStyles } from '../portal/routes';

const PORTAL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'portal');
const PORTAL_FILES: Record<string, [string, string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/portal/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/portal/style.css': ['style.css', 'text/css; charset=utf-8'],
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new HttpError(413, 'Body too large (64 KiB at most).');
    chunks.push(chunk as Buffer);
  }
  if (chunks.length === 0) return {};
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'The body must be a JSON object.');
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function callView(lab: Lab, call: Call) {
  const other = call.other;
  return {
    id: call.id,
    agent: call.agent,
    agentName: lab.pbx.users.get(call.agent)?.name,
    other:
      other.kind === 'agent'
        ? { kind: 'agent', extension: other.extension, name: lab.pbx.users.get(other.extension)?.name, onNet: true }
        : { kind: 'customer', number: other.number, name: `Customer ${other.number}`, onNet: false },
    state: call.state,
    startedAt: call.startedAt,
  };
}

/** `2001` (a supervisor: its monitor leg), `agent:1001`, `customer:5550101`, or a leg id. */
function listenerId(lab: Lab, name: string): string {
  if (/^\d+$/.test(name)) {
    if (lab.pbx.isAgent(name)) return partyId.agent(name);
    const session = [...lab.pbx.sessions.values()].find((s) => s.supervisor === name);
    if (!session) throw new HttpError(404, `${name} has no monitor session.`);
    return session.legId;
  }
  return name;
}

function parseSource(value: unknown): PartySource {
  const v = value as Partial<{ kind: string; hz: number; amplitude: number; path: string }> | undefined;
  if (v?.kind === 'silence') return { kind: 'silence' };
  if (v?.kind === 'tone' && typeof v.hz === 'number' && v.hz > 0 && v.hz < 20000) return { kind: 'tone', hz: v.hz, ...(typeof v.amplitude === 'number' ? { amplitude: v.amplitude } : {}) };
  if (v?.kind === 'pcm-file' && typeof v.path === 'string') return { kind: 'pcm-file', path: v.path };
  throw new HttpError(400, 'source must be {kind:"tone",hz} | {kind:"silence"} | {kind:"pcm-file",path}.');
}

/** The control API (JSON, loopback) and the demo portal, on one HTTP listener. */
export function createControlApi(lab: Lab): RequestListener {
  // The portal styles (NetSapiens, FusionPBX) on the lab's own data: their pages, streams and sign-in.
  const portalStyles = createPortalStyles(lab);
  const routes: [string, RegExp, (m: RegExpExecArray, req: IncomingMessage, url: URL) => Promise<[number, unknown]> | [number, unknown]][] = [
    ['GET', /^\/api\/users$/, () => [200, [...lab.pbx.users.values()].map(({ password: _p, ...u }) => ({ ...u, registered: lab.sip.registrations.has(u.extension) }))]],
    ['GET', /^\/api\/registrations$/, () => [200, [...lab.sip.registrations.entries()].map(([extension, r]) => ({ extension, contact: r.contact, expiresAt: r.expiresAt }))]],
    ['GET', /^\/api\/parties$/, () => {
      const parties = [...lab.pbx.users.values()].filter((u) => lab.pbx.isAgent(u.extension)).map((u) => ({ id: partyId.agent(u.extension), kind: 'agent', extension: u.extension, name: u.name, toneHz: toneOf(partyId.agent(u.extension)) }));
      for (const call of lab.pbx.calls.values()) if (call.other.kind === 'customer') parties.push({ id: partyId.customer(call.other.number), kind: 'customer', extension: call.other.number, name: `Customer ${call.other.number}`, toneHz: toneOf(partyId.customer(call.other.number)) });
      return [200, parties];
    }],
    ['GET', /^\/api\/calls$/, () => [200, [...lab.pbx.calls.values()].map((c) => callView(lab, c))]],
    ['POST', /^\/api\/calls$/, async (_m, req) => {
      const body = await readJson(req);
      const agent = str(body.agent) ?? '';
      const customer = str(body.customer);
      const otherAgent = str(body.otherAgent);
      if (!customer === !otherAgent) throw new HttpError(400, 'Give either "customer" (a number) or "otherAgent" (an extension).');
      try {
        const call = lab.pbx.startCall(agent, customer ? { kind: 'customer', number: customer } : { kind: 'agent', extension: otherAgent ?? '' }, typeof body.answerAfterMs === 'number' ? body.answerAfterMs : 300);
        return [201, callView(lab, call)];
      } catch (error) {
        throw new HttpError(409, (error as Error).message);
      }
    }],
    ['DELETE', /^\/api\/calls\/([\w-]+)$/, (m) => {
      if (!lab.pbx.endCall(m[1] ?? '')) throw new HttpError(404, `No call ${m[1]}.`);
      return [200, { ended: m[1] }];
    }],
    ['POST', /^\/api\/originate$/, async (_m, req) => {
      const body = await readJson(req);
      const to = str(body.to) ?? '';
      if (!lab.pbx.users.has(to)) throw new HttpError(404, `No user ${to}.`);
      const agent = str(body.agent);
      if (agent !== undefined && !lab.pbx.isAgent(agent)) throw new HttpError(404, `No agent ${agent}.`);
      const callId = await lab.sip.originate({
        to,
        callerName: str(body.callerName) ?? 'eavesdrop',
        callerNumber: str(body.callerNumber) ?? agent ?? 'lab',
        ...(agent ? { agent } : {}),
        ...(typeof body.ringTimeoutMs === 'number' ? { ringTimeoutMs: body.ringTimeoutMs } : {}),
      });
      if (!callId) throw new HttpError(409, `${to} has no registered device.`);
      return [201, { callId }];
    }],
    ['GET', /^\/api\/sessions$/, () => [200, [...lab.pbx.sessions.values()].map(({ collector: _c, pinDigits: _d, ...s }) => s)]],
    ['POST', /^\/api\/parties\/([\w:]+)\/audio$/, async (m, req) => {
      const body = await readJson(req);
      lab.media.setSource(m[1] ?? '', parseSource(body.source));
      return [200, { party: m[1] }];
    }],
    ['GET', /^\/api\/hearing\/([\w:.-]+)$/, (m, _req, url) => {
      const listener = listenerId(lab, m[1] ?? '');
      return [200, { listener, sources: lab.media.heard(listener, Number(url.searchParams.get('windowMs') ?? 1000)) }];
    }],
    ['GET', /^\/api\/sent\/(\d+)$/, (m, _req, url) => {
      const leg = listenerId(lab, m[1] ?? '');
      return [200, { leg, ...lab.media.sent(leg, Number(url.searchParams.get('windowMs') ?? 1000)) }];
    }],
    ['GET', /^\/api\/events$/, (_m, _req, url) => [200, lab.log.since(Number(url.searchParams.get('since') ?? 0))]],
    ['GET', /^\/api\/config$/, () => [200, lab.pbx.config]],
    ['POST', /^\/api\/config$/, async (_m, req) => {
      const body = await readJson(req);
      const dialect = str(body.dialect);
      if (dialect !== undefined && !DIALECT_IDS.includes(dialect as DialectId)) throw new HttpError(400, `dialect must be one of ${DIALECT_IDS.join(', ')}.`);
      if (dialect) lab.pbx.config.dialect = dialect as DialectId;
      if ('pin' in body) {
        const pin = str(body.pin);
        if (pin && !/^\d{1,12}$/.test(pin)) throw new HttpError(400, 'pin must be 1 to 12 digits.');
        if (pin) lab.pbx.config.pin = pin;
        else delete lab.pbx.config.pin;
      }
      if (body.remoteIdentity === 'early' || body.remoteIdentity === 'always') lab.pbx.config.remoteIdentity = body.remoteIdentity;
      if (body.sessionEnd === 'with-agent' || body.sessionEnd === 'persist') lab.pbx.config.sessionEnd = body.sessionEnd;
      if (body.sessionEnd === null) delete lab.pbx.config.sessionEnd;
      lab.log.add('config', JSON.stringify(lab.pbx.config));
      return [200, lab.pbx.config];
    }],
    ['POST', /^\/api\/faults$/, async (_m, req) => {
      const body = await readJson(req);
      switch (body.kind) {
        case 'drop-sockets':
          return [200, { dropped: lab.sip.dropSockets() }];
        case 'refuse':
          lab.sip.faults.refuse = { status: typeof body.status === 'number' ? body.status : 503, count: typeof body.count === 'number' ? body.count : 1 };
          return [200, lab.sip.faults];
        case 'delay':
          lab.sip.faults.delayMs = typeof body.ms === 'number' ? body.ms : 0;
          return [200, lab.sip.faults];
        case 'malformed-notify':
          return [200, { sent: lab.sip.malformedNotify(str(body.extension) ?? '') }];
        case 'restart':
          lab.sip.registrations.clear();
          return [200, { dropped: lab.sip.dropSockets() }];
        case 'clear':
          delete lab.sip.faults.refuse;
          delete lab.sip.faults.delayMs;
          return [200, lab.sip.faults];
        default:
          throw new HttpError(400, 'kind must be drop-sockets, refuse, delay, malformed-notify, restart or clear.');
      }
    }],
    // The demo portal's own API (what a manager portal's backend would serve).
    ['POST', /^\/portal\/api\/login$/, async (_m, req) => {
      const body = await readJson(req);
      const user = lab.pbx.users.get(str(body.extension) ?? '');
      if (!user || user.password !== body.password) throw new HttpError(401, 'Unknown extension or wrong password.');
      return [200, { extension: user.extension, name: user.name, scope: user.scope }];
    }],
    ['GET', /^\/portal\/api\/agents$/, () => [
      200,
      [...lab.pbx.users.values()].filter((u) => lab.pbx.isAgent(u.extension)).map((u) => {
        const call = lab.pbx.callOf(u.extension);
        const view = call ? callView(lab, call) : undefined;
        const other = view ? (view.agent === u.extension ? view.other : { kind: 'agent', extension: view.agent, name: view.agentName, onNet: true }) : undefined;
        return {
          extension: u.extension,
          name: u.name,
          status: !call ? 'Available' : call.state === 'early' ? 'Ringing' : 'On call',
          call: other ? { name: other.name, number: 'number' in other ? other.number : other.extension } : null,
        };
      }),
    ]],
  ];

  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      try {
        const file = req.method === 'GET' ? PORTAL_FILES[url.pathname] : undefined;
        if (file) {
          res.writeHead(200, {
            'content-type': file[1],
            'content-security-policy': "default-src 'self'; style-src 'self'; script-src 'self'",
          });
          res.end(readFileSync(join(PORTAL_DIR, file[0])));
          return;
        }
        if (await portalStyles(req, res, url)) return;
        for (const [method, pattern, handler] of routes) {
          const match = pattern.exec(url.pathname);
          if (!match) continue;
          if (req.method !== method) continue;
          const [status, body] = await handler(match, req, url);
          json(res, status, body);
          return;
        }
        throw new HttpError(404, `No ${req.method} ${url.pathname}.`);
      } catch (error) {
        const status = error instanceof HttpError ? error.status : 500;
        json(res, status, { error: error instanceof Error ? error.message : String(error) });
      }
    })();
  };
}
