import { randomBytes } from 'node:crypto';
import { IncomingRequestMessage, IncomingResponseMessage, Parser, type Logger } from 'sip.js/lib/core/index.js';

export { IncomingRequestMessage, IncomingResponseMessage };

/** Largest SIP message the lab reads (RFC 7118 has no limit; real PBXs cap around 64 KiB). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const quietLogger = {
  error: () => undefined,
  warn: () => undefined,
  log: () => undefined,
  debug: () => undefined,
} as unknown as Logger;

export type ParseResult =
  | { ok: true; message: IncomingRequestMessage | IncomingResponseMessage }
  /** `message` when it parsed but breaks a rule: enough to address the error response. */
  | { ok: false; reason: string; status: number; message?: IncomingRequestMessage | IncomingResponseMessage };

/** Parses with sip.js's SIP grammar (not regexes), then checks what a request must carry (RFC 3261 §8.1.1). */
export function parseSip(data: string): ParseResult {
  const oversize = Buffer.byteLength(data) > MAX_MESSAGE_BYTES;
  let message: IncomingRequestMessage | IncomingResponseMessage | undefined;
  try {
    // An oversize message is only read far enough to answer it.
    message = Parser.parseMessage(oversize ? data.slice(0, data.search(/\r?\n\r?\n/) + 4) : data, quietLogger);
  } catch {
    message = undefined;
  }
  if (!message) return { ok: false, status: oversize ? 513 : 400, reason: oversize ? 'Message Too Large' : 'Bad Request (unparseable)' };
  if (oversize) return { ok: false, status: 513, reason: 'Message Too Large', message };
  const missing = ['Via', 'From', 'To', 'Call-ID', 'CSeq'].filter((h) => !message.hasHeader(h));
  if (missing.length > 0 || !message.callId || !message.cseq) {
    return { ok: false, status: 400, reason: `Bad Request (missing ${missing.join(', ') || 'CSeq'})`, message };
  }
  const declared = message.getHeader('content-length');
  if (declared !== undefined && Number(declared) !== Buffer.byteLength(message.body ?? '')) {
    return { ok: false, status: 400, reason: 'Bad Request (Content-Length mismatch)', message };
  }
  return { ok: true, message };
}

export const newTag = (): string => randomBytes(6).toString('hex');
export const newBranch = (): string => `z9hG4bK${randomBytes(8).toString('hex')}`;
export const newCallId = (): string => randomBytes(12).toString('hex');

function withBody(lines: string[], body: string | undefined, contentType: string | undefined): string {
  if (body && contentType) lines.push(`Content-Type: ${contentType}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body ?? '')}`);
  return `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
}

export interface ResponseOptions {
  toTag?: string;
  headers?: string[];
  body?: string;
  contentType?: string;
}

/** A response to `req` (RFC 3261 §8.2.6): Via, From, Call-ID, CSeq copied; To gets our tag. */
export function buildResponse(req: IncomingRequestMessage, status: number, reason: string, options: ResponseOptions = {}): string {
  const lines = [`SIP/2.0 ${status} ${reason}`];
  for (const via of req.getHeaders('via')) lines.push(`Via: ${via}`);
  lines.push(`From: ${req.getHeader('from') ?? ''}`);
  const to = req.getHeader('to') ?? '';
  lines.push(`To: ${options.toTag && !req.toTag && status > 100 ? `${to};tag=${options.toTag}` : to}`);
  lines.push(`Call-ID: ${req.callId ?? ''}`, `CSeq: ${req.cseq ?? 0} ${req.method}`, 'Server: Earshot Lab');
  lines.push(...(options.headers ?? []));
  return withBody(lines, options.body, options.contentType);
}

export interface RequestOptions {
  method: string;
  ruri: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  branch?: string;
  headers?: string[];
  body?: string;
  contentType?: string;
}

/** A request the lab sends over a client's WebSocket (NOTIFY, BYE, INVITE). */
export function buildRequest(o: RequestOptions): string {
  const lines = [
    `${o.method} ${o.ruri} SIP/2.0`,
    `Via: SIP/2.0/WS lab.earshot.invalid;branch=${o.branch ?? newBranch()}`,
    'Max-Forwards: 70',
    `From: ${o.from}`,
    `To: ${o.to}`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} ${o.method}`,
    ...(o.headers ?? []),
  ];
  return withBody(lines, o.body, o.contentType);
}
