import type { Scope } from '../monitor/modes';
import { decide, signedInUser, type PortalUser } from '../monitor/authority';
import { isLive } from '../monitor/session-machine';
import type { EarshotState } from '../state/snapshot';
import type { PortalAdapter } from './adapter';
import { Disagreements, reconcileCall } from './reconcile';
import { readUser, type AgentRow } from './scan';

/** Who the page shows signed in, as the authority's PortalUser (the monitoring right stays out of it: docs/portals.md). */
function portalUser(root: ParentNode, adapter: PortalAdapter): PortalUser {
  const { scope, extension } = readUser(root, adapter);
  return { ...(scope ? { scope } : {}), ...(extension ? { extension } : {}) };
}

/** How long the in-page panel stays after a session ends normally, so its last message can be read (a failure stays until closed). */
export const PANEL_LINGER_MS = 4000;

/** What the in-page panel renders. */
export interface InPageView {
  state: EarshotState | undefined;
  connected: boolean;
  open: boolean;
  /** The one-time "you may not monitor" notice, or a refused start. */
  notice: string | undefined;
}

export interface InPageModelOptions {
  /** Where the portal shows who is signed in. */
  root: ParentNode;
  config: { adapter: PortalAdapter; monitorScopes: readonly Scope[]; tapping: boolean };
  /** Shows or hides every icon (the user may monitor, or not). */
  setIconsEnabled: (enabled: boolean) => void;
  /** Something the panel shows changed. */
  onChange: (view: Readonly<InPageView>) => void;
  /** The content script's timers (its lifetime's `ctx.setTimeout`), so none outlives the UI. */
  setTimer: (callback: () => void, ms: number) => number;
  clearTimer: (id: number | undefined) => void;
  /** The portal and the PBX's dialog-info disagree about an agent's call (told once per agent and kind): log it. */
  onDisagreement?: (text: string) => void;
}

/**
 * What the portal's in-page panel shows, from the snapshots and the page: the
 * panel opens on a trusted click or when a session goes live and closes a
 * moment after it ends; users who may not monitor get the rules' reason once,
 * and lose it when someone allowed signs in. No DOM of its own: the content
 * script renders {@link InPageView}.
 */
export function createInPageModel({ root, config, setIconsEnabled, onChange, setTimer, clearTimer, onDisagreement }: InPageModelOptions) {
  const disagreements = onDisagreement ? new Disagreements(onDisagreement) : undefined;
  const view: InPageView = { state: undefined, connected: false, open: false, notice: undefined };
  let rulesNotice: string | undefined;
  let rulesNoticeShown = false;
  let closing: number | undefined;
  const update = (change: Partial<InPageView>) => {
    Object.assign(view, change);
    onChange(view);
  };
  const sessionLive = (state: EarshotState | undefined) => (state?.session ? isLive(state.session.status) : false);

  /**
   * May this user monitor at all (the authority, lib/monitor/authority.ts), who is signed in
   * being the settings' user with the portal's header on top when it shows one (signedInUser).
   * Returns whether the notice changed.
   */
  const applyRules = (): boolean => {
    const verdict = decide({
      user: signedInUser(view.state?.user ?? { dtmfMonitoringGranted: false }, portalUser(root, config.adapter)),
      entitlements: { monitorScopes: config.monitorScopes },
      profile: { tapping: config.tapping },
      microphone: view.state?.microphone ?? 'not-needed',
    }).start;
    setIconsEnabled(verdict.allowed);
    if (!verdict.allowed && !rulesNoticeShown) {
      rulesNoticeShown = true;
      view.notice = rulesNotice = verdict.reason;
      return true;
    }
    if (verdict.allowed && view.notice !== undefined && view.notice === rulesNotice) {
      // Someone allowed signed in since: the refusal no longer applies.
      view.notice = rulesNotice = undefined;
      rulesNoticeShown = false;
      return true;
    }
    return false;
  };

  return {
    view: view as Readonly<InPageView>,
    applyRules,
    /** Whether the agent shows an icon: the engine's dialog state when it has one, else the portal's column (reconcile.ts). */
    isOnCall(agent: AgentRow): boolean {
      const verdict = reconcileCall(agent.extension, agent, view.state?.agents[agent.extension]);
      disagreements?.note(agent.extension, verdict.disagreement);
      return verdict.onCall;
    },
    /** Opens (true) or closes the panel. */
    setOpen: (open: boolean) => update({ open }),
    /** Shows a reason (a refused start) or, with undefined, dismisses the notice. */
    setNotice: (notice: string | undefined) => update({ notice }),
    setConnected: (connected: boolean) => update({ connected }),
    /** A new snapshot from the background. */
    receive(next: EarshotState): void {
      const wasLive = sessionLive(view.state);
      const live = sessionLive(next);
      view.state = next;
      if (!wasLive && live) view.open = true;
      // Out of the way of the agent list once the session is over (the side panel keeps the log);
      // a failure stays until the supervisor closes the panel: its message says what to do.
      clearTimer(closing);
      if (wasLive && !live && next.session?.status !== 'failed') closing = setTimer(() => update({ open: false }), PANEL_LINGER_MS);
      applyRules();
      onChange(view);
    },
    /** The portal changed its page: a single-page portal may have signed someone else in. */
    pageChanged(): void {
      if (applyRules()) onChange(view);
    },
  };
}

/** The model made by {@link createInPageModel}. */
export type InPageModel = ReturnType<typeof createInPageModel>;
