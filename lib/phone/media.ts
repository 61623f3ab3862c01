import { Web, type Session, type SessionDescriptionHandler, type SessionDescriptionHandlerFactory } from 'sip.js';

/**
 * What the engine needs from a call's media, beyond sip.js's
 * SessionDescriptionHandler: the remote audio, swapping the one outgoing
 * track (silent ↔ microphone, with `replaceTrack`: no renegotiation),
 * RFC 4733 DTMF, and media failures. The real one is
 * {@link MonitorSessionDescriptionHandler}; tests use a fake.
 */
export interface MonitorMedia {
  /** The PBX's mixed audio. */
  remoteStream(): MediaStream | undefined;
  /** Replaces the outgoing audio track in place (RTCRtpSender.replaceTrack). */
  replaceOutgoingTrack(track: MediaStreamTrack): Promise<void>;
  /** The track being sent now (silent in Listen). */
  outgoingTrack(): MediaStreamTrack | null;
  /** RFC 4733 tones on the audio sender; false when there is no DTMF sender. */
  sendDtmf(tones: string, options?: { duration: number; interToneGap: number }): boolean;
  /** Called once if ICE or DTLS fails for good; returns the remover. */
  onMediaFailure(callback: (stage: 'ice' | 'dtls') => void): () => void;
}

/** True when a session's SDH is one of ours (or a test fake of the same shape). */
export function isMonitorMedia(sdh: SessionDescriptionHandler | undefined): sdh is SessionDescriptionHandler & MonitorMedia {
  return (
    sdh !== undefined &&
    typeof (sdh as Partial<MonitorMedia>).replaceOutgoingTrack === 'function' &&
    typeof (sdh as Partial<MonitorMedia>).remoteStream === 'function'
  );
}

/** Produces a fresh silent track for each call (sip.js stops the sender's track when the call closes). */
export type SilentTrackFactory = () => MediaStreamTrack;

/**
 * sip.js's WebRTC SDH with the {@link MonitorMedia} additions. Its local
 * stream is always the silent track: the microphone only ever enters by
 * {@link replaceOutgoingTrack}, so Listen sends silence by construction.
 */
export class MonitorSessionDescriptionHandler extends Web.SessionDescriptionHandler implements MonitorMedia {
  remoteStream(): MediaStream | undefined {
    return this.remoteMediaStream;
  }

  private audioSender(): RTCRtpSender | undefined {
    const senders = this.peerConnection?.getSenders() ?? [];
    return senders.find((s) => s.track?.kind === 'audio') ?? senders[0];
  }

  outgoingTrack(): MediaStreamTrack | null {
    return this.audioSender()?.track ?? null;
  }

  async replaceOutgoingTrack(track: MediaStreamTrack): Promise<void> {
    const sender = this.audioSender();
    if (!sender) throw new Error('The call has no audio sender.');
    await sender.replaceTrack(track);
  }

  onMediaFailure(callback: (stage: 'ice' | 'dtls') => void): () => void {
    const pc = this.peerConnection;
    if (!pc) return () => undefined;
    let fired = false;
    const check = () => {
      if (fired) return;
      if (pc.iceConnectionState === 'failed') {
        fired = true;
        callback('ice');
      } else if (pc.connectionState === 'failed') {
        fired = true;
        // ICE got through but the connection still failed: the DTLS handshake.
        callback(pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed' ? 'dtls' : 'ice');
      }
    };
    pc.addEventListener('iceconnectionstatechange', check);
    pc.addEventListener('connectionstatechange', check);
    return () => {
      pc.removeEventListener('iceconnectionstatechange', check);
      pc.removeEventListener('connectionstatechange', check);
    };
  }
}

/**
 * The SDH factory for the UserAgent: WebRTC whose only local media is a
 * silent track. `iceGatheringTimeout` is short because sip.js waits for
 * gathering to finish before sending the INVITE.
 */
export function monitorSdhFactory(silentTrack: SilentTrackFactory): SessionDescriptionHandlerFactory {
  return (session: Session, options?: object) => {
    const factoryOptions = (options ?? {}) as Web.SessionDescriptionHandlerFactoryOptions;
    const logger = session.userAgent.getLogger('sip.SessionDescriptionHandler');
    // Never getUserMedia here: whatever constraints sip.js passes, Listen sends silence.
    const mediaStreamFactory: Web.MediaStreamFactory = () => Promise.resolve(new MediaStream([silentTrack()]));
    return new MonitorSessionDescriptionHandler(logger, mediaStreamFactory, {
      iceGatheringTimeout: factoryOptions.iceGatheringTimeout ?? 2000,
      peerConnectionConfiguration: {
        bundlePolicy: 'balanced',
        rtcpMuxPolicy: 'require',
        ...factoryOptions.peerConnectionConfiguration,
      },
    });
  };
}
