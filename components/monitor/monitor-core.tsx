import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { SendCommand } from '../../lib/messaging/commands';
import type { Mode } from '../../lib/monitor/modes';
import { isLive } from '../../lib/monitor/session-machine';
import type { EarshotState } from '../../lib/state/snapshot';
import { t } from '../i18n';
import { sessionStatusText } from './format';
import { HoldToWhisper } from './hold-to-whisper';
import { LevelMeter } from './level-meter';
import { ModeGroup } from './mode-group';
import { RegistrationStatus } from './registration-status';
import { SessionTimer } from './session-timer';
import { WhoHears } from './who-hears';

/** What the side panel's extra tools get from the core: the state and the command runner. */
export interface MonitorTools {
  state: EarshotState;
  send: SendCommand;
  /** A session is under way. */
  live: boolean;
  /** Sends a command; a refusal shows as the panel's notice. */
  run: (command: Parameters<SendCommand>[0]) => Promise<void>;
  setNotice: (text: string) => void;
}

/** Props of {@link MonitorCore}. */
export interface MonitorCoreProps {
  /** The one snapshot to render; undefined while the first one is on its way. */
  state: EarshotState | undefined;
  /** Sends a command to the background; the panel never messages by itself. */
  send: SendCommand;
  /** Clock for the timer (tests). */
  now?: () => number;
  /** Shown instead of the content while disconnected from the background. */
  connected?: boolean;
  /** Opens the page that grants the microphone once (Chrome); the link shows while it is not granted. */
  onAllowMicrophone?: () => void;
  /** More below the session (the side panel: "monitor an extension" and the session log). */
  tools?: (tools: MonitorTools) => ComponentChildren;
  /** The page's own "Earshot" heading (the side panel); false inside a panel with a heading of its own (in-page). */
  heading?: boolean;
}

/**
 * The session controls: registration, the agent monitored, the mode buttons,
 * timer, levels, hang up. Renders from one {@link EarshotState}. The in-page
 * panel shows just this (so the portal's content script stays small); the
 * side panel adds its tools (MonitorPanel). Its CSS works inside a shadow root.
 */
export function MonitorCore({ state, send, now, connected = true, onAllowMicrophone, tools, heading = true }: MonitorCoreProps) {
  const [notice, setNotice] = useState<string>('');

  const run = async (command: Parameters<SendCommand>[0]): Promise<void> => {
    const result = await send(command);
    setNotice(result.ok ? '' : result.reason);
  };

  if (!state) {
    return (
      <div class="earshot-panel">
        <p role="status" aria-live="polite">
          {connected ? t('loading') : t('connectingToEarshot')}
        </p>
      </div>
    );
  }

  const session = state.session;
  const live = session !== null && isLive(session.status);
  const message = session?.message;
  const announce = [
    !connected ? t('reconnectingToEarshot') : '',
    session ? sessionStatusText(session) : '',
    message ?? '',
    notice,
  ]
    .filter(Boolean)
    .join(' ');

  const selectMode = (mode: Mode) => void run({ type: 'set-mode', mode });
  return (
    <div class="earshot-panel" data-session={session?.status ?? 'none'} data-heard-at={session?.heardAt}>
      {heading ? (
        <header class="earshot-header">
          <h1 class="earshot-title">{t('extName')}</h1>
          <RegistrationStatus state={state} />
        </header>
      ) : (
        <div class="earshot-header">
          <RegistrationStatus state={state} />
        </div>
      )}

      <div
        class={`earshot-live earshot-status-${session?.status ?? 'none'}`}
        role="status"
        aria-live="polite"
        aria-atomic="true"
      >
        {announce}
      </div>

      <section class="earshot-session" aria-label={t('sessionRegion')}>
        {session ? (
          <>
            <p class="earshot-agent">
              <span class="earshot-label">{t('agentLabel')}</span>{' '}
              <span class="earshot-agent-name">{session.agent.name ?? t('agentExtensionOnly', session.agent.extension)}</span>{' '}
              <span class="earshot-agent-ext">{t('agentExtensionShort', session.agent.extension)}</span>
            </p>
            {live && session.status === 'active' && <WhoHears session={session} call={state.agents[session.agent.extension]} />}
            {live && <ModeGroup session={session} onSelect={selectMode} />}
            {live && session.status === 'active' && <HoldToWhisper session={session} onSelect={selectMode} />}
            <SessionTimer startedAt={session.startedAt} endedAt={session.endedAt} now={now} />
            {live && (
              <div class="earshot-meters">
                <LevelMeter label={t('meterHeard')} value={session.levels.heard} />
                <LevelMeter label={t('meterSent')} value={session.levels.sent} />
              </div>
            )}
            {state.microphone === 'denied' && live && (
              <p class="earshot-reason">{t('microphoneBlockedHint')}</p>
            )}
            {onAllowMicrophone && live && (state.microphone === 'denied' || state.microphone === 'unknown') && (
              <button type="button" class="earshot-link" onClick={onAllowMicrophone}>
                {t('allowMicrophone')}
              </button>
            )}
            {live && (
              <button
                type="button"
                class="earshot-hangup"
                disabled={session.status === 'ending'}
                onClick={() => void run({ type: 'hangup' })}
              >
                {t('hangUp')}
              </button>
            )}
          </>
        ) : (
          <p class="earshot-muted">
            {t('notMonitoring')}
          </p>
        )}
      </section>

      {tools?.({ state, send, live, run, setNotice })}
    </div>
  );
}
