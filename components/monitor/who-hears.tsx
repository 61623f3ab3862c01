import type { AgentCallState, SessionSnapshot } from '../../lib/state/snapshot';
import { t } from '../i18n';

/** Props of {@link WhoHears}. */
export interface WhoHearsProps {
  session: SessionSnapshot;
  /** The agent's call as Earshot knows it (the other party, when the PBX or the portal named it). */
  call: AgentCallState | undefined;
}

/** The other party as the supervisor reads it: its name and number, or its number, or unknown. */
function otherPartyText(call: AgentCallState | undefined): string {
  const remote = call?.remote;
  if (!remote) return t('otherPartyUnknown');
  const number = remote.uri.replace(/^sips?:/, '').replace(/@.*$/, '');
  return remote.display && remote.display !== number ? t('otherPartyNamed', remote.display, number) : number;
}

/**
 * Who hears the supervisor, per party, impossible to miss: the agent and the
 * other party (with their number) each marked "hears you" or "does not hear
 * you", and the live-microphone sign while the microphone is open (Whisper,
 * Join). Join is the only mode in which the other party (a customer) hears.
 */
export function WhoHears({ session, call }: WhoHearsProps) {
  const mode = session.mode;
  const agentHears = mode !== 'listen';
  const otherHears = mode === 'barge';
  const row = (label: string, who: string | undefined, hears: boolean, kind: string) => (
    <li class={`earshot-party ${hears ? 'earshot-hears' : 'earshot-not-hears'}`} data-party={kind}>
      <span class="earshot-party-who">
        <span class="earshot-label">{label}</span>
        {who !== undefined && ` ${who}`}
      </span>
      <span class="earshot-party-hears">{hears ? t('hearsYou') : t('doesNotHearYou')}</span>
    </li>
  );
  return (
    <div class="earshot-who-hears" data-mode={mode}>
      {agentHears && (
        <p class="earshot-mic-live" role="status">
          <span class="earshot-mic-dot" aria-hidden="true" /> {otherHears ? t('micLiveBoth') : t('micLiveAgent')}
        </p>
      )}
      <ul class="earshot-parties" aria-label={t('whoHearsYou')}>
        {/* The agent is named just above: the row says only whether they hear. */}
        {row(t('agentLabel'), undefined, agentHears, 'agent')}
        {row(t('otherPartyLabel'), otherPartyText(call), otherHears, 'other')}
      </ul>
    </div>
  );
}
