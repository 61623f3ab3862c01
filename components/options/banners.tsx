import type { SettingsError } from '../../lib/settings/merge';
import { fieldLabel } from '../../lib/settings/schema';
import { fieldId } from './form-model';

const IN_FORCE_TEXT = {
  'previous-policy': 'the previous value stays in force',
  user: 'your own value applies',
  default: 'the default applies',
} as const;

/** Invalid values in the organization's policy, and what is used instead. */
export function PolicyBanner({ errors }: { errors: SettingsError[] }) {
  if (!errors.length) return null;
  return (
    <div class="banner warning" role="alert">
      <h2>Your organization's policy has problems</h2>
      <ul>
        {errors.map((error) => {
          const label = error.field ? fieldLabel(error.field) : 'the policy';
          const detail = error.message.slice(error.message.indexOf(':') + 1).trim();
          const inForce = error.inForce ? `; ${IN_FORCE_TEXT[error.inForce]}` : '';
          return (
            <li key={error.path + error.message}>
              Your organization's policy has an invalid value for {label}: {detail}
              {inForce}.
            </li>
          );
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
      <h2>
        {errors.length === 1 ? 'One problem' : `${errors.length} problems`}: nothing was saved
      </h2>
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
