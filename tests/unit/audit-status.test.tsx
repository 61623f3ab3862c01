// What the side panel shows of the audit trail (components/monitor): rendered in happy-dom from a snapshot's `audit` part.
import { cleanup, render } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { auditStatusText } from '@/components/monitor/format';
import { RegistrationStatus } from '@/components/monitor/registration-status';
import { earshotStateSchema } from '@/lib/state/snapshot';

afterEach(cleanup);

const base = {
  configured: true,
  registration: { status: 'registered' as const, since: 0 },
  user: { extension: '2001', dtmfMonitoringGranted: false },
};

describe('the audit trail status', () => {
  it('says how many wait, since when the endpoint is unreachable and why', () => {
    const since = new Date(2026, 11, 2, 12, 1).getTime();
    const text = auditStatusText({ pending: 3, unreachableSince: since, lastError: 'HTTP 503', dropped: 0, rejected: 0 });
    expect(text).toMatch(/^Audit trail: 3 events waiting, endpoint unreachable since 12:01\b.*\(HTTP 503\)\.$/);
    expect(auditStatusText({ pending: 0, dropped: 0, rejected: 0 })).toBe('Audit trail: all events delivered.');
    expect(auditStatusText({ pending: 1, dropped: 2, rejected: 1, lastRejection: 'HTTP 401' })).toBe(
      'Audit trail: 1 event waiting, 2 oldest dropped (queue full), 1 refused by the endpoint (HTTP 401).',
    );
  });

  it('is shown under the registration only with an audit trail, as a warning while failing', () => {
    const { container, rerender } = render(<RegistrationStatus state={base} />);
    expect(container.querySelector('.earshot-audit')).toBeNull();
    rerender(<RegistrationStatus state={{ ...base, audit: { pending: 2, unreachableSince: 1, dropped: 0, rejected: 0 } }} />);
    const line = container.querySelector('.earshot-audit');
    expect(line?.textContent).toMatch(/^Audit trail: 2 events waiting, endpoint unreachable since/);
    expect(line?.classList.contains('earshot-audit-warning')).toBe(true);
  });

  it('rides in the snapshot as an optional field', () => {
    const snapshot = { revision: 1, ...base, agents: {}, session: null, microphone: 'not-needed', log: [] };
    expect(earshotStateSchema.safeParse(snapshot).success).toBe(true);
    expect(earshotStateSchema.safeParse({ ...snapshot, audit: { pending: 1, dropped: 0, rejected: 0 } }).success).toBe(true);
    expect(earshotStateSchema.safeParse({ ...snapshot, audit: { pending: -1, dropped: 0, rejected: 0 } }).success).toBe(false);
  });
});
