import type { PortalRequestKind } from '../pbx/profiles';
import type { PortalAdapter } from '../portals/adapter';
import type { RuleOptions } from '../monitor/rules';
import type { EngineConfig } from '../contract/engine';
import type { UserState } from '../state/snapshot';
import type { MergeResult, SettingsError } from './merge';

/**
 * What lib/settings gives the contexts above it: the background's view
 * (CoordinatorSettings, through a SettingsSource) and the options page's
 * (SettingsState, SaveResult). Declared here, by the layer that produces
 * them, so neither lib/settings nor lib/platform's store imports the
 * coordinator.
 */

/** What the settings say about the supervisor and the setup. */
export interface SettingsView {
  configured: boolean;
  user: UserState;
}

/** What the background needs from the settings (managed > user > defaults, merged by lib/settings). */
export interface CoordinatorSettings {
  /** Origins of the configured portal(s), e.g. `https://portal.example.com`. */
  portalOrigins: string[];
  /** How to read the portal (built-in adapter or the policy's generic selectors); undefined when none is valid. */
  portalAdapter?: PortalAdapter;
  /** Why there is no adapter, when there is none. */
  portalAdapterError?: string;
  /** The profile has the portal start monitoring (the PBX calls Earshot): how the content script asks it. */
  portalRequest?: PortalRequestKind;
  view: SettingsView;
  /** The engine's configuration; null while Earshot is not set up. */
  engine: EngineConfig | null;
  /** settings.auditRetention: log entries kept. */
  logLimit?: number;
  /** settings.history: whether the session record outlives the browser, and for how many days. */
  history?: { enabled: boolean; days: number };
  /** settings.audit: where session events go; undefined when no endpoint is set (no audit trail). */
  audit?: AuditConfig;
  /** settings.rules: scopes allowed to monitor, Whisper when the counterpart is unknown (lib/monitor/rules). */
  rules?: RuleOptions;
}

/** The audit trail's endpoint and token (a secret: it goes only to the background's delivery). */
export interface AuditConfig {
  endpoint: string;
  token?: string;
  /** Most events kept undelivered; the oldest go first, with a warning. */
  queueLimit: number;
}

/**
 * The narrow settings interface the background calls; lib/platform/settings-store
 * implements it over the browser's storage (managed > user > defaults).
 */
export interface SettingsSource {
  load(): Promise<CoordinatorSettings>;
  /** Calls back when the settings change; returns the remover. */
  onChange(callback: () => void): () => void;
}

/** The merge, plus what the options page needs to edit the user's layer. */
export interface SettingsState extends MergeResult {
  /** The user's stored options (credentials of 'prompt' mode included), as stored. */
  user: Record<string, unknown>;
}

export type SaveResult = { ok: true; state: SettingsState } | { ok: false; errors: SettingsError[] };
