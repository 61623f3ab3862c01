import { render } from 'preact';
import { t } from '@/components/i18n';
import { OptionsPage } from '@/components/options';
import { auditStatusFromBackground } from '@/components/options/audit-section';
import { browserPortalPermissions } from '@/lib/platform/permissions';
import { connectPort } from '@/lib/platform/ports';
import { createSettingsStore } from '@/lib/platform/settings-store';
import './style.css';

document.title = t('optionsTitle');
document.documentElement.lang = t('localeCode');
render(
  <OptionsPage store={createSettingsStore()} permissions={browserPortalPermissions()} auditStatus={auditStatusFromBackground(connectPort)} />,
  document.getElementById('app')!,
);
