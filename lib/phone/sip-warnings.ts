/**
 * sip.js drops what it cannot use from the PBX's socket with a warning in its
 * own log (sip.js 0.21.2: api/user-agent.js onTransportMessage and
 * core/user-agent-core). These are the warnings that mean "the PBX (or
 * whatever answers on its socket) sent something malformed or stray": the
 * engine shows each one in the session log, so a supervisor or admin sees why
 * something they expected did not happen. Other sip.js warnings stay in the
 * SIP trace.
 */
const MALFORMED: readonly RegExp[] = [
  /^Failed to parse incoming message/,
  /^(Request|Response) missing mandatory header field/,
  /^More than one Via header field present in the response/,
  /^Via sent-by in the response does not match/,
  /^Message body length is lower than the value in Content-Length/,
  /^Discarding unmatched \d+ response/,
];

/** The reason to show when a sip.js warning reports dropped input from the PBX, else undefined. */
export function droppedSipInput(level: string, content: string): string | undefined {
  if (level !== 'warn') return undefined;
  const text = content.trim();
  if (!MALFORMED.some((pattern) => pattern.test(text))) return undefined;
  return text.replace(/\.\s*Dropping\.?$|[.,]?\s*dropping\.?$/i, '').replace(/\.$/, '');
}
