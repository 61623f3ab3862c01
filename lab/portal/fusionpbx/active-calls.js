// The lab's FusionPBX-style Active calls page: `tbody#calls_active_body`, one
// `<tr id="<channel uuid>">` per channel, a row added on call state, its cells
// edited as the channel changes, the row removed on hangup; the counter turns
// red when the stream drops.
'use strict';
const body = document.getElementById('calls_active_body');
const count = document.getElementById('calls_active_count');
const CELLS = ['direction', 'duration', 'caller_id_name', 'caller_id_number', 'destination', 'application', 'codec', 'secure', 'commands'];

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function newRow(uuid) {
  const tr = document.createElement('tr');
  tr.id = uuid;
  tr.className = 'list-row';
  for (const name of CELLS) {
    const td = document.createElement('td');
    td.id = `${name}_${uuid}`;
    if (name === 'commands') td.className = 'no-link';
    tr.append(td);
  }
  const arrow = document.createElement('span');
  arrow.className = 'fa-solid fa-arrow-right';
  tr.firstChild.append(arrow);
  body.append(tr);
  return tr;
}

function upsert(channel) {
  const uuid = channel.uuid;
  const tr = document.getElementById(uuid) || newRow(uuid);
  const arrow = tr.firstChild.firstChild;
  if (arrow.dataset.icon !== channel.direction) {
    arrow.dataset.icon = channel.direction;
    arrow.title = channel.direction;
  }
  setText(document.getElementById(`duration_${uuid}`), channel.duration);
  setText(document.getElementById(`caller_id_name_${uuid}`), channel.callerIdName);
  setText(document.getElementById(`caller_id_number_${uuid}`), channel.callerIdNumber);
  setText(document.getElementById(`destination_${uuid}`), channel.destination);
  setText(document.getElementById(`application_${uuid}`), channel.application);
  setText(document.getElementById(`codec_${uuid}`), channel.codec);
  setText(document.getElementById(`secure_${uuid}`), channel.secure);
  const commands = document.getElementById(`commands_${uuid}`);
  // No eavesdrop on an eavesdrop channel.
  if (channel.callerIdName.toLowerCase() !== 'eavesdrop' && !commands.querySelector('button')) {
    const button = document.createElement('button');
    button.type = 'button';
    button.id = `btn_eavesdrop_${uuid}`;
    button.className = 'btn btn-default btn-xs';
    button.title = 'Eavesdrop';
    button.textContent = 'Eavesdrop';
    commands.append(button);
  }
  setText(count, String(body.rows.length));
}

const stream = new EventSource('/fusionpbx/app/active_calls/stream');
stream.addEventListener('channel', (event) => upsert(JSON.parse(event.data)));
stream.addEventListener('hangup', (event) => {
  document.getElementById(JSON.parse(event.data).id)?.remove();
  setText(count, String(body.rows.length));
});
stream.addEventListener('open', () => count.classList.remove('text-danger'));
stream.addEventListener('error', () => count.classList.add('text-danger'));
