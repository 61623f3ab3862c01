import { createHash, randomBytes } from 'node:crypto';

/** How long a nonce is good for; an older one gets 401 with stale=true (RFC 2617 §3.2.1). */
const NONCE_TTL_MS = 5 * 60_000;

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** Parses `Digest a="b", c=d` into a record (quoted strings unquoted). */
export function parseDigest(header: string): Record<string, string> | undefined {
  const match = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!match?.[1]) return undefined;
  const out: Record<string, string> = {};
  const re = /([a-zA-Z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g;
  for (const m of match[1].matchAll(re)) out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  return out;
}

export type DigestVerdict = 'ok' | 'missing' | 'stale' | 'bad';

/**
 * Digest authentication (RFC 2617 with qop=auth, as sip.js and Asterisk use
 * it): nonces are ours, time-stamped and HMAC-free random (kept in memory).
 */
export class DigestAuth {
  private readonly nonces = new Map<string, number>();

  constructor(readonly realm: string) {}

  challenge(stale = false): string {
    const nonce = randomBytes(16).toString('hex');
    this.nonces.set(nonce, Date.now());
    if (this.nonces.size > 10_000) this.nonces.delete(this.nonces.keys().next().value as string);
    return `Digest realm="${this.realm}", nonce="${nonce}", qop="auth", algorithm=MD5${stale ? ', stale=true' : ''}`;
  }

  /** Checks an Authorization/Proxy-Authorization header against the user's password. */
  verify(header: string | undefined, method: string, lookup: (user: string) => string | undefined): { verdict: DigestVerdict; user?: string } {
    if (!header) return { verdict: 'missing' };
    const p = parseDigest(header);
    if (!p?.username || !p.nonce || !p.response || !p.uri) return { verdict: 'bad' };
    const issued = this.nonces.get(p.nonce);
    if (issued === undefined || Date.now() - issued > NONCE_TTL_MS) return { verdict: 'stale', user: p.username };
    const password = lookup(p.username);
    if (password === undefined || p.realm !== this.realm) return { verdict: 'bad', user: p.username };
    const ha1 = md5(`${p.username}:${this.realm}:${password}`);
    const ha2 = md5(`${method}:${p.uri}`);
    const expected = p.qop ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : md5(`${ha1}:${p.nonce}:${ha2}`);
    return { verdict: expected === p.response ? 'ok' : 'bad', user: p.username };
  }
}
