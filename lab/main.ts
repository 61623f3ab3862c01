// `npm run lab`: the PBX simulator and demo portal on 127.0.0.1.
import { parseArgs } from 'node:util';
import { startLab } from './index';
import { DIALECT_IDS, type DialectId } from './pbx/dialects';

const { values } = parseArgs({
  options: {
    'sip-port': { type: 'string' },
    'http-port': { type: 'string' },
    dialect: { type: 'string' },
    pin: { type: 'string' },
    'remote-identity': { type: 'string' },
    'session-end': { type: 'string' },
    'media-timeout': { type: 'string' },
    help: { type: 'boolean' },
  },
});

if (values.help) {
  console.log(`npm run lab -- [--dialect ${DIALECT_IDS.join('|')}] [--pin 1234]
  [--sip-port 5066] [--http-port 8088] [--remote-identity early|always] [--session-end with-agent|persist]
  [--media-timeout <seconds>: end a monitor session whose caller sends no RTP that long, like Asterisk's rtp_timeout]
Environment: LAB_SIP_PORT, LAB_HTTP_PORT.`);
  process.exit(0);
}

const port = (flag: string | undefined, env: string | undefined, fallback: number) => Number(flag ?? env ?? fallback);
const lab = await startLab({
  sipPort: port(values['sip-port'], process.env.LAB_SIP_PORT, 5066),
  httpPort: port(values['http-port'], process.env.LAB_HTTP_PORT, 8088),
  dialect: (values.dialect ?? 'asterisk-chanspy') as DialectId,
  ...(values.pin ? { pin: values.pin } : {}),
  ...(values['remote-identity'] === 'always' ? { remoteIdentity: 'always' as const } : {}),
  ...(Number(values['media-timeout']) > 0 ? { mediaTimeoutMs: Number(values['media-timeout']) * 1000 } : {}),
  ...(values['session-end'] === 'persist' || values['session-end'] === 'with-agent' ? { sessionEnd: values['session-end'] } : {}),
}).catch((error: unknown) => {
  console.error(`lab: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

console.log(`lab: ready. Portal ${lab.httpUrl}/ · SIP ${lab.wsUrl} (domain lab.earshot.test) · Ctrl-C to stop`);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`lab: ${signal}, stopping`);
    void lab.close().then(() => process.exit(0));
  });
}
