import { useEffect, useState } from 'preact/hooks';
import { STATE_PORT_NAME } from '../../lib/messaging/protocol';
import { createStateClient, type PortLike } from '../../lib/messaging/state-port';
import type { AuditStatus } from '../../lib/state/snapshot';
import { t } from '../i18n';
import { auditStatusText } from '../monitor/format';
import { TextField } from './fields';
import type { FormApi } from './form-model';

/** What the page knows of the audit trail's queue: nothing yet (not connected), or the background's status (undefined: off). */
export type AuditQueueView = { known: false } | { known: true; status: AuditStatus | undefined };

/** Calls back with each change of the queue's status; returns the unsubscriber. */
export type AuditStatusSource = (onView: (view: AuditQueueView) => void) => () => void;

/**
 * The queue's status as the background publishes it (the state port the side
 * panel uses; the options page is one of the UIs the background accepts). The
 * status carries counts and the last error only, never the endpoint or token.
 */
export function auditStatusFromBackground(connect: (name: string) => PortLike): AuditStatusSource {
  return (onView) => {
    const client = createStateClient({
      connect: () => connect(STATE_PORT_NAME),
      onState: (state) => onView({ known: true, status: state.audit }),
      onConnection: (connected) => {
        if (!connected) onView({ known: false });
      },
    });
    return () => client.close();
  };
}

function queueText(view: AuditQueueView): string {
  if (!view.known) return t('auditQueueUnknown');
  return view.status ? auditStatusText(view.status) : t('auditOff');
}

/**
 * The audit trail's settings (endpoint, token, queue size) like every other
 * field: read-only when the policy sets them, the token a password field
 * (kept as a secret by the settings store; never put into the page when it
 * comes from policy), with the queue's live status under them.
 */
export function AuditSection({ form, statusSource }: { form: FormApi; statusSource: AuditStatusSource | undefined }) {
  const [view, setView] = useState<AuditQueueView>({ known: false });
  useEffect(() => statusSource?.(setView), [statusSource]);
  const warning = view.known && view.status !== undefined && (view.status.unreachableSince !== undefined || view.status.dropped > 0 || view.status.rejected > 0);
  return (
    <fieldset class="group">
      <legend>{t('sectionAudit')}</legend>
      <TextField form={form} path="audit.endpoint" type="url" placeholder="https://audit.example.com/earshot/events" hint={t('hintAuditEndpoint')} />
      <TextField form={form} path="audit.token" type="password" autoComplete="off" hint={t('hintAuditToken')} />
      <TextField form={form} path="audit.queueLimit" type="number" inputMode="numeric" hint={t('hintAuditQueueLimit')} />
      {statusSource && (
        <p class={`audit-queue${warning ? ' warning' : ''}`} role="status" aria-live="polite" data-known={String(view.known)}>
          {queueText(view)}
        </p>
      )}
    </fieldset>
  );
}
