// The lab's FusionPBX-style Active call centers page: every 1.5 s (setting
// call_center/refresh) it fetches call_center_active_inc.php and replaces
// #ajax_response wholesale, then binds every row's cells to navigate to the
// agent's edit page on click, except no-link, checkbox, button and
// action-button cells (what FusionPBX's list-row script does with jQuery).
'use strict';
const REFRESH_MS = 1500;
const NO_LINK = ':not(.no-link):not(.checkbox):not(.button):not(.action-button)';

function bindRows(root) {
  for (const cell of root.querySelectorAll(`tr.list-row > td${NO_LINK}`)) {
    cell.addEventListener('click', () => {
      const href = cell.closest('tr').getAttribute('href');
      if (href) window.location = href;
    });
  }
}

async function refresh() {
  const root = document.getElementById('ajax_response');
  try {
    const res = await fetch(`call_center_active_inc.php${location.search}`, { cache: 'no-store' });
    root.innerHTML = await res.text();
    bindRows(root);
  } catch {
    // The lab went away: keep the last fragment.
  }
}

refresh();
setInterval(refresh, REFRESH_MS);
