import { render } from 'preact';
import { t } from '@/components/i18n';
import { MicrophoneGrant } from '@/components/microphone/microphone-grant';
import { UserMediaMicrophoneProvider } from '@/lib/phone/microphone';

document.title = t('micPageTitle');
render(<MicrophoneGrant provider={new UserMediaMicrophoneProvider()} />, document.getElementById('app')!);
