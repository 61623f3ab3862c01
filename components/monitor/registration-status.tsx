import type { EarshotState } from '../../lib/state/snapshot';
import { t } from '../i18n';
import { auditStatusText, nameWithExtension, registrationLabel } from './format';

/** Props of {@link RegistrationStatus}. */
export interface RegistrationStatusProps {
  state: Pick<EarshotState, 'configured' | 'registration' | 'user'> & Partial<Pick<EarshotState, 'audit'>>;
}

/** The phone's registration with the PBX, with the plain-language reason when it is not ready. */
export function RegistrationStatus({ state }: RegistrationStatusProps) {
  const { registration, user } = state;
  const label = registrationLabel(registration.status);
  return (
    <div class={`earshot-registration earshot-reg-${registration.status}`} data-status={registration.status}>
      <span class="earshot-dot" aria-hidden="true" />
      <span class="earshot-reg-label">{label}</span>
      {registration.status === 'registered' && user.extension && (
        <span class="earshot-muted">{` ${t('regAs', nameWithExtension(user.displayName, user.extension))}`}</span>
      )}
      {registration.message && <p class="earshot-reg-message">{registration.message}</p>}
      {!state.configured && registration.status === 'unconfigured' && !registration.message && (
        <p class="earshot-reg-message">{t('regSetUpInOptions')}</p>
      )}
      {state.audit && (
        <p class={`earshot-audit${state.audit.unreachableSince !== undefined || state.audit.dropped > 0 ? ' earshot-audit-warning' : ''}`} role="status">
          {auditStatusText(state.audit)}
        </p>
      )}
    </div>
  );
}
