// lib/phone/codec-preference on FAKE SDP: offers written here by hand in the
// shape Chromium and Firefox produce (no browser involved). The e2e against the
// real FreeSWITCH checks the same on the wire (tests/e2e/freeswitch-*.e2e.ts).
import { describe, expect, it } from 'vitest';
import { keepCodecs, preferCodecs } from '@/lib/phone/codec-preference';
import { FAKE_BROWSER_OFFER } from './phone-fakes';

/** FAKE Firefox-shaped offer: LF-free CRLF lines, opus 109, telephone-event 101 at 8 kHz only, an extra video section. */
const FAKE_FIREFOX_OFFER = [
  'v=0', 'o=mozilla...THIS_IS_SDPARTA-128 1 0 IN IP4 0.0.0.0', 's=-', 't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8 101', 'c=IN IP4 0.0.0.0', 'a=sendrecv',
  'a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1', 'a=fmtp:101 0-15',
  'a=rtpmap:109 opus/48000/2', 'a=rtpmap:9 G722/8000/1', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000',
  'm=video 9 UDP/TLS/RTP/SAVPF 120', 'a=rtpmap:120 VP8/90000', 'a=rtcp-fb:120 nack', '',
].join('\r\n');

const mLine = (sdp: string, kind = 'audio') => sdp.split('\r\n').find((l) => l.startsWith(`m=${kind} `));

describe('keepCodecs (FAKE SDP)', () => {
  it('keeps PCMU then PCMA and the 8 kHz telephone-event of a Chromium-shaped offer, dropping Opus, G.722, CN and their lines', () => {
    const sdp = keepCodecs(FAKE_BROWSER_OFFER, ['PCMU', 'PCMA']);
    expect(mLine(sdp)).toBe('m=audio 9 UDP/TLS/RTP/SAVPF 0 8 126');
    expect(sdp).not.toMatch(/a=(rtpmap|fmtp|rtcp-fb):(111|9|13|110) /);
    for (const kept of ['a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:126 telephone-event/8000', 'a=ssrc:1 cname:fake', 'a=rtcp-mux', 'a=mid:0']) {
      expect(sdp).toContain(kept);
    }
    expect(sdp.endsWith('\r\n')).toBe(true);
  });

  it('orders as asked (PCMA first) and matches names case-insensitively', () => {
    expect(mLine(keepCodecs(FAKE_BROWSER_OFFER, ['pcma', 'pcmu']))).toBe('m=audio 9 UDP/TLS/RTP/SAVPF 8 0 126');
  });

  it('keeps the telephone-event of the kept rate only (Opus kept: the 48 kHz one)', () => {
    expect(mLine(keepCodecs(FAKE_BROWSER_OFFER, ['opus']))).toBe('m=audio 9 UDP/TLS/RTP/SAVPF 111 110');
  });

  it('leaves other media sections alone (a Firefox-shaped offer with video)', () => {
    const sdp = keepCodecs(FAKE_FIREFOX_OFFER, ['PCMU', 'PCMA']);
    expect(mLine(sdp)).toBe('m=audio 9 UDP/TLS/RTP/SAVPF 0 8 101');
    expect(sdp).toContain('a=fmtp:101 0-15');
    expect(sdp).not.toContain('a=fmtp:109');
    expect(mLine(sdp, 'video')).toBe('m=video 9 UDP/TLS/RTP/SAVPF 120');
    expect(sdp).toContain('a=rtcp-fb:120 nack');
  });

  it('never empties a section that has none of the codecs (a PBX answer in another codec): it stays as it is', () => {
    const answer = 'v=0\r\ns=-\r\nm=audio 4000 RTP/SAVPF 9\r\na=rtpmap:9 G722/8000\r\n';
    expect(keepCodecs(answer, ['PCMU', 'PCMA'])).toBe(answer);
  });

  it('keeps LF line endings when the SDP has them', () => {
    const lf = FAKE_BROWSER_OFFER.replaceAll('\r\n', '\n');
    expect(keepCodecs(lf, ['PCMU'])).toContain('\nm=audio 9 UDP/TLS/RTP/SAVPF 0 126\n');
  });
});

describe('preferCodecs: the sip.js modifier', () => {
  it('rewrites the description sip.js hands it, type kept', async () => {
    const out = await preferCodecs(['PCMU', 'PCMA'])({ type: 'offer', sdp: FAKE_BROWSER_OFFER });
    expect(out.type).toBe('offer');
    expect(mLine(out.sdp ?? '')).toBe('m=audio 9 UDP/TLS/RTP/SAVPF 0 8 126');
  });

  it('passes a description without SDP through', async () => {
    expect(await preferCodecs(['PCMU'])({ type: 'rollback' })).toEqual({ type: 'rollback' });
  });
});
