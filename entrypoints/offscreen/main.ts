// Chrome's offscreen document: hosts the phone engine (the MV3 service worker
// has no RTCPeerConnection, getUserMedia or audio output). Thin glue only.
import { messenger } from '@/lib/messaging/protocol';
import type { SenderInfo } from '@/lib/messaging/senders';
import { ElementAudioOutput, WebAudioSilentSource } from '@/lib/phone/audio';
import { PhoneEngine } from '@/lib/phone/engine';
import { defaultMonitorLogic } from '@/lib/phone/monitor-logic-default';
import { UserMediaMicrophoneProvider } from '@/lib/phone/microphone';
import { hostEngineInOffscreen } from '@/lib/platform/offscreen-engine-host';
import { extensionBaseUrl, runtimeId } from '@/lib/platform/runtime';

const engine = new PhoneEngine({
  logic: defaultMonitorLogic,
  // Works after a one-time grant from a visible Earshot page, or the AudioCaptureAllowedUrls policy.
  microphone: new UserMediaMicrophoneProvider(),
  audio: new ElementAudioOutput(),
  silence: new WebAudioSilentSource(),
});

const handle = hostEngineInOffscreen({
  engine,
  sendEvent: (event) => messenger.sendMessage('engine-to-bg:event', event),
  runtimeId: runtimeId(),
  extensionBaseUrl: extensionBaseUrl(),
});

messenger.onMessage('bg-to-engine:command', (message) => handle(message.data, message.sender as SenderInfo));
