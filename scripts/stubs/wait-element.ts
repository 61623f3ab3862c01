/**
 * Stands in for `@1natsu/wait-element` in the portal content script's build
 * (wxt.config.ts). WXT's content-script UIs bundle it for `ui.autoMount()`,
 * which Earshot never calls (its one shadow root is mounted once, on the root
 * element); the real module and its two dependencies cost the script about
 * 4 KB. Calling autoMount there fails loudly instead of doing nothing.
 */
export function waitElement(): Promise<never> {
  return Promise.reject(new Error('ui.autoMount() is not bundled in the portal content script (see wxt.config.ts).'));
}
export const isExist = () => true;
export const isNotExist = () => true;
