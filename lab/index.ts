import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { createControlApi } from './control/api';
import { SEEDED_CALLS } from './directory';
import { EventLog } from './log';
import { MediaHub } from './media';
import { DIALECT_IDS, type DialectId } from './pbx/dialects';
import { LabPbx, type PbxConfig } from './pbx/pbx';
import { SipServer } from './sip/server';

export interface LabOptions {
  /** 0 = a free port (tests). Default 5066 / 8088. */
  sipPort?: number;
  httpPort?: number;
  domain?: string;
  dialect?: DialectId;
  pin?: string;
  remoteIdentity?: 'early' | 'always';
  sessionEnd?: 'with-agent' | 'persist';
  /** Ends a monitor session whose caller sent no RTP for this long, as a real PBX's RTP timeout does; default off. */
  mediaTimeoutMs?: number;
  /** Start the seeded calls (default true). */
  seed?: boolean;
  /** No log lines on stdout. */
  quiet?: boolean;
  /** More agents for load benchmarks: 1010, 1011, … (at most 90), every other one on a call with a customer. */
  extraAgents?: number;
}

export interface Lab {
  pbx: LabPbx;
  sip: SipServer;
  media: MediaHub;
  log: EventLog;
  ports: { sip: number; http: number };
  /** ws://127.0.0.1:<sip port> */
  wsUrl: string;
  /** http://127.0.0.1:<http port> (control API under /api, demo portal at /) */
  httpUrl: string;
  close(): Promise<void>;
}

export const LAB_DOMAIN = 'lab.earshot.test';

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts the lab on 127.0.0.1: SIP over WebSocket, the control API and the demo portal. */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const dialect = options.dialect ?? 'asterisk-chanspy';
  if (!DIALECT_IDS.includes(dialect)) throw new Error(`Unknown dialect "${dialect}": use one of ${DIALECT_IDS.join(', ')}.`);
  const log = new EventLog(options.quiet ?? false);
  const media = new MediaHub();
  const config: PbxConfig = {
    domain: options.domain ?? LAB_DOMAIN,
    dialect,
    remoteIdentity: options.remoteIdentity ?? 'early',
    ...(options.pin ? { pin: options.pin } : {}),
    ...(options.sessionEnd ? { sessionEnd: options.sessionEnd } : {}),
    ...(options.mediaTimeoutMs ? { mediaTimeoutMs: options.mediaTimeoutMs } : {}),
  };
  const pbx = new LabPbx(config, media, log);
  const sip = new SipServer(pbx, media, log);

  const sipHttp = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('SIP over WebSocket only (subprotocol "sip").\n');
  });
  const wss = new WebSocketServer({
    server: sipHttp,
    maxPayload: 256 * 1024,
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  wss.on('connection', (conn, req) => sip.accept(conn, `${req.socket.remoteAddress}:${req.socket.remotePort}`));
  const sipPort = await listen(sipHttp, options.sipPort ?? 5066);

  const lab = {} as Lab;
  const http = createServer(createControlApi(lab));
  const httpPort = await listen(http, options.httpPort ?? 8088);
  Object.assign(lab, {
    pbx,
    sip,
    media,
    log,
    ports: { sip: sipPort, http: httpPort },
    wsUrl: `ws://127.0.0.1:${sipPort}`,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    close: async () => {
      for (const conn of wss.clients) conn.terminate();
      const closed = Promise.all([
        new Promise<void>((r) => wss.close(() => r())),
        new Promise<void>((r) => sipHttp.close(() => r())),
        new Promise<void>((r) => http.close(() => r())),
      ]);
      // Open streams (the portal styles' live pages) would keep the HTTP server from ever closing.
      http.closeAllConnections();
      await closed;
      pbx.close();
      await media.close();
    },
  } satisfies Lab);
  log.add('lab', `SIP ws://127.0.0.1:${sipPort} (domain ${config.domain}, dialect ${dialect}); control and portal http://127.0.0.1:${httpPort}`);
  if (options.seed !== false) {
    for (const c of SEEDED_CALLS) pbx.startCall(c.agent, c.customer ? { kind: 'customer', number: c.customer } : { kind: 'agent', extension: c.otherAgent ?? '' }, 0);
  }
  const extra = Math.min(options.extraAgents ?? 0, 90);
  for (let i = 0; i < extra; i++) {
    const extension = String(1010 + i);
    pbx.addAgent(extension, `Agent ${extension}`);
    if (i % 2 === 0) pbx.startCall(extension, { kind: 'customer', number: `555${extension}` }, 0);
  }
  return lab;
}
