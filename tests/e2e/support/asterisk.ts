import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The real Asterisk 22 of ../shared/pbx/asterisk (its README has the facts),
 * started for one test file on ports of its own and stopped exactly as
 * started. Nothing is downloaded: start.sh installs missing Debian packages
 * (as root) and unpacks the shared tarball into a temporary ROOT.
 */
export const ASTERISK_PKG = resolve(process.env.EARSHOT_ASTERISK_PKG ?? '../shared/pbx/asterisk');

/** What start.sh prints (the parts the tests use). */
export interface AsteriskInfo {
  ok: true;
  version: string;
  root: string;
  sip_domain: string;
  ws_url: string;
  ports: { sip_udp: number; ws: number; ami: number; rtp_start: number; rtp_end: number };
  supervisors: { ext: string; user: string; password: string; webrtc: boolean }[];
  agents: { ext: string; password: string; tone_hz: number; recordings: string }[];
  codes: { spy_dtmf: string; listen: string; whisper: string; barge: string; dtmf_switch: Record<string, string> };
  tones_hz: { customer: number; agent: number; supervisor_2002: number };
  tone_files: string;
  min_dtmf_ms: number;
  ami: { host: string; port: number; user: string; secret: string };
  recordings: string;
  logs: string;
  pids: Record<string, number>;
  boot_ms: number;
}

/** One customer call placed by call.sh. */
export interface CustomerCall {
  agent: string;
  uniqueid: string;
  /** What the customer hears (complete once the call has ended). */
  customer_heard: string;
}

export interface Asterisk {
  info: AsteriskInfo;
  root: string;
  /** The customer (440 Hz) calls the agent; resolves once the agent answered. */
  customerCall(agent: string, seconds: number): Promise<CustomerCall>;
  /** One CLI command; its output. */
  cli(command: string): Promise<string>;
  /** Ends every call on the PBX. */
  hangupAll(): Promise<void>;
  /** The channels up now (`core show channels concise`), e.g. `PJSIP/2001-00000004`. */
  channels(): Promise<string[]>;
  /** The registered contacts (`pjsip show contacts`): AOR (e.g. `2001`) and contact URI (new at each fresh registration). */
  contacts(): Promise<{ aor: string; uri: string }[]>;
  /** Inbound subscriptions (`pjsip show subscriptions inbound`): who watches which resource, for which event. */
  subscriptions(): Promise<{ endpoint: string; resource: string; event: string; callId: string }[]>;
  /** Turns Asterisk's SIP logger on or off (it writes every SIP message to ROOT/var/log/messages.log). */
  sipLogger(on: boolean): Promise<void>;
  /** Where messages.log ends now: give it to {@link notifiesSent} to read only what follows. */
  logMark(): number;
  /** The dialog-info NOTIFYs Asterisk sent since `mark`, oldest first (the SIP logger must be on). */
  notifiesSent(mark?: number): SipNotify[];
  /** Stops Asterisk (then its peers), as a PBX that stops or restarts; the ROOT stays for {@link restart}. */
  stopPbx(): Promise<void>;
  /** Starts the same ROOT again on the same ports (after {@link stopPbx}). */
  restart(): Promise<void>;
  /** Stops everything start.sh started and removes the ROOT. */
  stop(): Promise<void>;
}

/** One dialog-info NOTIFY Asterisk sent, as its SIP logger wrote it. */
export interface SipNotify {
  /** The subscriber's user (`To:`), e.g. `2001`. */
  to: string;
  /** The watched extension (`entity="sip:1001@…"`). */
  entity: string;
  /** The first dialog's `<state>`, or `none` for a body without dialogs. */
  state: string;
  /** The remote identity the body names (Asterisk: in early NOTIFYs only, and not always). */
  remote?: string;
}

/** The dialog-info NOTIFYs in a stretch of messages.log (one log entry per SIP message). */
export function parseNotifies(log: string): SipNotify[] {
  const found: SipNotify[] = [];
  for (const entry of log.split(/^(?=\[\d{4}-\d\d-\d\d [\d:.]+\] )/m)) {
    if (!/<--- Transmitting SIP request[^\n]*\n\s*NOTIFY /.test(entry) || !/dialog-info/.test(entry)) continue;
    const to = /^To:[^\n]*<sip:([^@>;]+)@/m.exec(entry)?.[1];
    const entity = /entity="sip:([^@"]+)@/.exec(entry)?.[1];
    if (!to || !entity) continue;
    const state = /<state[^>]*>\s*(\w+)\s*<\/state>/.exec(entry)?.[1] ?? 'none';
    const remote = /<remote>\s*<identity[^>]*>([^<]+)<\/identity>/.exec(entry)?.[1]?.trim();
    found.push({ to, entity, state, ...(remote ? { remote } : {}) });
  }
  return found;
}

/** A block of ports for one start: SIP, ws, AMI, the peers, RTP (Asterisk's and the peers'). */
function portArgs(base: number): string[] {
  return [
    '--sip-port', String(base),
    '--ws-port', String(base + 1),
    '--no-wss',
    '--ami-port', String(base + 2),
    '--peer-port', String(base + 10),
    '--rtp-start', String(base + 100),
    '--rtp-end', String(base + 599),
    '--peer-rtp-start', String(base + 600),
  ];
}

/**
 * A random 1,000-port block below Linux's ephemeral range (32768+), clear of
 * the lab's and Asterisk's defaults; start.sh refuses a busy port, and then
 * another block is tried.
 */
function randomBase(): number {
  return 22_000 + Math.floor(Math.random() * 10) * 1000;
}

async function startScript(root: string, args: string[]): Promise<AsteriskInfo> {
  const { stdout } = await run(join(ASTERISK_PKG, 'start.sh'), [root, ...args], { maxBuffer: 1 << 20, timeout: 300_000 });
  const line = stdout.trim().split('\n').pop() ?? '';
  const info = JSON.parse(line) as AsteriskInfo;
  if (!info.ok) throw new Error(`start.sh did not report ok: ${line}`);
  return info;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopScript(root: string): Promise<void> {
  if (!existsSync(join(root, 'pids'))) return;
  await run(join(ASTERISK_PKG, 'stop.sh'), [root], { timeout: 60_000 });
}

/** Starts a fresh Asterisk with its agents (1001, 1002) and UDP supervisor (2002). */
export async function startAsterisk(tag: string): Promise<Asterisk> {
  if (!existsSync(join(ASTERISK_PKG, 'start.sh'))) {
    throw new Error(`No Asterisk package at ${ASTERISK_PKG}: the tests expect ../shared/pbx/asterisk beside the repository.`);
  }
  const root = mkdtempSync(join(tmpdir(), `earshot-asterisk-${tag}-`));
  let info: AsteriskInfo | undefined;
  let args: string[] = [];
  let lastError: unknown;
  for (let attempt = 0; attempt < 4 && !info; attempt++) {
    args = portArgs(randomBase());
    try {
      info = await startScript(root, args);
    } catch (error) {
      lastError = error;
      // A busy port, or a start that lost a race under load (start.sh stops what it started): try again.
      const text = String((error as { stderr?: string }).stderr ?? error);
      if (/missing Debian packages|no Asterisk package|does not run here/.test(text)) break;
    }
  }
  if (!info) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`Asterisk did not start: ${String((lastError as { stderr?: string })?.stderr ?? lastError)}`);
  }
  const cli = async (command: string) => (await run(join(ASTERISK_PKG, 'cli.sh'), [root, command], { timeout: 20_000 })).stdout;
  const pbx: Asterisk = {
    info,
    root,
    async customerCall(agent, seconds) {
      const { stdout } = await run(join(ASTERISK_PKG, 'call.sh'), [root, agent, String(seconds)], { timeout: 60_000 });
      return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as CustomerCall;
    },
    cli,
    async hangupAll() {
      await cli('channel request hangup all');
    },
    async channels() {
      return (await cli('core show channels concise'))
        .split('\n')
        .map((line) => line.split('!')[0]?.trim() ?? '')
        .filter((name) => /^[A-Za-z]+\//.test(name));
    },
    async contacts() {
      // "  Contact:  2001/sip:2001-...@127.0.0.1:40123;transport=ws   5f1e... NonQual   nan"
      return [...(await cli('pjsip show contacts')).matchAll(/^\s*Contact:\s+([^/\s<]+)\/(sip:\S+)/gm)].map((m) => ({ aor: m[1] ?? '', uri: m[2] ?? '' }));
    },
    async subscriptions() {
      // "Endpoint: 2001/"Supervisor" <2001>", "Resource: 1001/dialog", "  Expiry:      598  <call-id>"
      const out = await cli('pjsip show subscriptions inbound');
      return [...out.matchAll(/^Endpoint:\s+([^/\s<]+)\/.*\r?\nResource:\s+([^/\s<]+)\/(\S+)\r?\n\s*Expiry:\s+\d+\s+(\S+)/gm)].map((m) => ({
        endpoint: m[1] ?? '',
        resource: m[2] ?? '',
        event: m[3] ?? '',
        callId: m[4] ?? '',
      }));
    },
    async sipLogger(on) {
      await cli(`pjsip set logger ${on ? 'on' : 'off'}`);
    },
    logMark() {
      const log = join(root, 'var/log/messages.log');
      return existsSync(log) ? statSync(log).size : 0;
    },
    notifiesSent(mark = 0) {
      const log = join(root, 'var/log/messages.log');
      if (!existsSync(log)) return [];
      return parseNotifies(readFileSync(log).subarray(mark).toString('utf8'));
    },
    async stopPbx() {
      // Asterisk itself first, as when the PBX stops or restarts: the agents' phones stay up until then.
      const pid = pbx.info.pids.asterisk;
      await cli('core stop now').catch(() => '');
      for (let i = 0; i < 100 && pid !== undefined && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      await stopScript(root);
    },
    async restart() {
      pbx.info = await startScript(root, args);
    },
    async stop() {
      try {
        await stopScript(root);
      } finally {
        if (process.env.EARSHOT_KEEP_ASTERISK !== '1') rmSync(root, { recursive: true, force: true });
      }
    },
  };
  return pbx;
}

/** Earshot's settings for this Asterisk, signed in as the WebRTC supervisor 2001. */
export function asteriskSettings(
  info: AsteriskInfo,
  portalOrigin: string,
  profile: { id: 'asterisk-chanspy' | 'asterisk-per-mode'; dtmfMethod: 'info' | 'rfc4733' },
) {
  const sup = info.supervisors.find((s) => s.webrtc);
  if (!sup) throw new Error('This Asterisk has no WebRTC supervisor.');
  return {
    pbx: { wsUrl: info.ws_url, domain: info.sip_domain, username: sup.user, password: sup.password, displayName: 'Sam Supervisor' },
    portal: { origin: portalOrigin, adapter: 'generic', generic: GENERIC_PORTAL },
    profile,
  };
}

/** The generic adapter's selectors for the static portal page of {@link portalPage}. */
export const GENERIC_PORTAL = {
  rowSelector: 'table#agents tbody tr',
  extensionSelector: 'td.ext',
  nameSelector: 'td.name',
  iconSlotSelector: 'td.actions',
  userExtensionSelector: '#signed-in .user-ext',
  userScopeSelector: '#signed-in .user-scope',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A small static portal page: the agents of this Asterisk (each row `tr[data-ext]`), the signed-in supervisor 2001. */
export function portalPage(agents: { ext: string; name: string }[]): string {
  const rows = agents
    .map((a) => `<tr data-ext="${escapeHtml(a.ext)}"><td class="name">${escapeHtml(a.name)}</td><td class="ext">${escapeHtml(a.ext)}</td><td class="actions"></td></tr>`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Call Center — Agents</title>
<style>body{font:14px system-ui;margin:24px}table{border-collapse:collapse;width:640px}td,th{border-bottom:1px solid #ddd;padding:8px;text-align:left}td.actions{width:48px}</style></head>
<body><header id="signed-in">Signed in as Sam Supervisor (<span class="user-ext">2001</span>) · <span class="user-scope">Call Center Supervisor</span></header>
<h1>Agents</h1><table id="agents"><thead><tr><th>Agent</th><th>Extension</th><th></th></tr></thead><tbody>${rows}</tbody></table></body></html>`;
}

/** An AMI connection that keeps every event it receives (for DTMFEnd and friends). */
export class Ami {
  readonly events: { at: number; fields: Record<string, string> }[] = [];
  private buffer = '';
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\r\n\r\n')) >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 4);
        const fields: Record<string, string> = {};
        for (const line of block.split('\r\n')) {
          const i = line.indexOf(': ');
          if (i > 0) fields[line.slice(0, i)] = line.slice(i + 2);
        }
        this.events.push({ at: Date.now(), fields });
      }
    });
  }

  static async connect(info: AsteriskInfo, eventMask = 'dtmf,call'): Promise<Ami> {
    const socket = connect(info.ami.port, info.ami.host);
    await new Promise<void>((ok, fail) => {
      socket.once('connect', ok);
      socket.once('error', fail);
    });
    const ami = new Ami(socket);
    socket.write(`Action: Login\r\nUsername: ${info.ami.user}\r\nSecret: ${info.ami.secret}\r\nEvents: ${eventMask}\r\n\r\n`);
    const deadline = Date.now() + 5000;
    while (!ami.events.some((e) => e.fields.Response === 'Success')) {
      if (ami.events.some((e) => e.fields.Response === 'Error') || Date.now() > deadline) throw new Error('AMI login failed');
      await new Promise((r) => setTimeout(r, 20));
    }
    return ami;
  }

  /** DTMFEnd events Asterisk received from the supervisor's channel (Direction: Received). */
  dtmfReceived(channelPrefix: string, since = 0): { at: number; digit: string }[] {
    return this.events
      .filter((e) => e.at >= since && e.fields.Event === 'DTMFEnd' && e.fields.Direction === 'Received' && (e.fields.Channel ?? '').startsWith(channelPrefix))
      .map((e) => ({ at: e.at, digit: e.fields.Digit ?? '' }));
  }

  close(): void {
    this.socket.end('Action: Logoff\r\n\r\n');
    this.socket.destroy();
  }
}

/** A file's newest entry matching `pattern` in `dir`, written after `since` (ms epoch). */
export function newestFile(dir: string, pattern: RegExp, since = 0): string | undefined {
  if (!existsSync(dir)) return undefined;
  return readdirSync(dir)
    .filter((f) => pattern.test(f))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).mtimeMs >= since)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}
