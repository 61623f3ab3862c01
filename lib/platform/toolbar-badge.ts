import { browser } from 'wxt/browser';

/** What the toolbar button shows (components/monitor/toolbar-indicator.ts computes it). */
export interface ToolbarBadge {
  text: string;
  color: string;
  title: string;
}

/**
 * Applies a badge to the toolbar button (Chrome MV3 `action`, Firefox MV2
 * `browserAction`), only when it changed: the state publishes several times a
 * second during a session.
 */
export function toolbarBadge(onError: (error: unknown) => void): (badge: ToolbarBadge) => void {
  const action = browser.action ?? browser.browserAction;
  let shown = '';
  return (badge) => {
    const key = JSON.stringify(badge);
    if (key === shown) return;
    shown = key;
    void Promise.all([
      action.setBadgeText({ text: badge.text }),
      action.setBadgeBackgroundColor({ color: badge.color }),
      action.setTitle({ title: badge.title }),
    ]).catch(onError);
  };
}
