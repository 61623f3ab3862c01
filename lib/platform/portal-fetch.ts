import { portalAnswer } from '../portals/portal-request';

/** How long the portal may take to answer a monitor request (it answers before the PBX calls). */
const PORTAL_TIMEOUT_MS = 10_000;

/**
 * Sends a portal's monitor request from the content script as the page
 * itself would: a GET to the page's own origin with the page's cookies (the
 * portal's session; Earshot holds no portal credentials). Firefox gives a
 * content script a fetch with the extension's principal, which sends no
 * Origin or Referer: its `content.fetch` is the page's own. The answer is
 * read as lib/portals/portal-request.ts says (session expired, refused).
 */
export async function askPortal(url: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const pageFetch = (globalThis as { content?: { fetch?: typeof fetch } }).content?.fetch;
  const send: typeof fetch = pageFetch ? pageFetch.bind((globalThis as { content?: object }).content) : fetch;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), PORTAL_TIMEOUT_MS);
  try {
    const response = await send(url, { credentials: 'same-origin', cache: 'no-store', redirect: 'follow', signal: controller.signal });
    const body = (await response.text()).slice(0, 20_000);
    return portalAnswer(response, body);
  } catch (error) {
    const aborted = controller.signal.aborted;
    return { ok: false, reason: aborted ? `the portal did not answer within ${PORTAL_TIMEOUT_MS / 1000} s.` : `the portal could not be reached (${error instanceof Error ? error.message : String(error)}).` };
  } finally {
    clearTimeout(timer);
  }
}
