import { describe, expect, it } from 'vitest';
import { createModeQueue } from '@/lib/monitor/mode-queue';
import type { Mode } from '@/lib/monitor/modes';

/** A PBX stand-in whose switches finish only when the test says so. */
function controlledPbx() {
  const applied: string[] = [];
  const waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const apply = (from: Mode, to: Mode) =>
    new Promise<void>((resolve, reject) => {
      applied.push(`${from}→${to}`);
      waiting.push({ resolve, reject });
    });
  const settle = async (ok = true) => {
    const next = waiting.shift();
    if (!next) throw new Error('no switch is running');
    if (ok) next.resolve();
    else next.reject(new Error('PBX refused'));
    await new Promise((r) => setTimeout(r, 0));
  };
  return { applied, apply, settle, running: () => waiting.length };
}

describe('mode queue', () => {
  it('applies one switch and reports it', async () => {
    const pbx = controlledPbx();
    let changes = 0;
    const queue = createModeQueue({ initial: 'listen', apply: pbx.apply, onChange: () => changes++ });
    queue.request('whisper');
    expect(queue.pending).toBe('whisper');
    await pbx.settle();
    await queue.idle();
    expect(pbx.applied).toEqual(['listen→whisper']);
    expect(queue.current).toBe('whisper');
    expect(queue.pending).toBeUndefined();
    expect(changes).toBeGreaterThan(0);
  });

  it('coalesces fast clicks: the PBX ends in the last mode asked, with no switch in between', async () => {
    const pbx = controlledPbx();
    const queue = createModeQueue({ initial: 'listen', apply: pbx.apply, onChange: () => undefined });
    queue.request('whisper');
    queue.request('barge');
    queue.request('listen');
    queue.request('barge');
    expect(queue.pending).toBe('barge');
    await pbx.settle();
    await pbx.settle();
    await queue.idle();
    expect(pbx.applied).toEqual(['listen→whisper', 'whisper→barge']);
    expect(queue.current).toBe('barge');
  });

  it('clicking back to the running switch origin returns there after it', async () => {
    const pbx = controlledPbx();
    const queue = createModeQueue({ initial: 'listen', apply: pbx.apply, onChange: () => undefined });
    queue.request('barge');
    queue.request('listen');
    await pbx.settle();
    await pbx.settle();
    await queue.idle();
    expect(pbx.applied).toEqual(['listen→barge', 'barge→listen']);
    expect(queue.current).toBe('listen');
  });

  it('asking for the current mode does nothing', async () => {
    const pbx = controlledPbx();
    const queue = createModeQueue({ initial: 'listen', apply: pbx.apply, onChange: () => undefined });
    queue.request('listen');
    await queue.idle();
    expect(pbx.applied).toEqual([]);
    expect(queue.pending).toBeUndefined();
  });

  it('a failed switch leaves the mode where it was', async () => {
    const pbx = controlledPbx();
    const queue = createModeQueue({ initial: 'listen', apply: pbx.apply, onChange: () => undefined });
    queue.request('whisper');
    await pbx.settle(false);
    await queue.idle();
    expect(queue.current).toBe('listen');
    expect(queue.pending).toBeUndefined();
  });

  it('close drops the switch waiting behind the running one', async () => {
    const pbx = controlledPbx();
    const queue = createModeQueue({ initial: 'listen', apply: pbx.apply, onChange: () => undefined });
    queue.request('whisper');
    queue.request('barge');
    queue.close();
    await pbx.settle();
    await queue.idle();
    expect(pbx.applied).toEqual(['listen→whisper']);
    queue.request('listen');
    expect(pbx.running()).toBe(0);
  });
});
