// Chrome's offscreen document: hosts the phone engine (the MV3 service worker
// has no RTCPeerConnection, getUserMedia or audio output). Thin glue only.
import { messenger } from '@/lib/messaging/protocol';
import { classifySender, type SenderInfo } from '@/lib/messaging/senders';
import { ElementAudioOutput, WebAudioSilentSource } from '@/lib/phone/audio';
import { PhoneEngine } from '@/lib/phone/engine';
import { defaultMonitorLogic } from '@/lib/phone/monitor-logic-default';
import { UserMediaMicrophoneProvider } from '@/lib/phone/microphone';
import { indexedDbDialogStore } from '@/lib/platform/dialog-store';
import { hostEngineOverPort } from '@/lib/platform/offscreen-engine-host';
import { OFFSCREEN_PATH } from '@/lib/platform/offscreen-engine-link';
import { connectPort } from '@/lib/platform/ports';
import { extensionBaseUrl, runtimeId } from '@/lib/platform/runtime';

const engine = new PhoneEngine({
  logic: defaultMonitorLogic,
  // Works after a one-time grant from a visible Earshot page, or the AudioCaptureAllowedUrls policy.
  microphone: new UserMediaMicrophoneProvider(),
  audio: new ElementAudioOutput(),
  silence: new WebAudioSilentSource(),
  // A new document ends the call a crashed or closed one left at the PBX.
  dialogStore: indexedDbDialogStore(),
});

// One long-lived port to the background (lib/platform/offscreen-engine-host.ts says when it opens).
// No runtime.onConnect here: every UI's port would reach this document too.
const host = hostEngineOverPort({ engine, connect: connectPort });

messenger.onMessage('engine-connect', (message) => {
  const verdict = classifySender(message.sender as SenderInfo, {
    runtimeId: runtimeId(),
    extensionBaseUrl: extensionBaseUrl(),
    portalOrigins: [],
    enginePagePath: OFFSCREEN_PATH,
  });
  if (verdict.ok && verdict.role === 'background') host.wake();
  else console.warn(`[earshot] engine-connect refused: ${verdict.ok ? `from ${verdict.role}` : verdict.reason}`);
});
