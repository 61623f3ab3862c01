// The portal's monitor request read from an agent's row (FusionPBX's Eavesdrop
// button), and what the portal's answer means, in happy-dom with rows written
// from shared/design/portals.md.
import { describe, expect, it } from 'vitest';
import { portalAnswer, portalMonitorRequest } from '../../lib/portals/portal-request';

const PAGE = 'https://pbx.example.com/app/call_center_active/call_center_active.php?queue_name=q&name=Support';
const UUID = '3c0b8a4e-5d1f-4e8a-9b6c-0000000010b1';

function row(onclick: string | null, title = 'Eavesdrop'): Element {
  const tr = document.createElement('tr');
  const td = document.createElement('td');
  td.className = 'no-link';
  const button = document.createElement('button');
  button.title = title;
  if (onclick !== null) button.setAttribute('onclick', onclick);
  td.append(button);
  tr.append(td);
  return tr;
}

const fusion = (query: string) => `if (confirm('Are you sure you want to eavesdrop?')) { send_command('${query}'); } return false;`;

describe('portalMonitorRequest: FusionPBX Eavesdrop', () => {
  it("takes the row's request as the button would send it, on the page's own origin", () => {
    expect(portalMonitorRequest('fusionpbx-eavesdrop', row(fusion(`call_center_exec.php?command=eavesdrop&uuid=${UUID}&extension=1001`)), PAGE, '1001')).toEqual({
      ok: true,
      url: `https://pbx.example.com/app/call_center_active/call_center_exec.php?command=eavesdrop&uuid=${UUID}&extension=1001`,
    });
  });

  it('sends only the three parameters FusionPBX uses, whatever else the page put in', () => {
    const request = portalMonitorRequest('fusionpbx-eavesdrop', row(fusion(`call_center_exec.php?command=eavesdrop&uuid=${UUID}&extension=1001&redirect=https://evil.example`)), PAGE, '1001');
    expect(request.ok && new URL(request.url).searchParams.toString()).toBe(`command=eavesdrop&uuid=${UUID}&extension=1001`);
  });

  it.each([
    ['no Eavesdrop button', row(null, 'Transfer'), 'shows no Eavesdrop button'],
    ['a button with no request', row('return false;'), 'does not say which call'],
    ['a request to another site', row(fusion(`https://evil.example/call_center_exec.php?command=eavesdrop&uuid=${UUID}&extension=1001`)), 'points to another site (https://evil.example): not sent'],
    ['another command', row(fusion(`call_center_exec.php?command=hangup&uuid=${UUID}&extension=1001`)), 'is not the one FusionPBX makes'],
    ['no channel uuid', row(fusion('call_center_exec.php?command=eavesdrop&uuid=x&extension=1001')), 'is not the one FusionPBX makes'],
    ["another agent's extension", row(fusion(`call_center_exec.php?command=eavesdrop&uuid=${UUID}&extension=1002`)), 'is for extension 1002, not 1001: not sent'],
  ])('refuses %s, with the reason', (_what, element, reason) => {
    const request = portalMonitorRequest('fusionpbx-eavesdrop', element, PAGE, '1001');
    expect(request.ok).toBe(false);
    expect(!request.ok && request.reason).toContain(reason);
  });
});

describe("portalAnswer: the portal's answer in plain words", () => {
  const response = (status: number, extra: Partial<{ redirected: boolean; url: string; statusText: string }> = {}) => ({
    ok: status >= 200 && status < 300,
    status,
    statusText: extra.statusText ?? '',
    redirected: extra.redirected ?? false,
    url: extra.url ?? PAGE,
  });

  it('a 2xx is taken', () => {
    expect(portalAnswer(response(200), 'ok')).toEqual({ ok: true });
  });

  it('a redirect to the login page (FusionPBX signs out that way) says the portal session expired', () => {
    const answer = portalAnswer(response(200, { redirected: true, url: 'https://pbx.example.com/login.php' }), '<form><input name="password"></form>');
    expect(answer).toEqual({ ok: false, reason: 'your portal session has expired. Sign in to the portal again, then click the icon again.' });
  });

  it.each([
    [401, 'Unauthorized', 'your portal session has expired (401)'],
    [403, 'Forbidden', 'the portal does not let you eavesdrop on this call (403). The portal said: access denied'],
    [404, 'Not Found', 'the portal answered 404 Not Found: access denied.'],
  ])('%i says what it means, with the text of the portal', (status, statusText, reason) => {
    const answer = portalAnswer(response(status, { statusText }), '<p>access <b>denied</b></p>');
    expect(!answer.ok && answer.reason).toContain(reason);
  });
});
