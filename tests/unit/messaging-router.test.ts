// The security boundary: who may send which command, decided from what the
// browser says about the sender (never from the message). FAKE handlers
// record what reaches them; no browser APIs.
import { describe, expect, it, vi } from 'vitest';
import { COMMAND_ROLES, type CommandType } from '@/lib/messaging/protocol';
import { createRouter, type Handlers } from '@/lib/messaging/router';
import { classifySender, type SenderContext, type SenderInfo } from '@/lib/messaging/senders';

const ID = 'lfflkhoalddonjjnoilhplmibgemjeal';
const BASE = `chrome-extension://${ID}/`;
const PORTAL = 'https://portal.example.com';

const ctx = (portalOrigins: readonly string[] | null = [PORTAL]): SenderContext => ({
  runtimeId: ID,
  extensionBaseUrl: BASE,
  portalOrigins,
  enginePagePath: '/offscreen.html',
});

const senders = {
  sidePanel: { id: ID, url: `${BASE}sidepanel.html` },
  sidePanelInTab: { id: ID, url: `${BASE}sidepanel.html`, tab: { id: 4 } },
  options: { id: ID, url: `${BASE}options.html`, tab: { id: 5 } },
  microphonePage: { id: ID, url: `${BASE}microphone.html`, tab: { id: 6 } },
  offscreen: { id: ID, url: `${BASE}offscreen.html` },
  worker: { id: ID, url: `${BASE}background.js` },
  content: { id: ID, url: `${PORTAL}/agents`, tab: { id: 7 }, frameId: 0 },
  contentElsewhere: { id: ID, url: 'https://evil.example/agents', tab: { id: 8 } },
  otherExtension: { id: 'otherextension', url: 'chrome-extension://otherextension/page.html' },
  webPage: { url: `${PORTAL}/agents`, tab: { id: 7 } },
} satisfies Record<string, SenderInfo>;

/** FAKE handlers (unit test only): each records its command and answers ok. */
function recording() {
  const seen: { type: CommandType; role: string; tabId?: number }[] = [];
  const answer = (command: { type: CommandType }, sender: { role: string; tabId?: number }) => {
    seen.push({ type: command.type, role: sender.role, ...(sender.tabId !== undefined ? { tabId: sender.tabId } : {}) });
    return { ok: true as const };
  };
  const handlers = Object.fromEntries(Object.keys(COMMAND_ROLES).map((type) => [type, answer])) as unknown as Handlers;
  return { handlers, seen };
}

function router(portalOrigins: readonly string[] | null = [PORTAL], ready: () => Promise<void> = () => Promise.resolve()) {
  const { handlers, seen } = recording();
  const refused: string[] = [];
  const r = createRouter(handlers, { senderContext: () => ctx(portalOrigins), ready, onRefused: (_what, reason) => refused.push(reason) });
  return { handle: r.handle, seen, refused };
}

describe('sender classification (one classifier, from what the browser says)', () => {
  it('names each context by its role', () => {
    const role = (s: SenderInfo) => {
      const v = classifySender(s, ctx());
      return v.ok ? v.role : 'refused';
    };
    expect(role(senders.sidePanel)).toBe('sidepanel');
    expect(role(senders.sidePanelInTab)).toBe('sidepanel');
    expect(role(senders.options)).toBe('options');
    expect(role(senders.microphonePage)).toBe('page');
    expect(role(senders.offscreen)).toBe('engine');
    expect(role(senders.worker)).toBe('background');
    expect(role(senders.content)).toBe('content');
    expect(role(senders.contentElsewhere)).toBe('refused');
    expect(role(senders.otherExtension)).toBe('refused');
    expect(role(senders.webPage)).toBe('refused');
  });

  it('an offscreen.html shown in a tab is not the engine', () => {
    const v = classifySender({ ...senders.offscreen, tab: { id: 9 } }, ctx());
    expect(v).toMatchObject({ ok: true, role: 'page' });
  });
});

describe('routing: one command message, authorized by the sender’s role', () => {
  it('a content script cannot send a side-panel-only command', async () => {
    const r = router();
    for (const command of [{ type: 'monitor-extension', extension: '1003' }, { type: 'export-log' }]) {
      expect(await r.handle(command, senders.content)).toEqual({
        ok: false,
        reason: `${command.type} may not be sent from the portal page.`,
      });
    }
    expect(r.seen).toEqual([]);
  });

  it('the side panel and the options page may; the content script its own commands, with its tab', async () => {
    const r = router();
    await r.handle({ type: 'monitor-extension', extension: '1003' }, senders.sidePanel);
    await r.handle({ type: 'export-log' }, senders.options);
    await r.handle({ type: 'report-agents', agents: [{ extension: '1001' }] }, senders.content);
    await r.handle({ type: 'start', agent: '1001', name: 'Alice Agent' }, senders.content);
    expect(r.seen).toEqual([
      { type: 'monitor-extension', role: 'sidepanel' },
      { type: 'export-log', role: 'options', tabId: 5 },
      { type: 'report-agents', role: 'content', tabId: 7 },
      { type: 'start', role: 'content', tabId: 7 },
    ]);
  });

  it('the side panel cannot send the content script’s commands; the engine and other pages send none', async () => {
    const r = router();
    expect(await r.handle({ type: 'report-agents', agents: [] }, senders.sidePanel)).toMatchObject({ ok: false });
    expect(await r.handle({ type: 'hangup' }, senders.offscreen)).toEqual({ ok: false, reason: 'hangup may not be sent from the phone engine.' });
    expect(await r.handle({ type: 'hangup' }, senders.microphonePage)).toMatchObject({ ok: false });
    expect(r.seen).toEqual([]);
  });

  it('a message from a web page or another extension is refused before its payload is looked at', async () => {
    const r = router();
    expect(await r.handle({ type: 'hangup' }, senders.webPage)).toEqual({ ok: false, reason: 'Message from another extension or a web page.' });
    expect(await r.handle({ type: 'hangup' }, senders.otherExtension)).toEqual({ ok: false, reason: 'Message from another extension or a web page.' });
    expect(await r.handle({ type: 'hangup' }, senders.contentElsewhere)).toEqual({
      ok: false,
      reason: 'Content script at https://evil.example, not a configured portal.',
    });
    expect(r.seen).toEqual([]);
  });

  it('malformed commands are refused with a clear reason', async () => {
    const r = router();
    const bad = await r.handle({ type: 'start', agent: '1001@evil.example' }, senders.content);
    expect(bad).toMatchObject({ ok: false });
    expect((bad as { reason: string }).reason).toMatch(/^Invalid start: .*not an extension/s);
    // A field vouching for the click is not taken on its word: strict payloads.
    expect(await r.handle({ type: 'start', agent: '1001', trusted: true }, senders.content)).toMatchObject({ ok: false, reason: expect.stringMatching(/^Invalid start/) });
    expect(await r.handle({ type: 'reboot' }, senders.sidePanel)).toMatchObject({ ok: false, reason: expect.stringMatching(/^Invalid command/) });
    expect(await r.handle(undefined, senders.sidePanel)).toMatchObject({ ok: false, reason: expect.stringMatching(/^Invalid command/) });
    expect(r.seen).toEqual([]);
    expect(r.refused).toHaveLength(4);
  });

  it('open-panel runs inside the listener call, even before the portal origins are loaded', () => {
    let release: () => void = () => undefined;
    const r = router(null, () => new Promise<void>((resolve) => (release = resolve)));
    // Synchronous answer: Chrome's sidePanel.open() keeps the click's gesture only so long.
    expect(r.handle({ type: 'open-panel' }, senders.content)).toEqual({ ok: true });
    expect(r.seen).toEqual([{ type: 'open-panel', role: 'content', tabId: 7 }]);
    release();
  });

  it('other content-script commands wait for the portal origins, then are checked against them', async () => {
    let origins: readonly string[] | null = null;
    const { handlers, seen } = recording();
    const ready = vi.fn(async () => {
      origins = [PORTAL];
    });
    const r = createRouter(handlers, { senderContext: () => ctx(origins), ready });
    const answer = r.handle({ type: 'report-agents', agents: [] }, senders.content);
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toEqual({ ok: true });
    expect(ready).toHaveBeenCalledOnce();
    expect(seen).toEqual([{ type: 'report-agents', role: 'content', tabId: 7 }]);
  });
});
