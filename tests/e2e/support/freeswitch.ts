import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The real FreeSWITCH 1.10.12 of ../shared/pbx/freeswitch (its README has the
 * facts), started for one test file on ports of its own and stopped exactly as
 * started. Nothing is downloaded: start.sh installs missing Debian packages
 * (as root; .ci/run installs them first) and unpacks the shared tarball into a
 * temporary ROOT. The PBX, the browser and the test run in one network
 * namespace with only loopback ({@link runInLoopbackNamespace}).
 */
export const FREESWITCH_PKG = resolve(process.env.EARSHOT_FREESWITCH_PKG ?? '../shared/pbx/freeswitch');

/** What start.sh prints (the parts the tests use). */
export interface FreeSwitchInfo {
  ok: true;
  version: string;
  root: string;
  sip_domain: string;
  ws_url: string;
  ports: { sip: number; ws: number; esl: number; rtp_start: number; rtp_end: number };
  supervisors: { ext: string; user: string; password: string; webrtc: boolean }[];
  agents: { ext: string; password: string; tone_hz: number; recordings: string }[];
  codes: { eavesdrop: string; eavesdrop_dtmf: Record<string, string> };
  tones_hz: { customer: number; agent: number; supervisor_2002: number };
  tone_files: string;
  recordings: string;
  logs: string;
  pids: Record<string, number>;
  boot_ms: number;
}

/** One customer call placed by call.sh. */
export interface FreeSwitchCustomerCall {
  agent: string;
  customer_uuid: string;
  /** The agent's leg: the channel `*33<agent>` eavesdrops on. */
  agent_uuid: string;
  /** What the customer hears (complete once the call has ended). */
  customer_heard: string;
}

/** One row of `show channels as json` (the fields the tests read). */
export interface FreeSwitchChannel {
  uuid: string;
  name: string;
  application: string;
  dest: string;
  read_codec: string;
  read_rate: string;
  write_codec: string;
  write_rate: string;
}

/** One SIP message in FreeSWITCH's siptrace (freeswitch.log). */
export interface SipTrace {
  direction: 'send' | 'recv';
  /** `ws`, `udp`, `tcp`. */
  transport: string;
  /** The request or status line, e.g. `NOTIFY sip:…;transport=ws SIP/2.0`. */
  firstLine: string;
  /** When FreeSWITCH logged it: ms since midnight (the trace's `at HH:MM:SS.micro`). */
  atMs: number;
  text: string;
}

export interface FreeSwitch {
  info: FreeSwitchInfo;
  root: string;
  /** The customer (440 Hz) calls the agent; resolves once the agent answered. */
  customerCall(agent: string, seconds: number): Promise<FreeSwitchCustomerCall>;
  /** One API command through fs_cli; its output. */
  cli(command: string): Promise<string>;
  /** Ends every call on the PBX. */
  hangupAll(): Promise<void>;
  /** The channels up now (FreeSWITCH's core database: it lags the calls by up to about a second). */
  channels(): Promise<FreeSwitchChannel[]>;
  /** Where freeswitch.log ends now: give it to {@link sipTraces} or {@link logSince} to read only what follows. */
  logMark(): number;
  /** freeswitch.log since `mark`. */
  logSince(mark: number): string;
  /** The SIP messages FreeSWITCH sent and received since `mark` (siptrace is on from the start). */
  sipTraces(mark: number): SipTrace[];
  /** Stops everything start.sh started and removes the ROOT. */
  stop(): Promise<void>;
}

/** True when this process sees no network interface but loopback (inside netns.sh). */
export function loopbackOnly(): boolean {
  return Object.keys(networkInterfaces()).every((name) => name === 'lo');
}

/**
 * Runs one e2e file again inside ../shared/pbx/freeswitch/netns.sh (a new
 * network namespace with only `lo`; root: `unshare -n`, else an unprivileged
 * user namespace): Chromium offers ICE candidates on every interface it sees
 * and FreeSWITCH follows the pair it nominates, so outside the namespace RTP
 * could leave 127.0.0.1 (the package's README). The extension was built by
 * this run's global setup; the inner run reuses it. Resolves when the inner
 * run passed; rejects with its exit status otherwise (its report is printed).
 */
export async function runInLoopbackNamespace(file: string, opts: { defaultRoute?: boolean } = {}): Promise<void> {
  const netns = join(FREESWITCH_PKG, 'netns.sh');
  if (!existsSync(netns)) throw new Error(`No FreeSWITCH package at ${FREESWITCH_PKG}: the tests expect ../shared/pbx/freeswitch beside the repository.`);
  const vitest = resolve('node_modules/vitest/vitest.mjs');
  const command = [process.execPath, vitest, 'run', '-c', 'vitest.e2e.config.ts', relative(process.cwd(), file)];
  // Firefox gathers ICE candidates only at the default route's source address when the page has no
  // capture grant (Earshot's background page in Listen), and none without a default route:
  // `defaultRoute` gives the namespace one through lo with source 127.0.0.1, so Firefox offers
  // 127.0.0.1 (with media.peerconnection.ice.loopback) and everything stays on loopback.
  const args = opts.defaultRoute ? ['sh', '-c', 'ip route add default dev lo src 127.0.0.1 && exec "$@"', 'earshot-netns', ...command] : command;
  const child = spawn(netns, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, EARSHOT_E2E_SKIP_BUILD: '1' },
  });
  const code = await new Promise<number | null>((ok, fail) => {
    child.once('error', fail);
    child.once('exit', (status) => ok(status));
  });
  if (code !== 0) throw new Error(`${relative(process.cwd(), file)} inside netns.sh exited with ${code} (its report is above)`);
}

/** A block of ports for one start: SIP, ws, ESL, the peers (1001, 1002, 2002: +10…+35), RTP (FreeSWITCH's, then the peers'). */
function portArgs(base: number): string[] {
  return [
    '--sip-port', String(base),
    '--ws-port', String(base + 1),
    '--no-wss',
    '--esl-port', String(base + 2),
    '--peer-port', String(base + 10),
    '--rtp-start', String(base + 100),
    '--rtp-end', String(base + 599),
    '--peer-rtp-start', String(base + 600),
  ];
}

/** A random 1,000-port block below Linux's ephemeral range, clear of every PBX's defaults; start.sh refuses a busy port, and then another block is tried. */
function randomBase(): number {
  return 22_000 + Math.floor(Math.random() * 10) * 1000;
}

async function startScript(root: string, args: string[]): Promise<FreeSwitchInfo> {
  const { stdout } = await run(join(FREESWITCH_PKG, 'start.sh'), [root, ...args], { maxBuffer: 1 << 20, timeout: 300_000 });
  const line = stdout.trim().split('\n').pop() ?? '';
  const info = JSON.parse(line) as FreeSwitchInfo;
  if (!info.ok) throw new Error(`start.sh did not report ok: ${line}`);
  return info;
}

/** The SIP messages of a stretch of freeswitch.log with siptrace on. */
export function parseSipTraces(log: string): SipTrace[] {
  const found: SipTrace[] = [];
  // "recv 455 bytes from ws/[127.0.0.1]:41438 at 04:55:00.714776:", a line of dashes, the message;
  // the message ends where the next log entry (a trace, a dated line, a channel's uuid) starts.
  const header = /^(send|recv) \d+ bytes (?:to|from) (\w+)\/\S+ at (\d+):(\d+):(\d+\.\d+):\n-{20,}\n/gm;
  const nextEntry = /\n(?=(?:send|recv) \d+ bytes |\d{4}-\d\d-\d\d |[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-)/g;
  let m: RegExpExecArray | null;
  while ((m = header.exec(log))) {
    const start = m.index + m[0].length;
    nextEntry.lastIndex = start;
    const end = nextEntry.exec(log)?.index ?? log.length;
    const text = log.slice(start, end).replace(/\s+$/, '\n');
    const atMs = (Number(m[3]) * 3600 + Number(m[4]) * 60 + Number(m[5])) * 1000;
    found.push({ direction: m[1] as 'send' | 'recv', transport: m[2]!.toLowerCase(), firstLine: text.split('\n')[0]?.trim() ?? '', atMs, text });
  }
  return found;
}

/** Starts a fresh FreeSWITCH with its agents (1001, 1002) and UDP supervisor (2002), SIP traces on. */
export async function startFreeSwitch(tag: string): Promise<FreeSwitch> {
  if (!existsSync(join(FREESWITCH_PKG, 'start.sh'))) {
    throw new Error(`No FreeSWITCH package at ${FREESWITCH_PKG}: the tests expect ../shared/pbx/freeswitch beside the repository.`);
  }
  if (!loopbackOnly()) throw new Error('The FreeSWITCH tests run inside netns.sh (only loopback): see runInLoopbackNamespace.');
  const root = mkdtempSync(join(tmpdir(), `earshot-freeswitch-${tag}-`));
  let info: FreeSwitchInfo | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < 4 && !info; attempt++) {
    try {
      info = await startScript(root, portArgs(randomBase()));
    } catch (error) {
      lastError = error;
      const text = String((error as { stderr?: string }).stderr ?? error);
      if (/missing Debian packages|does not run|still running/.test(text)) break;
    }
  }
  if (!info) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`FreeSWITCH did not start: ${String((lastError as { stderr?: string })?.stderr ?? lastError)}`);
  }
  const log = join(info.logs, 'freeswitch.log');
  const cli = async (command: string) => (await run(join(FREESWITCH_PKG, 'cli.sh'), [root, command], { timeout: 30_000 })).stdout;
  await cli('sofia global siptrace on');
  const pbx: FreeSwitch = {
    info,
    root,
    async customerCall(agent, seconds) {
      const { stdout } = await run(join(FREESWITCH_PKG, 'call.sh'), [root, agent, String(seconds)], { timeout: 60_000 });
      return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as FreeSwitchCustomerCall;
    },
    cli,
    async hangupAll() {
      await cli('hupall normal_clearing');
    },
    async channels() {
      const out = (await cli('show channels as json')).trim();
      const parsed = JSON.parse(out || '{}') as { rows?: FreeSwitchChannel[] };
      return parsed.rows ?? [];
    },
    logMark() {
      return existsSync(log) ? statSync(log).size : 0;
    },
    logSince(mark) {
      return existsSync(log) ? readFileSync(log).subarray(mark).toString('utf8') : '';
    },
    sipTraces(mark) {
      return parseSipTraces(pbx.logSince(mark));
    },
    async stop() {
      try {
        if (existsSync(join(root, 'pids'))) await run(join(FREESWITCH_PKG, 'stop.sh'), [root], { timeout: 60_000 });
      } finally {
        if (process.env.EARSHOT_KEEP_FREESWITCH !== '1') rmSync(root, { recursive: true, force: true });
      }
    },
  };
  return pbx;
}

/** Earshot's settings for this FreeSWITCH, signed in as the WebRTC supervisor 2001, with the `*33<ext>` profile as built in. */
export function freeSwitchSettings(info: FreeSwitchInfo, portal: { origin: string; generic: object }) {
  const sup = info.supervisors.find((s) => s.webrtc);
  if (!sup) throw new Error('This FreeSWITCH has no WebRTC supervisor.');
  return {
    pbx: { wsUrl: info.ws_url, domain: info.sip_domain, username: sup.user, password: sup.password, displayName: 'Sam Supervisor' },
    portal: { origin: portal.origin, adapter: 'generic', generic: portal.generic },
    profile: { id: 'freeswitch-eavesdrop' },
  };
}
