/**
 * SDP rewriting for a lab that lives on 127.0.0.1.
 *
 * Measured: wrtc (libwebrtc M106) gathers host candidates on every interface,
 * loopback included (127.0.0.1, ::1, plus eth0 and IPv6), and puts the first
 * non-loopback address in `c=`/`m=`. The lab promises "reachable on
 * 127.0.0.1 only", so by default the answer/offer keeps only the IPv4 loopback
 * candidates and points c=/m= at the UDP one. Browsers reach it without any
 * loopback flag: they send their checks from their own host sockets to
 * 127.0.0.1 and the lab learns them as peer-reflexive candidates (this also
 * covers Chrome's mDNS `.local` candidates, which the lab cannot resolve).
 */
export type CandidatePolicy = 'loopback' | 'all';

export function restrictCandidates(sdp: string, policy: CandidatePolicy = 'loopback'): string {
  if (policy === 'all') return sdp;
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const out: string[] = [];
  // Process per media section: find its kept UDP loopback candidate port.
  let section: string[] = [];
  const flush = (): void => {
    if (section.length === 0) return;
    const isMedia = section[0]!.startsWith('m=');
    if (!isMedia) {
      out.push(...section);
      section = [];
      return;
    }
    const kept = section.filter((l) => !l.startsWith('a=candidate:') || isLoopbackV4(l));
    const udp = kept.find((l) => l.startsWith('a=candidate:') && / udp /i.test(l));
    const port = udp ? candidatePort(udp) : undefined;
    for (const l of kept) {
      if (port !== undefined && l.startsWith('m=')) out.push(l.replace(/^(m=\S+ )\d+/, `$1${port}`));
      else if (port !== undefined && l.startsWith('c=IN IP4 ')) out.push('c=IN IP4 127.0.0.1');
      else out.push(l);
    }
    section = [];
  };
  for (const l of lines) {
    if (l.startsWith('m=')) flush();
    section.push(l);
  }
  flush();
  return out.join(eol);
}

function isLoopbackV4(candidateLine: string): boolean {
  // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ ...
  return candidateLine.split(' ')[4] === '127.0.0.1';
}

function candidatePort(candidateLine: string): number | undefined {
  const p = Number(candidateLine.split(' ')[5]);
  return Number.isFinite(p) ? p : undefined;
}

/** Payload types and clock rates of telephone-event in an SDP (for checks and logs). */
export function telephoneEvents(sdp: string): { pt: number; rate: number }[] {
  const out: { pt: number; rate: number }[] = [];
  for (const m of sdp.matchAll(/^a=rtpmap:(\d+) telephone-event\/(\d+)/gim)) out.push({ pt: Number(m[1]), rate: Number(m[2]) });
  return out;
}
