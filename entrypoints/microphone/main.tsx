import { render } from 'preact';
import { t } from '@/components/i18n';
import { MicrophoneGrant } from '@/components/microphone/microphone-grant';
import { UserMediaMicrophoneProvider } from '@/lib/phone/microphone';

document.title = t('micPageTitle');
document.documentElement.lang = t('localeCode');
render(<MicrophoneGrant provider={new UserMediaMicrophoneProvider()} />, document.getElementById('app')!);
