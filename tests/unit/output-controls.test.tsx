import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutputControls, type AudioOutputControls } from '@/components/monitor/output-controls';
import type { AudioOutputChoice, AudioOutputDevices } from '@/lib/state/audio-output';

afterEach(cleanup);

function controls(saved: AudioOutputChoice, devices: AudioOutputDevices, apply: (c: AudioOutputChoice) => Promise<void> = () => Promise.resolve()) {
  const applied: AudioOutputChoice[] = [];
  const fake: AudioOutputControls = {
    read: () => Promise.resolve(saved),
    apply: vi.fn((choice: AudioOutputChoice) => {
      applied.push(choice);
      return apply(choice);
    }),
    devices: vi.fn(() => Promise.resolve(devices)),
  };
  return { fake, applied };
}

const HEADSET = { deviceId: 'headset-1', label: 'USB Headset' };

describe('the output controls', () => {
  it('start from the saved choice and apply the volume as the slider moves', async () => {
    const { fake, applied } = controls({ volume: 0.8, deviceId: 'headset-1' }, { ok: true, devices: [HEADSET] });
    render(<OutputControls controls={fake} />);
    const slider = screen.getByLabelText<HTMLInputElement>('Volume');
    await waitFor(() => expect(slider.value).toBe('80'));
    expect(screen.getByText('80 %')).toBeTruthy();
    fireEvent.input(slider, { target: { value: '35' } });
    expect(applied).toEqual([{ volume: 0.35, deviceId: 'headset-1' }]);
    expect(screen.getByText('35 %')).toBeTruthy();
  });

  it('offer the listed devices and the system default, keeping the volume', async () => {
    const { fake, applied } = controls({ volume: 0.5 }, { ok: true, devices: [HEADSET, { deviceId: 'hdmi', label: 'HDMI' }] });
    render(<OutputControls controls={fake} />);
    const select = await screen.findByLabelText<HTMLSelectElement>('Device');
    await waitFor(() => expect(select.options.length).toBe(3));
    expect([...select.options].map((o) => o.textContent)).toEqual(['System default', 'USB Headset', 'HDMI']);
    fireEvent.change(select, { target: { value: 'hdmi' } });
    fireEvent.change(select, { target: { value: '' } });
    expect(applied).toEqual([{ volume: 0.5, deviceId: 'hdmi' }, { volume: 0.5 }]);
  });

  it('say why no device can be chosen where the browser lists none (Firefox, or Chrome before the microphone)', async () => {
    const { fake } = controls({ volume: 1 }, { ok: false, reason: 'Firefox plays monitored calls on the system’s default output.' });
    render(<OutputControls controls={fake} />);
    expect(await screen.findByText(/system’s default output/)).toBeTruthy();
    expect(screen.queryByLabelText('Device')).toBeNull();
    expect(screen.getByLabelText('Volume')).toBeTruthy();
  });

  it('keep showing a saved device that is not connected now', async () => {
    const { fake } = controls({ volume: 1, deviceId: 'gone' }, { ok: true, devices: [HEADSET] });
    render(<OutputControls controls={fake} />);
    const select = await screen.findByLabelText<HTMLSelectElement>('Device');
    await waitFor(() => expect(select.value).toBe('gone'));
    expect(select.selectedOptions[0]?.textContent).toBe('Saved device (not connected)');
  });

  it('show a change that could not be kept, with its cause', async () => {
    const { fake } = controls({ volume: 1 }, { ok: true, devices: [] }, () => Promise.reject(new Error('QUOTA_BYTES quota exceeded')));
    render(<OutputControls controls={fake} />);
    fireEvent.input(screen.getByLabelText('Volume'), { target: { value: '50' } });
    expect((await screen.findByRole('alert')).textContent).toBe('The output was not changed: QUOTA_BYTES quota exceeded');
  });

  it('list the devices again when the select is focused (a headset plugged in meanwhile)', async () => {
    const { fake } = controls({ volume: 1 }, { ok: true, devices: [HEADSET] });
    render(<OutputControls controls={fake} />);
    const select = await screen.findByLabelText('Device');
    fireEvent.focus(select);
    expect(fake.devices).toHaveBeenCalledTimes(2);
  });
});
