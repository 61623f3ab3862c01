import { render } from 'preact';
import { browser } from 'wxt/browser';
import { ConnectedPanel } from '@/components/app/connected-panel';
import '@/components/monitor/monitor-core.css';
import '@/components/monitor/side-panel.css';
import { pageCommandSender } from '@/lib/messaging/senders-client';
import { offerPageMicrophone } from '@/lib/platform/page-microphone';
import { connectPort } from '@/lib/platform/ports';

// Firefox: the engine lives in the background page, which can never open the
// microphone; this visible sidebar offers it for Whisper and Join.
if (import.meta.env.FIREFOX) void offerPageMicrophone(browser.runtime);

// Chrome: the offscreen document cannot prompt; the grant is made once on a visible page.
const allowMicrophone = import.meta.env.FIREFOX
  ? undefined
  : () => void browser.tabs.create({ url: browser.runtime.getURL('/microphone.html') });

render(
  <ConnectedPanel connect={connectPort} send={pageCommandSender()} onAllowMicrophone={allowMicrophone} />,
  document.getElementById('app')!,
);
