import { render } from 'preact';
import { t } from '@/components/i18n';
import { OptionsPage } from '@/components/options';
import { browserPortalPermissions } from '@/lib/platform/permissions';
import { createSettingsStore } from '@/lib/platform/settings-store';
import './style.css';

document.title = t('optionsTitle');
document.documentElement.lang = t('localeCode');
render(<OptionsPage store={createSettingsStore()} permissions={browserPortalPermissions()} />, document.getElementById('app')!);
