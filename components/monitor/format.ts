import type { Mode } from '../../lib/monitor/modes';
import type { AuditStatus, RegistrationStatus, SessionSnapshot } from '../../lib/state/snapshot';
import { plural, t, type MessageKey } from '../i18n';

/** Elapsed time as mm:ss (minutes keep counting past 59). */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

const REGISTRATION_KEYS: Record<RegistrationStatus, MessageKey> = {
  unconfigured: 'regUnconfigured',
  connecting: 'regConnecting',
  registered: 'regRegistered',
  reconnecting: 'regReconnecting',
  failed: 'regFailed',
};

/** Plain-language label of a registration status. */
export function registrationLabel(status: RegistrationStatus): string {
  return t(REGISTRATION_KEYS[status]);
}

const MODE_KEYS: Record<Mode, MessageKey> = { listen: 'modeListen', whisper: 'modeWhisper', barge: 'modeBarge' };

/** The spec's word for a mode (Listen Only, Whisper, Join (Barge-In)), in the browser's language. */
export function modeLabel(mode: Mode): string {
  return t(MODE_KEYS[mode]);
}

/** A person with their extension, e.g. "Ana Lima (201)", or the extension alone. */
export function nameWithExtension(name: string | undefined, extension: string): string {
  return name ? t('nameWithExtension', name, extension) : extension;
}

/** One sentence describing where a session is. */
export function sessionStatusText(session: SessionSnapshot): string {
  const who = nameWithExtension(session.agent.name, session.agent.extension);
  switch (session.status) {
    case 'connecting':
      return t('statusConnecting', who);
    case 'active':
      return session.pendingMode
        ? t('statusSwitching', modeLabel(session.pendingMode))
        : t('statusActive', modeLabel(session.mode), who);
    case 'reconnecting':
      return t('statusReconnecting', who);
    case 'ending':
      return t('statusEnding');
    case 'ended':
      return t('statusEnded', who);
    case 'failed':
      return t('statusFailed', who);
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
  const parts = [audit.pending === 0 ? t('auditAllDelivered') : plural(audit.pending, 'auditOneWaiting', 'auditManyWaiting')];
  if (audit.unreachableSince !== undefined) {
    const time = clockTime(audit.unreachableSince);
    parts.push(audit.lastError ? t('auditUnreachableBecause', time, audit.lastError) : t('auditUnreachable', time));
  }
  if (audit.dropped > 0) parts.push(t('auditDropped', String(audit.dropped)));
  if (audit.rejected > 0) {
    parts.push(audit.lastRejection ? t('auditRefusedBecause', String(audit.rejected), audit.lastRejection) : t('auditRefused', String(audit.rejected)));
  }
  return t('auditStatus', parts.join(', '));
}
