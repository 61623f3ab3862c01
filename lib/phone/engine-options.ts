import type { SessionDescriptionHandlerFactory, UserAgentOptions } from 'sip.js';
import type { AudioOutput, SilentSource } from './audio';
import type { BackoffOptions } from './backoff';
import type { XmlParser } from './dialog-info';
import type { EngineCommand, EngineEvent } from '../contract/engine';
import type { MonitorDialogStore } from './dialog-journal';
import type { MicrophoneProvider } from './microphone';
import type { MonitorLogic } from './monitor-logic';

// The public surface of lib/phone/engine.ts (re-exported there): what a host passes and gets.

/** Everything the engine needs from its host, injected (tests pass fakes). */
export interface PhoneEngineOptions {
  /** Where Whisper and Join get the microphone (host-specific). */
  microphone: MicrophoneProvider;
  /** Playback and meters; none means no audio out (tests). */
  audio?: AudioOutput;
  /** Silent track for the Listen sender (needed by the real SDH factory). */
  silence?: SilentSource;
  /** sip.js transport; default: its WebSocket transport. Tests inject a scripted fake PBX. */
  transportConstructor?: UserAgentOptions['transportConstructor'];
  /** sip.js SDH factory; default: WebRTC with a silent local track. Tests inject a fake. */
  sessionDescriptionHandlerFactory?: SessionDescriptionHandlerFactory;
  /** lib/monitor + lib/pbx logic: `defaultMonitorLogic` (monitor-logic-default.ts) in the hosts. */
  logic: MonitorLogic;
  /** XML parser for dialog-info; default: the host's DOMParser. */
  xmlParser?: XmlParser;
  now?: () => number;
  random?: () => number;
  newId?: () => string;
  /** OPTIONS keep-alive period in seconds (at least 20). */
  keepAliveSeconds?: number;
  backoff?: BackoffOptions;
  /** Calls back when the network comes back (window "online"); returns the remover. */
  onOnline?: (callback: () => void) => () => void;
  /** Level publishing period while a session is live. */
  levelIntervalMs?: number;
  /** RFC 4733 tone timing. */
  dtmfTiming?: { duration: number; interToneGap: number };
  /**
   * Where the live monitor call's dialog is kept for the next engine (the host's IndexedDB), so a
   * call whose engine died is ended by the next one; none: nothing kept.
   */
  dialogStore?: MonitorDialogStore;
  /** sip.js log lines (debug) go here; default: dropped. */
  sipLog?: (level: string, category: string, content: string) => void;
}

/** Commands and events of the engine, whatever hosts it. */
export interface PhoneEngineApi {
  handle(command: EngineCommand): Promise<void>;
  onEvent(callback: (event: EngineEvent) => void): () => void;
  dispose(): Promise<void>;
}
