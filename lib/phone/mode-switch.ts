import { MODE_LABELS, type Mode } from '../monitor/modes';
import { isBug, messageOf, MicrophoneDeniedError } from './errors';
import type { MonitorSession } from './monitor-session';

/**
 * One queued mode switch of `session`, with the microphone choreography around the PBX's part.
 * The microphone is opened only for Whisper/Join and released on the way back to Listen. When it
 * is already granted, it opens while the digits go out (the switch costs max(getUserMedia, DTMF)
 * instead of their sum); the PBX meanwhile gets the silent track, and a microphone that fails anyway
 * sends the PBX back to Listen. When it is not known to be granted (it may prompt or be refused), it
 * is opened first and nothing is sent if it fails. Rejects when the switch failed (the mode stays).
 */
export async function switchMode(session: MonitorSession, from: Mode, to: Mode): Promise<void> {
  const host = session.host;
  const config = host.config();
  if (!config || !session.live) return;
  const talking = to !== 'listen';
  let pendingMic: Promise<MediaStreamTrack> | undefined;
  try {
    // Planned first: a refused mode never opens the microphone.
    const plan = host.logic.modePlan(config, session.agent, from, to, session.availability());
    const redial = plan.some((a) => a.kind === 'dial');
    if (talking && !session.mic) {
      pendingMic = openMicrophone(session);
      if (host.microphoneState() !== 'granted') {
        const mic = pendingMic;
        pendingMic = undefined;
        session.mic = await mic;
      }
    }
    // Closing a call stops its senders' tracks: take the microphone off the old call first,
    // so it moves to the new one alive (Whisper → Join on a one-code-per-mode PBX).
    if (redial && session.mic) await session.call?.silence();
    // Back to Listen: the silent track first (a replaceTrack, about a millisecond), then the
    // digits. Swapping the track while RFC 4733 events play out can lose them at the PBX.
    const switching = (async () => {
      if (!talking) await session.releaseMicrophone();
      await session.execute(plan);
    })();
    const [mic, switched] = await Promise.allSettled([pendingMic, switching]);
    pendingMic = undefined;
    if (mic.status === 'fulfilled' && mic.value) session.mic = mic.value;
    if (switched.status === 'rejected') throw switched.reason;
    if (mic.status === 'rejected') {
      // The PBX switched but there is no microphone: back to Listen there too, so the panel tells the truth.
      if (session.live && session.call?.state === 'up') await backToListen(session, to);
      throw mic.reason;
    }
    if (!session.live) {
      // Hung up while the microphone was opening: it closes at once.
      const track = session.mic;
      session.mic = undefined;
      if (track) host.microphone.release(track);
      return;
    }
    if (session.call?.state !== 'up') {
      session.finish('The PBX ended the session.');
      return;
    }
    if (talking && session.mic && (await session.call.speak(session.mic))) host.audio?.meterSent(session.mic);
    session.message = undefined;
    // The queue takes `to` as the mode once this resolves, and publishes it.
    host.log('mode', `${MODE_LABELS[to]} on ${session.who}.`, { agent: session.agent, mode: to });
  } catch (error) {
    // A microphone still opening when the switch failed is closed as soon as it opens.
    if (pendingMic) {
      void pendingMic.then(
        (track) => host.microphone.release(track),
        (micError: unknown) => host.log('info', `The microphone did not open either: ${messageOf(micError)}`, { agent: session.agent }),
      );
    }
    if (isBug(error)) throw error;
    // Stay (or fall back) in a silent mode: never leave the microphone open after a failed switch.
    if (session.mode === 'listen') await session.releaseMicrophone();
    session.message = messageOf(error);
    host.log('error', `${MODE_LABELS[to]} failed: ${messageOf(error)}`, { agent: session.agent, mode: to });
    host.emit();
    throw error;
  }
}

/** Sends the PBX back to Listen after it switched to `to` without a microphone. */
async function backToListen(session: MonitorSession, to: Mode): Promise<void> {
  const host = session.host;
  const config = host.config();
  if (!config) return;
  try {
    await session.execute(host.logic.modePlan(config, session.agent, to, 'listen', session.availability()));
  } catch (error) {
    if (isBug(error)) throw error;
    host.log('error', `Could not send the PBX back to ${MODE_LABELS.listen}: ${messageOf(error)}`, { agent: session.agent, mode: 'listen' });
  }
}

async function openMicrophone(session: MonitorSession): Promise<MediaStreamTrack> {
  const host = session.host;
  try {
    const track = await host.microphone.acquire();
    host.setMicrophone('granted', false);
    // The page that gave the track closed (Firefox sidebar) or the device went away: back to Listen.
    (track as Partial<EventTarget>).addEventListener?.(
      'ended',
      () => {
        if (session.mic !== track || !session.live) return;
        host.log('error', 'The microphone stopped: back to Listen Only.', { agent: session.agent, mode: 'listen' });
        session.queue?.request('listen');
        host.emit();
      },
      { once: true },
    );
    return track;
  } catch (error) {
    if (error instanceof MicrophoneDeniedError) host.setMicrophone('denied', false);
    throw error;
  }
}
