/**
 * Styles of {@link MonitorPanel}: class selectors under `.earshot-panel`
 * only (no `body`, no element-wide rules), so the same string works in an
 * extension page and injected into the in-page panel's shadow root. Light
 * and dark follow `prefers-color-scheme`.
 */
export const MONITOR_PANEL_CSS = `
.earshot-panel {
  --earshot-bg: #ffffff;
  --earshot-fg: #1b1f24;
  --earshot-muted: #57606a;
  --earshot-border: #d0d7de;
  --earshot-accent: #0a5bd3;
  --earshot-accent-fg: #ffffff;
  --earshot-danger: #b42318;
  --earshot-danger-fg: #ffffff;
  --earshot-ok: #1a7f37;
  --earshot-warn: #9a6700;
  --earshot-track: #e6e9ed;
  --earshot-focus: #0a5bd3;
  color-scheme: light dark;
  box-sizing: border-box;
  display: flex;
  flex-direction: column;
  gap: 12px;
  padding: 12px;
  background: var(--earshot-bg);
  color: var(--earshot-fg);
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  .earshot-panel {
    --earshot-bg: #16191d;
    --earshot-fg: #e6edf3;
    --earshot-muted: #9aa5b1;
    --earshot-border: #3b434c;
    --earshot-accent: #4c9aff;
    --earshot-accent-fg: #0b1220;
    --earshot-danger: #ff7b72;
    --earshot-danger-fg: #1b0b0a;
    --earshot-ok: #3fb950;
    --earshot-warn: #d29922;
    --earshot-track: #2b3138;
    --earshot-focus: #4c9aff;
  }
}
.earshot-panel *, .earshot-panel *::before, .earshot-panel *::after { box-sizing: inherit; }
.earshot-panel p { margin: 0; }
.earshot-header { display: flex; flex-direction: column; gap: 4px; }
.earshot-title { margin: 0; font-size: 16px; font-weight: 600; }
.earshot-heading { margin: 0; font-size: 14px; font-weight: 600; }
.earshot-label { color: var(--earshot-muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.earshot-muted { color: var(--earshot-muted); }
.earshot-registration { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
.earshot-dot { width: 10px; height: 10px; border-radius: 50%; background: var(--earshot-muted); flex: none; }
.earshot-reg-registered .earshot-dot { background: var(--earshot-ok); }
.earshot-reg-connecting .earshot-dot, .earshot-reg-reconnecting .earshot-dot { background: var(--earshot-warn); }
.earshot-reg-failed .earshot-dot { background: var(--earshot-danger); }
.earshot-reg-message { flex-basis: 100%; color: var(--earshot-muted); }
.earshot-live:empty { display: none; }
.earshot-live { padding: 8px; border-radius: 6px; border: 1px solid var(--earshot-border); }
.earshot-status-failed { border-color: var(--earshot-danger); }
.earshot-session { display: flex; flex-direction: column; gap: 8px; }
.earshot-agent-name { font-weight: 600; }
.earshot-agent-ext { color: var(--earshot-muted); }
.earshot-modes { display: flex; flex-wrap: wrap; gap: 6px; }
.earshot-mode { display: flex; flex-direction: column; gap: 2px; flex: 1 1 90px; }
.earshot-panel button {
  font: inherit;
  min-height: 32px;
  padding: 4px 10px;
  border-radius: 6px;
  border: 1px solid var(--earshot-border);
  background: transparent;
  color: var(--earshot-fg);
  cursor: pointer;
}
.earshot-panel button:focus-visible, .earshot-panel input:focus-visible {
  outline: 2px solid var(--earshot-focus);
  outline-offset: 2px;
}
.earshot-panel button[aria-pressed="true"] {
  background: var(--earshot-accent);
  border-color: var(--earshot-accent);
  color: var(--earshot-accent-fg);
  font-weight: 600;
}
.earshot-panel button[aria-busy="true"] { border-style: dashed; border-color: var(--earshot-accent); }
.earshot-panel button[aria-disabled="true"], .earshot-panel button:disabled { opacity: .55; cursor: not-allowed; }
.earshot-reason { color: var(--earshot-muted); font-size: 12px; }
.earshot-timer { font-variant-numeric: tabular-nums; }
.earshot-meters { display: grid; gap: 4px; }
.earshot-meter { display: grid; grid-template-columns: 48px 1fr; align-items: center; gap: 8px; }
.earshot-meter-track { height: 8px; border-radius: 4px; background: var(--earshot-track); overflow: hidden; }
.earshot-meter-fill { height: 100%; background: var(--earshot-ok); transition: width .15s linear; }
.earshot-panel .earshot-hangup { background: var(--earshot-danger); border-color: var(--earshot-danger); color: var(--earshot-danger-fg); font-weight: 600; }
.earshot-dtmf { display: flex; flex-direction: column; gap: 6px; }
.earshot-row { display: flex; gap: 6px; align-items: center; }
.earshot-panel input {
  font: inherit;
  min-height: 32px;
  padding: 4px 8px;
  width: 8em;
  border-radius: 6px;
  border: 1px solid var(--earshot-border);
  background: var(--earshot-bg);
  color: var(--earshot-fg);
}
.earshot-log { display: flex; flex-direction: column; gap: 6px; }
.earshot-log-head { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
.earshot-log-list { margin: 0; padding: 0; list-style: none; max-height: 240px; overflow: auto; font-size: 12px; }
.earshot-log-list li { padding: 3px 0; border-bottom: 1px solid var(--earshot-border); }
.earshot-log-list time { color: var(--earshot-muted); font-variant-numeric: tabular-nums; }
.earshot-log-kind { font-weight: 600; }
.earshot-log-error .earshot-log-kind { color: var(--earshot-danger); }
.earshot-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (prefers-reduced-motion: reduce) { .earshot-meter-fill { transition: none; } }
.earshot-ptt { justify-self: start; padding: 4px 10px; border-radius: 6px; border: 1px solid var(--earshot-border); background: transparent; color: inherit; font: inherit; }
.earshot-ptt[aria-disabled='true'] { opacity: 0.5; }
.earshot-link { all: unset; cursor: pointer; color: var(--earshot-accent, #0b57d0); text-decoration: underline; font-size: 13px; }
.earshot-link:focus-visible { outline: 2px solid currentColor; outline-offset: 2px; }
`;
