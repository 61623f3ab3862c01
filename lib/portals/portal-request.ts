import type { PortalRequestKind } from '../pbx/profiles';

/**
 * The request that asks a portal to start monitoring an agent, where the
 * portal has the PBX call the supervisor (shared/design/portals.md): read
 * from the agent's row, the way the portal's own control would send it.
 * Only a request to the page's own origin, of the exact shape the portal
 * uses, is ever made: a page whose controls point elsewhere gets a refusal,
 * never a request (a hostile page cannot aim Earshot at another site).
 */
export type PortalRequest = { ok: true; url: string } | { ok: false; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXTENSION = /^[0-9A-Za-z_.+-]{1,32}$/;

/**
 * FusionPBX's call-center page: the row's Eavesdrop button asks
 * `call_center_exec.php?command=eavesdrop&uuid=<agent channel>&extension=<ext>`
 * (in its inline onclick, after a confirm()); the channel uuid is nowhere else.
 */
function fusionpbxEavesdrop(row: Element, pageUrl: string, agent: string): PortalRequest {
  const button = row.querySelector('button[title="Eavesdrop"]');
  if (!button) return { ok: false, reason: 'the portal shows no Eavesdrop button on this agent’s row (no call to eavesdrop on, or no right to).' };
  const onclick = button.getAttribute('onclick') ?? '';
  // The quoted address the handler sends, whole (a page could aim it at another site: checked below).
  const found = /['"]([^'"]*call_center_exec\.php\?[^'"]*)['"]/.exec(onclick);
  if (!found) return { ok: false, reason: 'the Eavesdrop button on this row does not say which call it would eavesdrop on.' };
  let url: URL;
  try {
    // The attribute holds the query as HTML had it (`&amp;` already decoded by the parser).
    url = new URL(found[1]!, pageUrl);
  } catch {
    return { ok: false, reason: 'the Eavesdrop button’s request is not a valid address.' };
  }
  const page = new URL(pageUrl);
  const params = url.searchParams;
  if (url.origin !== page.origin) return { ok: false, reason: `the Eavesdrop button points to another site (${url.origin}): not sent.` };
  if (params.get('command') !== 'eavesdrop' || !UUID.test(params.get('uuid') ?? '') || !EXTENSION.test(params.get('extension') ?? '')) {
    return { ok: false, reason: 'the Eavesdrop button’s request is not the one FusionPBX makes (command, call uuid, extension): not sent.' };
  }
  // FusionPBX's `extension` is the agent's (the PBX's call then comes from it): a row whose button names another is refused.
  if (params.get('extension') !== agent) {
    return { ok: false, reason: `the Eavesdrop button on this row is for extension ${params.get('extension')}, not ${agent}: not sent.` };
  }
  // Exactly those three parameters, in FusionPBX's order: nothing else the page may have added rides along.
  const clean = new URL(url.pathname, page.origin);
  clean.search = new URLSearchParams({ command: 'eavesdrop', uuid: params.get('uuid')!, extension: params.get('extension')! }).toString();
  return { ok: true, url: clean.toString() };
}

/** The portal request of `kind` for `agent` (its extension) on `row` of the page at `pageUrl`. */
export function portalMonitorRequest(kind: PortalRequestKind, row: Element, pageUrl: string, agent: string): PortalRequest {
  switch (kind) {
    case 'fusionpbx-eavesdrop':
      return fusionpbxEavesdrop(row, pageUrl, agent);
  }
}

/** What the portal's answer means for the session: taken, or refused with a reason in plain words. */
export function portalAnswer(response: { ok: boolean; status: number; statusText: string; redirected: boolean; url: string }, body: string): { ok: true } | { ok: false; reason: string } {
  // FusionPBX sends a signed-out user to its login page (a 200 after a redirect).
  if (/\/login\.php|\/login\b/i.test(response.redirected ? response.url : '') || /name=["']?password/i.test(body)) {
    return { ok: false, reason: 'your portal session has expired. Sign in to the portal again, then click the icon again.' };
  }
  if (response.ok) return { ok: true };
  const text = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
  if (response.status === 401) return { ok: false, reason: `your portal session has expired (401). Sign in to the portal again.${text ? ` The portal said: ${text}` : ''}` };
  if (response.status === 403) return { ok: false, reason: `the portal does not let you eavesdrop on this call (403).${text ? ` The portal said: ${text}` : ''}` };
  return { ok: false, reason: `the portal answered ${response.status} ${response.statusText}${text ? `: ${text}` : ''}.` };
}
