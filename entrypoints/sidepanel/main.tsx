import { render } from 'preact';
import { browser } from 'wxt/browser';
import { ConnectedPanel } from '@/components/app/connected-panel';
import { t } from '@/components/i18n';
import '@/components/monitor/monitor-core.css';
import '@/components/monitor/side-panel.css';
import { pageCommandSender } from '@/lib/messaging/senders-client';
import { audioOutputStore, listAudioOutputs, NO_DEVICE_CHOICE_FIREFOX } from '@/lib/platform/audio-output';
import { offerPageMicrophone } from '@/lib/platform/page-microphone';
import { connectPort } from '@/lib/platform/ports';
import { boundShortcuts } from '@/lib/monitor/shortcuts';

// Firefox: the engine lives in the background page, which can never open the
// microphone; this visible sidebar offers it for Whisper and Join.
if (import.meta.env.FIREFOX) void offerPageMicrophone(browser.runtime);

// Chrome: the offscreen document cannot prompt; the grant is made once on a visible page.
const allowMicrophone = import.meta.env.FIREFOX
  ? undefined
  : () => void browser.tabs.create({ url: browser.runtime.getURL('/microphone.html') });

// The call's volume and device: kept here, sent to the engine by the background (lib/platform/audio-output.ts).
const store = audioOutputStore();
const output = {
  read: store.read,
  apply: store.write,
  devices: import.meta.env.FIREFOX ? () => Promise.resolve({ ok: false as const, reason: NO_DEVICE_CHOICE_FIREFOX }) : () => listAudioOutputs(),
};

// The keys bound now: the browser may have refused a suggested one, or the supervisor changed it.
const shortcuts = async () => boundShortcuts(await browser.commands.getAll());

// The language of the messages shown (the browser's, or English when Earshot has none for it).
document.documentElement.lang = t('localeCode');

render(
  <ConnectedPanel connect={connectPort} send={pageCommandSender()} onAllowMicrophone={allowMicrophone} output={output} shortcuts={shortcuts} />,
  document.getElementById('app')!,
);
