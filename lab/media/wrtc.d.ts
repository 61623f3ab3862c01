/**
 * Minimal, honest types for the parts of @roamhq/wrtc 0.10.0 the lab uses.
 *
 * Why our own: the package's bundled types re-export the DOM globals and leave
 * `ondata: EventHandler` unresolved (silently `any` under skipLibCheck). An
 * ambient module declaration takes precedence over the package's `types`, so
 * everything importing '@roamhq/wrtc' in this repo gets these types instead.
 * Names are prefixed with `W` where they would shadow DOM globals.
 */
declare module '@roamhq/wrtc' {
  export type WSdpType = 'offer' | 'answer' | 'pranswer' | 'rollback';
  export interface WSessionDescription {
    readonly type: WSdpType;
    readonly sdp: string;
  }
  export type WIceGatheringState = 'new' | 'gathering' | 'complete';
  export type WPeerConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';
  export type WDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' | 'stopped';

  export interface WMediaStreamTrack {
    readonly id: string;
    readonly kind: 'audio' | 'video';
    readonly readyState: 'live' | 'ended';
    enabled: boolean;
    stop(): void;
  }
  export interface WRtpSender {
    readonly track: WMediaStreamTrack | null;
    replaceTrack(track: WMediaStreamTrack | null): Promise<void>;
  }
  export interface WRtpReceiver {
    readonly track: WMediaStreamTrack;
  }
  export interface WRtpTransceiver {
    readonly mid: string | null;
    readonly sender: WRtpSender;
    readonly receiver: WRtpReceiver;
    readonly stopped: boolean;
    direction: WDirection;
    readonly currentDirection: WDirection | null;
  }
  export interface WTrackEvent {
    readonly track: WMediaStreamTrack;
    readonly receiver: WRtpReceiver;
    readonly transceiver: WRtpTransceiver;
  }
  export interface WPeerConnectionConfig {
    iceServers?: { urls: string | string[] }[];
    bundlePolicy?: 'balanced' | 'max-bundle' | 'max-compat';
    rtcpMuxPolicy?: 'require';
  }
  export interface WPeerConnection {
    readonly localDescription: WSessionDescription | null;
    readonly remoteDescription: WSessionDescription | null;
    readonly signalingState: string;
    readonly iceGatheringState: WIceGatheringState;
    readonly iceConnectionState: string;
    readonly connectionState: WPeerConnectionState;
    ontrack: ((ev: WTrackEvent) => void) | null;
    addEventListener(type: 'icegatheringstatechange' | 'connectionstatechange' | 'iceconnectionstatechange', cb: () => void): void;
    removeEventListener(type: 'icegatheringstatechange' | 'connectionstatechange' | 'iceconnectionstatechange', cb: () => void): void;
    addTransceiver(trackOrKind: WMediaStreamTrack | 'audio', init?: { direction?: WDirection }): WRtpTransceiver;
    getTransceivers(): WRtpTransceiver[];
    createOffer(): Promise<WSessionDescription>;
    createAnswer(): Promise<WSessionDescription>;
    setLocalDescription(desc: WSessionDescription): Promise<void>;
    setRemoteDescription(desc: WSessionDescription): Promise<void>;
    /** The standard stats report (a Map of RTCStats by id). */
    getStats(): Promise<Map<string, { type?: string; kind?: string; packetsReceived?: number }>>;
    close(): void;
  }

  /** 16-bit PCM, interleaved when channelCount > 1. */
  export interface WAudioData {
    samples: Int16Array;
    sampleRate: number;
    bitsPerSample?: number;
    channelCount?: number;
    numberOfFrames?: number;
  }
  export interface WAudioSource {
    createTrack(): WMediaStreamTrack;
    onData(data: WAudioData): void;
  }
  export interface WAudioSink {
    ondata: ((data: Required<WAudioData> & { type: 'data' }) => void) | null;
    readonly stopped: boolean;
    stop(): void;
  }
  /** Only the default import is typed: the package is CommonJS. */
  const wrtc: {
    RTCPeerConnection: new (config?: WPeerConnectionConfig) => WPeerConnection;
    nonstandard: {
      RTCAudioSource: new () => WAudioSource;
      RTCAudioSink: new (track: WMediaStreamTrack) => WAudioSink;
    };
  };
  export default wrtc;
}
