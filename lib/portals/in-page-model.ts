import type { Scope } from '../monitor/modes';
import { canStartMonitoring } from '../monitor/rules';
import { isLive } from '../monitor/session-machine';
import type { EarshotState } from '../state/snapshot';
import type { PortalAdapter } from './adapter';
import { readUser, type AgentRow } from './scan';

/** How long the in-page panel stays after a session ends, so its last message can be read. */
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
}

/**
 * What the portal's in-page panel shows, from the snapshots and the page: the
 * panel opens on a trusted click or when a session goes live and closes a
 * moment after it ends; users who may not monitor get the rules' reason once,
 * and lose it when someone allowed signs in. No DOM of its own: the content
 * script renders {@link InPageView}.
 */
export class InPageModel {
  readonly view: InPageView = { state: undefined, connected: false, open: false, notice: undefined };
  private rulesNotice: string | undefined;
  private rulesNoticeShown = false;
  private closing: number | undefined;

  constructor(private readonly options: InPageModelOptions) {}

  /** Whether the agent shows an icon: the engine's dialog state when it has one, else the portal's column. */
  readonly isOnCall = (agent: AgentRow): boolean => {
    const known = this.view.state?.agents[agent.extension];
    if (known && known.dialog !== 'unknown') return known.dialog === 'confirmed';
    return agent.portalOnCall ?? false;
  };

  /** Opens (true) or closes the panel. */
  setOpen(open: boolean): void {
    this.update({ open });
  }

  /** Shows a reason (a refused start) or, with undefined, dismisses the notice. */
  setNotice(notice: string | undefined): void {
    this.update({ notice });
  }

  setConnected(connected: boolean): void {
    this.update({ connected });
  }

  /** A new snapshot from the background. */
  receive(next: EarshotState): void {
    const wasLive = this.view.state?.session ? isLive(this.view.state.session.status) : false;
    const live = next.session ? isLive(next.session.status) : false;
    this.view.state = next;
    if (!wasLive && live) this.view.open = true;
    // Out of the way of the agent list once the session is over (the side panel keeps the log).
    this.options.clearTimer(this.closing);
    if (wasLive && !live) this.closing = this.options.setTimer(() => this.setOpen(false), PANEL_LINGER_MS);
    this.applyRules();
    this.options.onChange(this.view);
  }

  /** The portal changed its page: a single-page portal may have signed someone else in. */
  pageChanged(): void {
    if (this.applyRules()) this.options.onChange(this.view);
  }

  /**
   * Who is signed in: the portal's header when it shows it, else Earshot's settings.
   * Returns whether the notice changed.
   */
  applyRules(): boolean {
    const { config } = this.options;
    const user = { ...this.view.state?.user, ...readUser(this.options.root, config.adapter) };
    const verdict = canStartMonitoring({ dtmfMonitoringGranted: false, ...user }, config);
    this.options.setIconsEnabled(verdict.allowed);
    if (!verdict.allowed && !this.rulesNoticeShown) {
      this.rulesNoticeShown = true;
      this.view.notice = this.rulesNotice = verdict.reason;
      return true;
    }
    if (verdict.allowed && this.view.notice !== undefined && this.view.notice === this.rulesNotice) {
      // Someone allowed signed in since: the refusal no longer applies.
      this.view.notice = this.rulesNotice = undefined;
      this.rulesNoticeShown = false;
      return true;
    }
    return false;
  }

  private update(change: Partial<InPageView>): void {
    Object.assign(this.view, change);
    this.options.onChange(this.view);
  }
}
