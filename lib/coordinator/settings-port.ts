import type { PortalAdapter } from '../portals/adapter';
import type { RuleOptions } from '../monitor/rules';
import type { EngineConfig } from '../contract/engine';
import type { SettingsView } from './coordinator';

/** What the background needs from the settings (managed > user > defaults, merged by lib/settings). */
export interface CoordinatorSettings {
  /** Origins of the configured portal(s), e.g. `https://portal.example.com`. */
  portalOrigins: string[];
  /** How to read the portal (built-in adapter or the policy's generic selectors); undefined when none is valid. */
  portalAdapter?: PortalAdapter;
  /** Why there is no adapter, when there is none. */
  portalAdapterError?: string;
  view: SettingsView;
  /** The engine's configuration; null while Earshot is not set up. */
  engine: EngineConfig | null;
  /** settings.auditRetention: log entries kept. */
  logLimit?: number;
  /** settings.rules: scopes allowed to monitor, Whisper when the counterpart is unknown (lib/monitor/rules). */
  rules?: RuleOptions;
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
