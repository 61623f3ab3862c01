import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OptionsPage, type OptionsStore } from '@/components/options';
import type { PortalPermissions } from '@/lib/settings/origin';
import type { SaveResult, SettingsState } from '@/lib/settings/source';
import { applyUserPatch, mergeSettings, type UserPatch } from '@/lib/settings';
import { PORTAL_ADAPTER_IDS } from '@/lib/portals';

afterEach(cleanup);

// Fakes (unit tests only): an in-memory store running the real merge and patch
// logic, and permissions that record what is asked.
function fakeStore(managed: Record<string, unknown>, user: Record<string, unknown> = {}) {
  let stored = structuredClone(user);
  const read = (): SettingsState => ({ ...mergeSettings({ managed, user: stored }), user: stored });
  const save = vi.fn((patch: UserPatch): Promise<SaveResult> => {
    const result = applyUserPatch({ managed, user: stored }, patch);
    if (!result.ok) return Promise.resolve(result);
    stored = result.user;
    return Promise.resolve({ ok: true, state: read() });
  });
  const store: OptionsStore = { read: () => Promise.resolve(read()), save, onChange: () => () => undefined };
  return { store, save, stored: () => stored };
}

function fakePermissions(granted = false) {
  const request = vi.fn((_pattern: string) => Promise.resolve(true));
  const permissions: PortalPermissions = {
    contains: vi.fn(() => Promise.resolve(granted)),
    request,
    onChange: () => () => undefined,
  };
  return { permissions, request };
}

const POLICY = { pbx: { wsUrl: 'wss://pbx.example.com/ws', domain: 'pbx.example.com' }, portal: { origin: 'https://portal.example.com:8443' } };
const USER = { pbx: { username: '2001' }, auditRetention: 200 };

async function renderPage(managed: Record<string, unknown> = POLICY, user: Record<string, unknown> = USER, granted = false) {
  const store = fakeStore(managed, user);
  const perms = fakePermissions(granted);
  render(<OptionsPage store={store.store} permissions={perms.permissions} />);
  await screen.findByRole('heading', { name: 'Earshot settings' });
  return { ...store, ...perms };
}

describe('options page', () => {
  it('renders the values in force, grouped', async () => {
    await renderPage();
    expect((screen.getByLabelText('Username (extension)') as HTMLInputElement).value).toBe('2001');
    expect((screen.getByLabelText('Session log entries kept') as HTMLInputElement).value).toBe('200');
    expect((screen.getByLabelText('On-net pattern') as HTMLInputElement).value).toBe('[0-9]{2,6}');
    for (const group of ['PBX', 'PBX profile', 'Portal', 'Audio and ICE', 'Rules']) {
      expect(screen.getByRole('group', { name: group })).toBeTruthy();
    }
    expect(screen.getByText(/not set up yet: Password missing/)).toBeTruthy();
  });

  it('offers every portal adapter the settings accept, each named for its portal and page', async () => {
    await renderPage();
    const select = document.getElementById('field-portal-adapter') as HTMLSelectElement | null;
    expect(select).toBeTruthy();
    const options = [...(select?.options ?? [])].map((o) => [o.value, o.textContent]);
    expect(options.map(([value]) => value).sort()).toEqual([...PORTAL_ADAPTER_IDS].sort());
    expect(options).toContainEqual(['netsapiens-agents', 'NetSapiens manager portal: Call Center → Agents']);
    expect(options).toContainEqual(['fusionpbx-call-center', 'FusionPBX: Call Center → Active call centers']);
    expect(options).toContainEqual(['fusionpbx-active-calls', 'FusionPBX: Active calls']);
  });

  it('shows a field set by policy read-only with "Set by your organization"', async () => {
    await renderPage();
    const wsUrl = screen.getByLabelText('PBX WebSocket URL') as HTMLInputElement;
    expect(wsUrl.value).toBe('wss://pbx.example.com/ws');
    expect(wsUrl.readOnly).toBe(true);
    const note = document.getElementById(wsUrl.getAttribute('aria-describedby')?.split(' ')[0] ?? '');
    expect(note?.textContent).toBe('Set by your organization');
    expect((screen.getByLabelText('Username (extension)') as HTMLInputElement).readOnly).toBe(false);
  });

  it('shows a field error next to the field, keeps the input and saves nothing', async () => {
    const { save, stored } = await renderPage();
    const retention = screen.getByLabelText('Session log entries kept') as HTMLInputElement;
    fireEvent.input(retention, { target: { value: '5' } });
    fireEvent.input(screen.getByLabelText('Username (extension)'), { target: { value: '2002' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText(/nothing was saved/);
    expect(save).toHaveBeenCalledTimes(1);
    expect(stored()).toEqual(USER);
    expect(retention.getAttribute('aria-invalid')).toBe('true');
    const errorId = retention.getAttribute('aria-describedby')?.split(' ').find((id) => id.endsWith('-error')) ?? '';
    expect(document.getElementById(errorId)?.textContent).toBe('Session log entries kept: at least 10 entries');
    expect(retention.value).toBe('5');
    expect((screen.getByLabelText('Username (extension)') as HTMLInputElement).value).toBe('2002');
    const summaryLink = screen.getByRole('link', { name: 'Session log entries kept: at least 10 entries' });
    expect(summaryLink.getAttribute('href')).toBe(`#${retention.id}`);
  });

  it('saves valid changes', async () => {
    const { stored } = await renderPage();
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    expect(stored()).toEqual({ ...USER, pbx: { username: '2001', password: 'secret' } });
    expect(screen.getByText('Earshot is set up.')).toBeTruthy();
  });

  it('shows invalid policy values in a banner, with the previous value in force', async () => {
    const store = fakeStore({ pbx: { wsUrl: 'ws://pbx.example.com' } });
    const state = mergeSettings({ managed: { pbx: { wsUrl: 'ws://pbx.example.com' } }, lastGoodManaged: { 'pbx.wsUrl': 'wss://good.example.com' } });
    store.store.read = () => Promise.resolve({ ...state, user: {} });
    render(<OptionsPage store={store.store} permissions={fakePermissions().permissions} />);
    const banner = await screen.findByText(/invalid value for PBX WebSocket URL/);
    expect(banner.textContent).toBe(
      "Your organization's policy has an invalid value for PBX WebSocket URL: use wss:// (ws:// only for 127.0.0.1 or localhost); the previous value stays in force.",
    );
    expect((screen.getByLabelText('PBX WebSocket URL') as HTMLInputElement).value).toBe('wss://good.example.com');
  });

  it('locks every field but the policy-only note when the policy says so', async () => {
    await renderPage({ ...POLICY, lockUserOverrides: true });
    expect((screen.getByLabelText('Username (extension)') as HTMLInputElement).readOnly).toBe(true);
    expect(screen.getByText(/manages these settings/)).toBeTruthy();
  });

  it('asks for the portal permission with the origin pattern, in the click', async () => {
    const { request } = await renderPage();
    const button = await screen.findByRole('button', { name: 'Enable on this portal' });
    await screen.findByText(/not enabled on this portal yet/);
    fireEvent.click(button);
    expect(request).toHaveBeenCalledWith('https://portal.example.com/*');
    await screen.findByText(/Access granted for https:\/\/portal.example.com:8443/);
  });

  it('uses the typed portal address for the permission before it is saved', async () => {
    const { request } = await renderPage({}, {});
    fireEvent.input(screen.getByLabelText('Portal address'), { target: { value: 'http://127.0.0.1:8080/portal' } });
    fireEvent.click(await screen.findByRole('button', { name: 'Enable on this portal' }));
    expect(request).toHaveBeenCalledWith('http://127.0.0.1/*');
  });

  it('shows the granted status', async () => {
    await renderPage(POLICY, USER, true);
    await waitFor(() => expect(screen.getByText('Earshot is enabled on this portal.')).toBeTruthy());
    expect(screen.queryByRole('button', { name: 'Enable on this portal' })).toBeNull();
  });
});
