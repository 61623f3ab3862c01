import type { SessionSnapshot } from '../../lib/state/snapshot';
import { t } from '../i18n';
import { modeLabel, nameWithExtension } from './format';

/** What the toolbar button shows: badge text and colour, and its tooltip. */
export interface ToolbarIndicator {
  text: string;
  color: string;
  title: string;
}

/** Badge colours: Listen calm blue, Whisper amber, Join red (the customer hears the supervisor). */
const COLORS = { listen: '#1a73e8', whisper: '#b06000', barge: '#c5221f', connecting: '#5f6368' } as const;

/**
 * The toolbar button in every tab says whether a session is live and who
 * hears the supervisor: a keyboard shortcut can switch modes from any tab,
 * with no panel in view, so the sign must be where the supervisor looks
 * whatever the page. No badge when no session is live.
 */
export function toolbarIndicator(session: SessionSnapshot | null): ToolbarIndicator {
  const idle = { text: '', color: COLORS.listen, title: t('extName') };
  if (!session) return idle;
  const who = nameWithExtension(session.agent.name, session.agent.extension);
  switch (session.status) {
    case 'connecting':
    case 'reconnecting':
      return { text: '…', color: COLORS.connecting, title: t('toolbarConnecting', who) };
    case 'active': {
      const hears = { listen: t('toolbarNobodyHears'), whisper: t('toolbarAgentHears'), barge: t('toolbarBothHear') }[session.mode];
      const badge = { listen: t('badgeListen'), whisper: t('badgeMic'), barge: t('badgeMic') }[session.mode];
      return { text: badge, color: COLORS[session.mode], title: t('toolbarActive', modeLabel(session.mode), who, hears) };
    }
    default:
      return idle;
  }
}
