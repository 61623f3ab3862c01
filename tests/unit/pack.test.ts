// scripts/pack.ts's pure parts: the id Chrome derives from a key, the portal
// pattern, the update manifest. (The packing itself runs in real Chromium in
// tests/e2e/self-hosted-chromium.e2e.ts.)
import { describe, expect, it } from 'vitest';
import { extensionIdOfPublicKey, portalPattern, updatesXml } from '../../scripts/pack';
import { CHROME_DEV_ID, CHROME_DEV_KEY } from '../../scripts/extension-ids';

describe('npm run pack', () => {
  it('derives the id Chrome gives the dev key (the fixed id of unpacked builds)', () => {
    expect(extensionIdOfPublicKey(Buffer.from(CHROME_DEV_KEY, 'base64'))).toBe(CHROME_DEV_ID);
  });

  it('makes the portal origin a host pattern, and refuses what is not an origin, saying why', () => {
    expect(portalPattern('https://portal.example.com')).toBe('https://portal.example.com/*');
    expect(portalPattern('http://127.0.0.1:8080')).toBe('http://127.0.0.1/*');
    expect(() => portalPattern('portal.example.com')).toThrow(/not a URL/);
    expect(() => portalPattern('ftp://portal.example.com')).toThrow(/only http\(s\)/);
    expect(() => portalPattern('https://portal.example.com/agents')).toThrow(/origin only/);
  });

  it('writes a gupdate manifest naming the id, version and package, escaped', () => {
    const xml = updatesXml('abcdefghijklmnopabcdefghijklmnop', '1.2.3', "https://intra.example.com/e/earshot-1.2.3.crx?a=1&b=\"2\"");
    expect(xml).toContain('<app appid="abcdefghijklmnopabcdefghijklmnop">');
    expect(xml).toContain('codebase="https://intra.example.com/e/earshot-1.2.3.crx?a=1&amp;b=&quot;2&quot;"');
    expect(xml).toContain('version="1.2.3"');
    expect(new DOMParser().parseFromString(xml, 'application/xml').getElementsByTagName('parsererror')).toHaveLength(0);
  });
});
