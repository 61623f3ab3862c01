import { render } from 'preact';
import { OptionsPage } from '@/components/options';
import { browserPortalPermissions } from '@/lib/platform/permissions';
import { createSettingsStore } from '@/lib/platform/settings-store';
import './style.css';

render(<OptionsPage store={createSettingsStore()} permissions={browserPortalPermissions()} />, document.getElementById('app')!);
