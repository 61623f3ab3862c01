import { MODE_LABELS } from '../../lib/monitor/modes';
import type { AuditStatus, RegistrationStatus, SessionSnapshot } from '../../lib/state/snapshot';

/** Elapsed time as mm:ss (minutes keep counting past 59). */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

/** Plain-language label per registration status. */
export const REGISTRATION_LABELS: Record<RegistrationStatus, string> = {
  unconfigured: 'Phone not set up',
  connecting: 'Connecting to the PBX…',
  registered: 'Ready',
  reconnecting: 'Reconnecting to the PBX…',
  failed: 'Phone connection failed',
};

/** One sentence describing where a session is. */
export function sessionStatusText(session: SessionSnapshot): string {
  const who = session.agent.name ? `${session.agent.name} (${session.agent.extension})` : session.agent.extension;
  switch (session.status) {
    case 'connecting':
      return `Connecting to ${who}…`;
    case 'active':
      return session.pendingMode
        ? `Switching to ${MODE_LABELS[session.pendingMode]}…`
        : `${MODE_LABELS[session.mode]} on ${who}`;
    case 'reconnecting':
      return `Reconnecting to ${who}…`;
    case 'ending':
      return 'Hanging up…';
    case 'ended':
      return `Monitoring of ${who} ended.`;
    case 'failed':
      return `Monitoring of ${who} failed.`;
  }
}

/** Time of day for log rows, e.g. 14:03:07. */
export function formatClock(at: number): string {
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** A clock time as HH:MM (the supervisor's locale). */
function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** One sentence on the audit trail's delivery, e.g. "Audit trail: 3 events waiting, endpoint unreachable since 12:01 (HTTP 503)." */
export function auditStatusText(audit: AuditStatus): string {
  const waiting =
    audit.pending === 0 ? 'all events delivered' : `${audit.pending} ${audit.pending === 1 ? 'event' : 'events'} waiting`;
  const parts = [`Audit trail: ${waiting}`];
  if (audit.unreachableSince !== undefined) {
    parts.push(`endpoint unreachable since ${clockTime(audit.unreachableSince)}${audit.lastError ? ` (${audit.lastError})` : ''}`);
  }
  if (audit.dropped > 0) parts.push(`${audit.dropped} oldest dropped (queue full)`);
  if (audit.rejected > 0) parts.push(`${audit.rejected} refused by the endpoint${audit.lastRejection ? ` (${audit.lastRejection})` : ''}`);
  return `${parts.join(', ')}.`;
}
