import { render } from 'preact';
import { browser } from 'wxt/browser';
import { ConnectedPanel } from '@/components/app/connected-panel';
import { MONITOR_PANEL_CSS } from '@/components/monitor';
import { pageCommandSender } from '@/lib/messaging/senders-client';
import { offerPageMicrophone } from '@/lib/platform/page-microphone';
import { connectPort } from '@/lib/platform/ports';

const style = document.createElement('style');
style.textContent = MONITOR_PANEL_CSS;
document.head.append(style);

// Firefox: the engine lives in the background page, which can never open the
// microphone; this visible sidebar offers it for Whisper and Join.
if (import.meta.env.FIREFOX) void offerPageMicrophone(browser.runtime);

render(<ConnectedPanel connect={connectPort} send={pageCommandSender()} />, document.getElementById('app')!);
