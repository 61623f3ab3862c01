import { afterEach, describe, expect, it, vi } from 'vitest';
import { ContentScriptContext } from 'wxt/utils/content-script-context';
import { extensionContextGone, shouldLeave, watchContentLifetime } from '@/lib/platform/content-lifetime';

/** The name WXT's context listens for (a private static in its types). */
const STARTED = (ContentScriptContext as unknown as { SCRIPT_STARTED_MESSAGE_TYPE: string }).SCRIPT_STARTED_MESSAGE_TYPE;

/** What a portal page's own script can dispatch: the event is on the document both worlds share. */
function pageForgesStart(): void {
  document.dispatchEvent(new CustomEvent(STARTED, { detail: { contentScriptName: 'portal', messageId: 'x' } }));
}

const contexts: ContentScriptContext[] = [];
afterEach(() => {
  for (const ctx of contexts.splice(0)) ctx.abort();
});

describe('the portal content script lifetime', () => {
  it("WXT's own context takes a page's forged start event for a newer copy (why its invalidation is not trusted)", () => {
    const ctx = new ContentScriptContext('portal');
    contexts.push(ctx);
    const invalidated = vi.fn();
    ctx.onInvalidated(invalidated);
    pageForgesStart();
    expect(invalidated).toHaveBeenCalledTimes(1);
  });

  it("stays on a page's forged event while the extension lives, even after WXT's context gave up", () => {
    const ctx = new ContentScriptContext('portal');
    contexts.push(ctx);
    const onLeave = vi.fn();
    const lifetime = watchContentLifetime({ doc: document, startedEventName: STARTED, isAlive: () => true, isSuperseded: () => false, onLeave });
    ctx.onInvalidated(() => lifetime.check());
    pageForgesStart();
    pageForgesStart();
    expect(ctx.isValid).toBe(false);
    expect(onLeave).not.toHaveBeenCalled();
  });

  it('leaves once when the extension context is gone (orphaned by an update), on the next event or check', () => {
    let alive = true;
    const onLeave = vi.fn();
    const lifetime = watchContentLifetime({ doc: document, startedEventName: STARTED, isAlive: () => alive, isSuperseded: () => false, onLeave });
    expect(lifetime.check()).toBe(false);
    alive = false;
    pageForgesStart();
    expect(onLeave).toHaveBeenCalledTimes(1);
    expect(lifetime.check()).toBe(true);
    pageForgesStart();
    expect(onLeave).toHaveBeenCalledTimes(1);
  });

  it('hands over to a newer copy of the script in the same world (settings changed, worker restarted)', () => {
    let copies = 1;
    const onLeave = vi.fn();
    watchContentLifetime({ doc: document, startedEventName: STARTED, isAlive: () => true, isSuperseded: () => copies > 1, onLeave });
    pageForgesStart();
    expect(onLeave).not.toHaveBeenCalled();
    // A real copy counts itself when evaluated, then WXT announces it: the page cannot do the first part.
    copies = 2;
    pageForgesStart();
    expect(onLeave).toHaveBeenCalledTimes(1);
  });

  it('decides on the extension context and the copy count alone', () => {
    expect(shouldLeave({ alive: true, superseded: false })).toBe(false);
    expect(shouldLeave({ alive: false, superseded: false })).toBe(true);
    expect(shouldLeave({ alive: true, superseded: true })).toBe(true);
    expect(extensionContextGone(() => ({ id: 'lfflkhoalddonjjnoilhplmibgemjeal' }))).toBe(false);
    expect(extensionContextGone(() => ({ id: undefined }))).toBe(true);
    expect(extensionContextGone(() => undefined)).toBe(true);
    expect(
      extensionContextGone(() => {
        throw new Error('Extension context invalidated.');
      }),
    ).toBe(true);
  });
});

describe('a dropped port to the background', () => {
  it('looks again a moment later: Chrome clears runtime.id just after it drops the port of a reloaded extension', () => {
    vi.useFakeTimers();
    try {
      let id: string | undefined = 'lfflkhoalddonjjnoilhplmibgemjeal';
      const onLeave = vi.fn();
      const lifetime = watchContentLifetime({ doc: new EventTarget() as Document, startedEventName: STARTED, isAlive: () => !extensionContextGone(() => ({ id })), isSuperseded: () => false, onLeave });
      expect(lifetime.portDropped()).toBe(false);
      id = undefined;
      vi.advanceTimersByTime(200);
      expect(onLeave).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(5000);
      expect(onLeave).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('changes nothing when only the worker stopped (the extension lives, the client reconnects)', () => {
    vi.useFakeTimers();
    try {
      const onLeave = vi.fn();
      const lifetime = watchContentLifetime({ doc: new EventTarget() as Document, startedEventName: STARTED, isAlive: () => true, isSuperseded: () => false, onLeave });
      lifetime.portDropped();
      vi.advanceTimersByTime(5000);
      expect(onLeave).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("the lifetime's own context (what the UI, its timers and listeners hang on)", () => {
  it("outlives a page's forged start event that invalidates WXT's context, and ends when the lifetime leaves", () => {
    vi.useFakeTimers();
    try {
      const wxt = new ContentScriptContext('portal');
      contexts.push(wxt);
      let alive = true;
      const { ctx, check } = watchContentLifetime({ doc: document, startedEventName: STARTED, isAlive: () => alive, isSuperseded: () => false });
      wxt.onInvalidated(() => check());
      const ended = vi.fn();
      const fired = vi.fn();
      const heard = vi.fn();
      ctx.onInvalidated(ended);
      ctx.setTimeout(fired, 100);
      ctx.addEventListener(document, 'click', heard);
      pageForgesStart();
      expect(wxt.isValid).toBe(false);
      expect(ctx.isValid).toBe(true);
      vi.advanceTimersByTime(100);
      expect(fired).toHaveBeenCalledTimes(1);
      document.dispatchEvent(new Event('click'));
      expect(heard).toHaveBeenCalledTimes(1);

      ctx.clearTimeout(ctx.setTimeout(fired, 50));
      vi.advanceTimersByTime(100);
      expect(fired).toHaveBeenCalledTimes(1);

      ctx.setTimeout(fired, 100);
      alive = false;
      expect(check()).toBe(true);
      expect(ended).toHaveBeenCalledTimes(1);
      expect(ctx.signal.aborted).toBe(true);
      vi.advanceTimersByTime(100);
      document.dispatchEvent(new Event('click'));
      expect(fired).toHaveBeenCalledTimes(1);
      expect(heard).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('announces nothing on the shared document (a second copy of the script would otherwise stop the first)', () => {
    const announced = vi.fn();
    document.addEventListener(STARTED, announced);
    try {
      watchContentLifetime({ doc: document, startedEventName: STARTED, isAlive: () => true, isSuperseded: () => false });
      expect(announced).not.toHaveBeenCalled();
    } finally {
      document.removeEventListener(STARTED, announced);
    }
  });
});
