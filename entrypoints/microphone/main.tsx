import { render } from 'preact';
import { MicrophoneGrant } from '@/components/microphone/microphone-grant';
import { UserMediaMicrophoneProvider } from '@/lib/phone/microphone';

render(<MicrophoneGrant provider={new UserMediaMicrophoneProvider()} />, document.getElementById('app')!);
