import type { SettingsError } from '../../lib/settings/merge';
import { fieldLabel } from '../../lib/settings/schema';
import { plural, t, type MessageKey } from '../i18n';
import { fieldId } from './form-model';

const IN_FORCE_KEYS = {
  'previous-policy': 'policyInForcePrevious',
  user: 'policyInForceUser',
  default: 'policyInForceDefault',
} as const satisfies Record<string, MessageKey>;

/** Invalid values in the organization's policy, and what is used instead. */
export function PolicyBanner({ errors }: { errors: SettingsError[] }) {
  if (!errors.length) return null;
  return (
    <div class="banner warning" role="alert">
      <h2>{t('policyProblemsHeading')}</h2>
      <ul>
        {errors.map((error) => {
          const label = error.field ? fieldLabel(error.field) : t('policyItself');
          const detail = error.message.slice(error.message.indexOf(':') + 1).trim();
          const text = error.inForce
            ? t('policyInvalidValueInForce', label, detail, t(IN_FORCE_KEYS[error.inForce]))
            : t('policyInvalidValue', label, detail);
          return <li key={error.path + error.message}>{text}</li>;
        })}
      </ul>
    </div>
  );
}

/** The problems that stopped a save, each linking to its field. */
export function ErrorSummary({ errors }: { errors: SettingsError[] }) {
  if (!errors.length) return null;
  return (
    <div class="banner error" role="alert" tabIndex={-1} id="error-summary">
      <h2>{plural(errors.length, 'saveProblemsOne', 'saveProblemsOther')}</h2>
      <ul>
        {errors.map((error) => (
          <li key={error.path + error.message}>
            <a href={`#${fieldId(error.field)}`}>{error.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}
