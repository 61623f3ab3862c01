import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MicrophoneGrant } from '@/components/microphone/microphone-grant';
import { MicrophoneDeniedError } from '@/lib/phone/errors';
import type { MicrophoneState } from '@/lib/state/snapshot';

afterEach(cleanup);

/** A fake microphone (unit test only). */
function fakeProvider(initial: MicrophoneState, outcome: 'grant' | 'deny') {
  let state = initial;
  const track = { stop: vi.fn() } as unknown as MediaStreamTrack;
  return {
    track,
    query: vi.fn(() => Promise.resolve(state)),
    acquire: vi.fn(() => {
      if (outcome === 'deny') {
        state = 'denied';
        return Promise.reject(new MicrophoneDeniedError('allow it in the site settings'));
      }
      state = 'granted';
      return Promise.resolve(track);
    }),
    release: vi.fn((t: MediaStreamTrack) => t.stop()),
  };
}

describe('microphone grant page', () => {
  it('asks once, stops the track at once, and says it is allowed', async () => {
    const provider = fakeProvider('unknown', 'grant');
    render(<MicrophoneGrant provider={provider} />);
    fireEvent.click(screen.getByRole('button', { name: 'Allow the microphone' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/allowed for Earshot/));
    expect(provider.release).toHaveBeenCalledWith(provider.track);
    expect((screen.getByRole('button') as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows a denied microphone with what to do', async () => {
    const provider = fakeProvider('unknown', 'deny');
    render(<MicrophoneGrant provider={provider} />);
    fireEvent.click(screen.getByRole('button', { name: 'Allow the microphone' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/microphone is blocked for Earshot/));
    expect(screen.getByRole('status').textContent).toMatch(/Allow it in the browser’s site settings/);
  });
});
