// The audit trail's fields in the options page, over the REAL settings store
// (lib/platform/settings-store.ts) on FAKE storage areas and an in-memory vault
// (tests/unit/storage-fakes.ts), and the queue's status from a REAL state hub
// over FAKE ports (tests/unit/port-fakes.ts). Unit tests only.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { OptionsPage } from '@/components/options';
import { auditStatusFromBackground } from '@/components/options/audit-section';
import { initialState } from '@/lib/coordinator/coordinator';
import { createStateHub, type Publication } from '@/lib/messaging/state-port';
import type { PortalPermissions } from '@/lib/settings/origin';
import { createSettingsStore, USER_SETTINGS_KEY } from '@/lib/platform/settings-store';
import type { AuditStatus, EarshotState } from '@/lib/state/snapshot';
import { portPair } from './port-fakes';
import { area, fakeStorage } from './storage-fakes';

afterEach(cleanup);

const permissions: PortalPermissions = { contains: () => Promise.resolve(false), request: () => Promise.resolve(false), onChange: () => () => undefined };
const BASE = { pbx: { wsUrl: 'wss://pbx.example.com/ws', domain: 'pbx.example.com' }, portal: { origin: 'https://portal.example.com' } };
const input = (label: string) => screen.getByLabelText(label) as HTMLInputElement;

async function renderWith(managed: Record<string, unknown>, user: Record<string, unknown> = {}) {
  const fake = fakeStorage(area(managed), area({ [USER_SETTINGS_KEY]: user }));
  const store = createSettingsStore(fake.storage);
  render(<OptionsPage store={store} permissions={permissions} />);
  await screen.findByRole('group', { name: 'Audit trail' });
  return { ...fake, store };
}

describe('options page: the audit trail fields', () => {
  it('saves the endpoint, token and queue size; the token goes to the vault, never to storage.local', async () => {
    const { local, vault, storage } = await renderWith(BASE);
    expect(input('Audit events kept while undelivered').value).toBe('5000');
    expect(input('Audit trail token').type).toBe('password');
    fireEvent.input(input('Audit trail endpoint'), { target: { value: 'https://audit.example.com/earshot/events' } });
    fireEvent.input(input('Audit trail token'), { target: { value: 'org-audit-token-1' } });
    fireEvent.input(input('Audit events kept while undelivered'), { target: { value: '800' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    expect(JSON.stringify(local.data)).not.toContain('org-audit-token-1');
    expect(vault.contents.user).toEqual({ 'audit.token': 'org-audit-token-1' });
    expect(local.data[USER_SETTINGS_KEY]).toMatchObject({ audit: { endpoint: 'https://audit.example.com/earshot/events', queueLimit: 800 } });
    // What the background's delivery reads after a restart (a new store over the same areas).
    expect((await createSettingsStore(storage).load()).audit).toEqual({ endpoint: 'https://audit.example.com/earshot/events', token: 'org-audit-token-1', queueLimit: 800 });
  });

  it('shows the fields set by policy read-only, and never puts the policy token into the page', async () => {
    await renderWith({ ...BASE, audit: { endpoint: 'https://audit.example.com/e', token: 'policy-audit-token', queueLimit: 2000 } });
    for (const label of ['Audit trail endpoint', 'Audit trail token', 'Audit events kept while undelivered']) {
      expect(input(label).readOnly).toBe(true);
      expect(document.getElementById(`${input(label).id}-readonly`)?.textContent).toBe('Set by your organization');
    }
    expect(input('Audit trail endpoint').value).toBe('https://audit.example.com/e');
    expect(input('Audit events kept while undelivered').value).toBe('2000');
    expect(input('Audit trail token').value).toBe('');
    expect(document.body.innerHTML).not.toContain('policy-audit-token');
  });

  it('refuses a plain-http endpoint next to the field, keeps what was typed and saves nothing', async () => {
    const { local, vault } = await renderWith(BASE);
    fireEvent.input(input('Audit trail endpoint'), { target: { value: 'http://audit.example.com/e' } });
    fireEvent.input(input('Audit trail token'), { target: { value: 'typed-token' } });
    fireEvent.input(input('Audit events kept while undelivered'), { target: { value: '10' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText(/nothing was saved/);
    const endpoint = input('Audit trail endpoint');
    expect(endpoint.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(`${endpoint.id}-error`)?.textContent).toMatch(/^Audit trail endpoint: use https:\/\//);
    expect(document.getElementById(`${input('Audit events kept while undelivered').id}-error`)?.textContent).toBe('Audit events kept while undelivered: at least 100 events');
    expect(endpoint.value).toBe('http://audit.example.com/e');
    expect(local.data[USER_SETTINGS_KEY]).toEqual({});
    expect(vault.contents.user ?? {}).toEqual({});
  });
});

/** A REAL state hub over FAKE ports (unit test only): the background as the options page sees it. */
function background() {
  let state: EarshotState = { ...initialState(0), revision: 1 };
  const publication = (): Extract<Publication, { type: 'state' }> => ({ type: 'state', state, logSeq: 0, logLimit: 10 });
  const hub = createStateHub({ current: publication, authorize: () => ({ ok: true, role: 'options' }) });
  const opened: string[] = [];
  return {
    connect(name: string) {
      opened.push(name);
      const { opener, receiver } = portPair(name, { url: 'chrome-extension://x/options.html' });
      void hub.accept(receiver);
      return opener;
    },
    opened,
    audit(audit: AuditStatus | undefined) {
      const { audit: _previous, ...rest } = state;
      state = { ...rest, ...(audit ? { audit } : {}), revision: state.revision + 1 };
      hub.publish(publication());
    },
  };
}

describe('options page: the audit queue status', () => {
  it('shows the background queue as it changes: waiting events and why, then all delivered, then off', async () => {
    const bg = background();
    const fake = fakeStorage(area(BASE));
    render(<OptionsPage store={createSettingsStore(fake.storage)} permissions={permissions} auditStatus={auditStatusFromBackground((name) => bg.connect(name))} />);
    const status = () => document.querySelector('.audit-queue');
    // The first snapshot has no audit part: no endpoint.
    await waitFor(() => expect(status()?.textContent).toBe('Audit trail: off (no endpoint set).'));
    expect(bg.opened).toEqual(['earshot:state']);
    const since = new Date(2026, 11, 2, 12, 1).getTime();
    bg.audit({ pending: 3, unreachableSince: since, lastError: 'HTTP 503', dropped: 0, rejected: 0 });
    const time = new Date(since).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    await waitFor(() => expect(status()?.textContent).toBe(`Audit trail: 3 events waiting, endpoint unreachable since ${time} (HTTP 503).`));
    expect(status()?.classList.contains('warning')).toBe(true);
    bg.audit({ pending: 0, dropped: 0, rejected: 0 });
    await waitFor(() => expect(status()?.textContent).toBe('Audit trail: all events delivered.'));
    expect(status()?.classList.contains('warning')).toBe(false);
    expect(status()?.getAttribute('role')).toBe('status');
  });

  it('says so while the background has not answered', async () => {
    const fake = fakeStorage(area(BASE));
    // A port that never delivers anything (the worker is still starting).
    const silent = (name: string) => portPair(name).opener;
    render(<OptionsPage store={createSettingsStore(fake.storage)} permissions={permissions} auditStatus={auditStatusFromBackground(silent)} />);
    await screen.findByRole('group', { name: 'Audit trail' });
    expect(document.querySelector('.audit-queue')?.textContent).toBe("Audit trail: waiting for Earshot's background for the queue's status…");
  });
});
