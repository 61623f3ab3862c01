import { browser } from 'wxt/browser';

/** The slice of Chrome's `chrome.sidePanel` Earshot uses (not in the polyfill's types). */
interface ChromeSidePanel {
  open(options: { tabId?: number; windowId?: number }): Promise<void>;
  setPanelBehavior(behavior: { openPanelOnActionClick: boolean }): Promise<void>;
}

/** The slice of Firefox's `sidebarAction`. */
interface FirefoxSidebarAction {
  open(): Promise<void>;
}

function chromeSidePanel(): ChromeSidePanel | undefined {
  return (globalThis as { chrome?: { sidePanel?: ChromeSidePanel } }).chrome?.sidePanel;
}

function firefoxSidebar(): FirefoxSidebarAction | undefined {
  return (browser as unknown as { sidebarAction?: FirefoxSidebarAction }).sidebarAction;
}

/** Chrome: let the toolbar button open the side panel by itself. No-op elsewhere. */
export function openPanelOnActionClick(): Promise<void> {
  const panel = chromeSidePanel();
  return panel ? panel.setPanelBehavior({ openPanelOnActionClick: true }) : Promise.resolve();
}

/**
 * Opens the panel for a tab. Chrome only keeps the user gesture if this is
 * the first call of the message handler: call it before any `await`. Firefox
 * refuses `sidebarAction.open()` from a click inside a web page, so there
 * the promise rejects and the in-page panel says to use the toolbar button.
 */
export function openPanelForTab(tabId: number): Promise<void> {
  const panel = chromeSidePanel();
  if (panel) return panel.open({ tabId });
  const sidebar = firefoxSidebar();
  return sidebar ? sidebar.open() : Promise.reject(new Error('No side panel in this browser.'));
}

/**
 * Firefox: the toolbar button (browser_action) opens the sidebar. Must be
 * registered synchronously at top level (the click is the user gesture).
 */
export function openSidebarOnActionClick(): void {
  const sidebar = firefoxSidebar();
  if (!sidebar) return;
  const action = browser.browserAction ?? browser.action;
  action?.onClicked.addListener(() => {
    void sidebar.open();
  });
}
