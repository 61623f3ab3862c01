import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reportAgentsPayloadSchema } from '@/lib/messaging/schemas';
import { canWhisper } from '@/lib/monitor/rules';
import { earshotLabAdapter } from '@/lib/portals/earshot-lab';
import { IconManager } from '@/lib/portals/icons';
import { classifyParty, cleanParty, remoteFromPortal, type OnNetOptions } from '@/lib/portals/on-net';
import { compileAdapter } from '@/lib/portals/scan';

const pattern: OnNetOptions = { onNetPattern: '[0-9]{2,6}', domain: 'acme.example.com' };
const netsapiens: OnNetOptions = { ...pattern, rule: 'netsapiens' };

describe('classifyParty: the other party from the portal, on-net or off-net', () => {
  it.each([
    // [party, options, verdict]
    ['1004', pattern, 'on-net'],
    ['5550101', pattern, 'off-net'],
    ['+15550199', pattern, 'off-net'],
    ['+1 (555) 010-0199', pattern, 'off-net'], // written for people: the same number
    ['sip:1004@acme.example.com', pattern, 'on-net'],
    ['sip:1004@ACME.example.com', pattern, 'on-net'],
    ['sip:1004@other.example', pattern, 'off-net'], // another PBX's 1004 is not ours
    ['1004@acme.example.com', pattern, 'on-net'],
    ['tel:+15550199', pattern, 'off-net'],
    ['*97', pattern, 'off-net'],
    ['1004', { onNetPattern: '[' }, 'unknown'], // a pattern that does not compile decides nothing
    // NetSapiens' own rule: cleaned of its domain, shorter than 7 and no `*`
    ['123456', netsapiens, 'on-net'],
    ['1234567', netsapiens, 'off-net'],
    ['*1234', netsapiens, 'off-net'],
    ['sip:1004@acme.example.com', netsapiens, 'on-net'],
    ['sip:alice@acme.example.com', netsapiens, 'on-net'], // short user names are extensions there too
    ['sip:5550199@acme.example.com', netsapiens, 'off-net'],
    // unknown: nothing, or nothing Earshot takes from a page
    [undefined, pattern, 'unknown'],
    ['', pattern, 'unknown'],
    ['Customer 5550101', pattern, 'unknown'],
    ['<script>', pattern, 'unknown'],
    ['javascript:alert(1)', pattern, 'unknown'],
    ['1004;user=phone', pattern, 'unknown'],
    ['sip:@acme.example.com', pattern, 'unknown'],
    ['9'.repeat(65), pattern, 'unknown'],
  ] as const)('%j (%o) → %s', (party, options, verdict) => {
    expect(classifyParty(party, options)).toBe(verdict);
  });

  it('turns the portal party into the remote identity the rules read; unknown still denies Whisper by default', () => {
    expect(remoteFromPortal('5550101', pattern)).toEqual({ uri: '5550101', onNet: false });
    expect(remoteFromPortal('+1 555 0199', pattern)).toEqual({ uri: '+15550199', onNet: false });
    expect(remoteFromPortal('1004', pattern)).toEqual({ uri: '1004', onNet: true });
    expect(remoteFromPortal('Customer', { onNetPattern: '[' })).toBeUndefined();
    const call = (remote: ReturnType<typeof remoteFromPortal>) => ({ extension: '1001', dialog: 'confirmed' as const, ...(remote ? { remote } : {}) });
    expect(canWhisper(call(remoteFromPortal('5550101', pattern)), 'deny').allowed).toBe(true);
    expect(canWhisper(call(remoteFromPortal('1004', pattern)), 'deny').allowed).toBe(false);
    expect(canWhisper(call(remoteFromPortal(undefined, pattern)), 'deny').allowed).toBe(false);
  });

  it('splits what it accepts into user and host', () => {
    expect(cleanParty(' sips:1004@Acme.Example.com ')).toEqual({ text: 'sips:1004@Acme.Example.com', user: '1004', host: 'acme.example.com' });
    expect(cleanParty('5550101')).toEqual({ text: '5550101', user: '5550101' });
  });
});

describe('the agents shown carry the portal’s other party to the background', () => {
  it('reports it with each visible agent, in a payload the report-agents schema accepts', () => {
    const html = readFileSync('tests/fixtures/portals/earshot-lab/on-call.html', 'utf8');
    document.documentElement.innerHTML = new DOMParser().parseFromString(html, 'text/html').documentElement.innerHTML;
    const reported: { extension: string; name?: string; otherParty?: string }[][] = [];
    const manager = new IconManager({
      doc: document,
      compiled: compileAdapter(earshotLabAdapter),
      isOnCall: () => true,
      onActivate: () => undefined,
      onAgentsChanged: (agents) => reported.push(agents),
      lazy: false,
    });
    manager.flush();
    manager.destroy();
    expect(reported).toEqual([
      [
        { extension: '1001', name: 'Alice Agent', otherParty: '5550101' },
        { extension: '1006', name: 'Frank Agent', otherParty: '1007' },
        { extension: '1008', name: 'Hank Agent' },
      ],
    ]);
    expect(reportAgentsPayloadSchema.safeParse({ agents: reported[0] }).success).toBe(true);
    expect(reportAgentsPayloadSchema.safeParse({ agents: [{ extension: '1001', otherParty: '9'.repeat(65) }] }).success).toBe(false);
  });
});
