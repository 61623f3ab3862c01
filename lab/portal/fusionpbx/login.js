// The lab's FusionPBX-style login: signs in with the lab's credentials (a
// session cookie, like PHP's) and reloads the page that asked for it.
'use strict';
document.forms.login.addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const res = await fetch('/portal/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ extension: form.get('username'), password: form.get('password') }),
  });
  if (res.ok) location.reload();
  else document.querySelector('.login_box .error').textContent = (await res.json()).error;
});
