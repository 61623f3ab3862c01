import type { EngineConfig } from '../phone/engine-api';
import type { SettingsView } from './coordinator';

/** What the background needs from the settings (managed > user > defaults, merged by lib/settings). */
export interface CoordinatorSettings {
  /** Origins of the configured portal(s), e.g. `https://portal.example.com`. */
  portalOrigins: string[];
  view: SettingsView;
  /** The engine's configuration; null while Earshot is not set up. */
  engine: EngineConfig | null;
  /** settings.auditRetention: log entries kept. */
  logLimit?: number;
}

/**
 * The narrow settings interface the background calls. lib/settings (written
 * concurrently) is meant to implement it; {@link unconfiguredSettings} stands
 * in until then.
 */
export interface SettingsSource {
  load(): Promise<CoordinatorSettings>;
  /** Calls back when the settings change; returns the remover. */
  onChange(callback: () => void): () => void;
}

/** Settings of an Earshot nobody has set up: no portal, no engine configuration. */
export const unconfiguredSettings: SettingsSource = {
  load: () =>
    Promise.resolve({
      portalOrigins: [],
      view: { configured: false, user: { dtmfMonitoringGranted: false } },
      engine: null,
    }),
  onChange: () => () => undefined,
};
