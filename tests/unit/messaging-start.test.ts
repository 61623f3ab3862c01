import { describe, expect, it, vi } from 'vitest';
import { messenger } from '@/lib/messaging/protocol';
import { commandSchema, contentStartPayloadSchema } from '@/lib/messaging/schemas';
import { requestStartFromClick } from '@/lib/messaging/senders-client';

describe('start from the content script', () => {
  it('carries the agent and no claim of a click: the background could not check one', () => {
    // The start command is the content script's start payload under its type.
    expect(commandSchema.safeParse({ type: 'start', agent: '1001', trusted: true }).success).toBe(false);
    expect(contentStartPayloadSchema.safeParse({ agent: '1001', name: 'Alice Agent' }).success).toBe(true);
    // Strict: a field vouching for the sender is refused, not taken on its word.
    expect(contentStartPayloadSchema.safeParse({ agent: '1001', trusted: true }).success).toBe(false);
    expect(contentStartPayloadSchema.safeParse({ agent: '1001@evil.example' }).success).toBe(false);
  });

  it('is sent only for a trusted click (the guard is the click handler on Earshot’s own icon)', async () => {
    const send = vi.spyOn(messenger, 'sendMessage').mockResolvedValue({ ok: true } as never);
    expect(await requestStartFromClick({ isTrusted: false }, '1001')).toMatchObject({ ok: false });
    expect(send).not.toHaveBeenCalled();
    expect(await requestStartFromClick({ isTrusted: true }, '1001', 'Alice Agent')).toEqual({ ok: true });
    expect(send).toHaveBeenCalledWith('command', { type: 'start', agent: '1001', name: 'Alice Agent' });
  });
});
