import type { Scope } from '../monitor/modes';
import { decide, signedInUser, type PortalUser, type World } from '../monitor/authority';
import type { Verdict } from '../monitor/rules';
import { isLive } from '../monitor/session-machine';
import type { EarshotState } from '../state/snapshot';
import type { PortalAdapter } from './adapter';
import { Disagreements, reconcileCall } from './reconcile';
import { readUser, type AgentRow } from './scan';

/**
 * Who the page shows signed in, as the authority's PortalUser. The page's
 * monitoring right counts only on a page that shows someone signed in: a
 * sign-in page (session expired) has no agents page, and says nothing about
 * the user's rights.
 */
export function portalUser(root: ParentNode, adapter: PortalAdapter): PortalUser {
  const { scope, extension, monitorRight } = readUser(root, adapter);
  const shows = scope !== undefined || extension !== undefined;
  return { ...(scope ? { scope } : {}), ...(extension ? { extension } : {}), ...(shows && monitorRight !== undefined ? { monitorRight } : {}) };
}

/** Rows without the portal's monitor right remembered at most. */
const MAX_REFUSED_ROWS = 5000;

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
  /** Who the page shows signed in changed (and once at first): the background makes it the one signed-in user (report-portal-user). */
  onPortalUser?: (user: PortalUser) => void;
}

/**
 * What the portal's in-page panel shows, from the snapshots and the page: the
 * panel opens on a trusted click or when a session goes live and closes a
 * moment after it ends; users who may not monitor get the rules' reason once,
 * and lose it when someone allowed signs in. No DOM of its own: the content
 * script renders {@link InPageView}.
 */
export function createInPageModel({ root, config, setIconsEnabled, onChange, setTimer, clearTimer, onDisagreement, onPortalUser }: InPageModelOptions) {
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
  let reported: string | undefined;
  let shown: PortalUser = {};

  /** The authority's picture from here: the one signed-in user (the background's, with the page's reading on top). */
  const world = (target?: World['target']): World => ({
    user: signedInUser(view.state?.user ?? { dtmfMonitoringGranted: false }, shown),
    entitlements: { monitorScopes: config.monitorScopes },
    profile: { tapping: config.tapping },
    ...(target ? { target } : {}),
    microphone: view.state?.microphone ?? 'not-needed',
  });
  /** Agents whose row the portal says this user may not monitor, as last read (bounded: a page may show thousands). */
  const refusedRows = new Set<string>();
  /** A row's start as the authority sees it from the page: the portal's row right included. */
  const rowVerdict = (agent: { extension: string }): Verdict =>
    decide(world({ extension: agent.extension, call: view.state?.agents[agent.extension], ...(refusedRows.has(agent.extension) ? { portalMonitorRight: false } : {}) })).start;

  /**
   * May this user monitor at all (the authority, lib/monitor/authority.ts), who is signed in
   * being the settings' user with the portal's header on top when it shows one (signedInUser).
   * Returns whether the notice changed.
   */
  const applyRules = (): boolean => {
    shown = portalUser(root, config.adapter);
    const key = JSON.stringify(shown);
    if (key !== reported) {
      reported = key;
      onPortalUser?.(shown);
    }
    const verdict = decide(world()).start;
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
    /**
     * Whether the agent shows an icon: on a call (the engine's dialog state when it has one, else the
     * portal's column: reconcile.ts), and a row the portal lets the user monitor (the authority decides).
     */
    isOnCall(agent: AgentRow): boolean {
      const verdict = reconcileCall(agent.extension, agent, view.state?.agents[agent.extension]);
      disagreements?.note(agent.extension, verdict.disagreement);
      if (agent.monitorRight !== false) {
        refusedRows.delete(agent.extension);
        return verdict.onCall;
      }
      if (refusedRows.size >= MAX_REFUSED_ROWS) refusedRows.clear();
      refusedRows.add(agent.extension);
      return verdict.onCall && rowVerdict(agent).allowed;
    },
    /** May a click on this row's icon start monitoring, as far as the page can tell (the background and the PBX decide again). */
    startVerdict: rowVerdict,
    /** Tells the background again who the page shows (a restarted background forgot it). */
    reportUserAgain(): void {
      reported = undefined;
      if (applyRules()) onChange(view);
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
