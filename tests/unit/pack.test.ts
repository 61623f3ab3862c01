// scripts/pack.ts's pure parts: the id Chrome derives from a key, the portal
// pattern, the update manifest. (The packing itself runs in real Chromium in
// tests/e2e/self-hosted-chromium.e2e.ts, and in Firefox ESR in self-hosted-firefox.e2e.ts.)
import { describe, expect, it } from 'vitest';
import { extensionIdOfPublicKey, portalPattern, updatesXml } from '../../scripts/pack';
import { orgGeckoId } from '../../scripts/pack-firefox';
import { CHROME_DEV_ID, CHROME_DEV_KEY, GECKO_ID } from '../../scripts/extension-ids';

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

  it('gives the Firefox package the organization gecko id: the one given, or earshot@<portal host>; never Earshot\'s own, never a malformed one', () => {
    expect(orgGeckoId(undefined, 'https://portal.example.com:8443')).toBe('earshot@portal.example.com');
    expect(orgGeckoId('earshot@example.org', 'https://portal.example.com')).toBe('earshot@example.org');
    expect(orgGeckoId('{0b7c3a1e-4c1e-4a7e-9a7e-0e5a27e5ea70}', undefined)).toBe('{0b7c3a1e-4c1e-4a7e-9a7e-0e5a27e5ea70}');
    expect(() => orgGeckoId(undefined, undefined)).toThrow(/needs --portal or --gecko-id/);
    expect(() => orgGeckoId(GECKO_ID, undefined)).toThrow(/Earshot's own listed add-on/);
    expect(() => orgGeckoId('earshot at example.org', undefined)).toThrow(/not a Firefox add-on id/);
    expect(() => orgGeckoId(`earshot@${'x'.repeat(80)}.org`, undefined)).toThrow(/not a Firefox add-on id/);
  });
});
