import { browser } from 'wxt/browser';

/** This extension's id (`runtime.id`). */
export function runtimeId(): string {
  return browser.runtime.id;
}

/** The base URL of our own pages, with a trailing slash (`chrome-extension://<id>/`). */
export function extensionBaseUrl(): string {
  return browser.runtime.getURL('/');
}
