// Chrome's offscreen document: hosts the phone engine (the MV3 service worker
// has no RTCPeerConnection, getUserMedia or audio output). Thin glue only.
import { ElementAudioOutput, WebAudioSilentSource } from '@/lib/phone/audio';
import { PhoneEngine } from '@/lib/phone/engine';
import { defaultMonitorLogic } from '@/lib/phone/monitor-logic-default';
import { UserMediaMicrophoneProvider } from '@/lib/phone/microphone';
import { hostEngineOverPort } from '@/lib/platform/offscreen-engine-host';
import { connectPort } from '@/lib/platform/ports';

const engine = new PhoneEngine({
  logic: defaultMonitorLogic,
  // Works after a one-time grant from a visible Earshot page, or the AudioCaptureAllowedUrls policy.
  microphone: new UserMediaMicrophoneProvider(),
  audio: new ElementAudioOutput(),
  silence: new WebAudioSilentSource(),
});

// One long-lived port to the background; it reconnects (waking the worker) when the worker stops.
hostEngineOverPort({ engine, connect: connectPort });
