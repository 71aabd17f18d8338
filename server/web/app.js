// hubtable in the browser: a thin client over the same requests as the
// command line (POST /api/v1/<RequestName>, protobuf's JSON mapping). Data
// from the server is only ever set as text, never parsed as HTML.

const $ = (id) => document.getElementById(id);

/** Calls one request; resolves to the Response ({status, <kind>}). */
export async function call(name, body = {}) {
  const answer = await fetch(`/api/v1/${name}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-Hubtable-CSRF': '1' },
    body: JSON.stringify(body),
  });
  const response = await answer.json();
  const status = response.status || {};
  if (answer.status === 401 && name !== 'LoginRequest') locked(status.message);
  return response;
}

function say(text) {
  $('message').textContent = text || '';
}

function item(list, text, className) {
  const li = document.createElement('li');
  li.textContent = text;
  if (className) li.className = className;
  list.append(li);
  return li;
}

function locked(message) {
  $('work').hidden = true;
  $('logout').hidden = true;
  $('who').textContent = '';
  $('login').hidden = false;
  say(message ? `Your session has ended (${message}). Log in again.` : 'Log in again.');
}

async function login(event) {
  event.preventDefault();
  say('');
  const body = { username: $('username').value, password: $('password').value };
  if ($('totp').value) body.totpCode = $('totp').value;
  if ($('new-password').value) body.newPassword = $('new-password').value;
  const r = await call('LoginRequest', body);
  const status = r.status || {};
  if (status.rule === 'auth.totp_required') {
    $('totp-field').hidden = false;
    $('totp').focus();
    say('Enter the code from your authenticator.');
    return;
  }
  if (status.rule === 'auth.password_change_required') {
    $('new-password-field').hidden = false;
    $('new-password').focus();
    say('Choose a new password.');
    return;
  }
  if (status.code && status.code !== 'OK') {
    say(status.message);
    return;
  }
  $('password').value = '';
  $('totp').value = '';
  $('new-password').value = '';
  await show();
}

async function show() {
  const who = await call('WhoAmIRequest');
  if (!who.whoami) return;
  $('who').textContent = `${who.whoami.displayName} (${who.whoami.agency || 'no agency'})`;
  $('login').hidden = true;
  $('work').hidden = false;
  $('logout').hidden = false;
  await Promise.all([showTasks(), showAgenda()]);
  listen();
}

async function showTasks() {
  const list = $('tasks');
  list.replaceChildren();
  const r = await call('TasksRequest');
  const tasks = (r.tasks && r.tasks.tasks) || [];
  if (tasks.length === 0) item(list, 'Nothing is due for you.');
  for (const t of tasks) {
    item(list, `${t.localDue || ''} ${t.situation} ${t.kind}`.trim(), t.overdue ? 'overdue' : '');
  }
}

async function showAgenda() {
  const list = $('agenda');
  list.replaceChildren();
  const r = await call('AgendaRequest');
  const items = (r.agenda && r.agenda.agenda && r.agenda.agenda.items) || [];
  if (!r.agenda) item(list, (r.status && r.status.message) || 'No meeting is open.');
  for (const i of items) item(list, `${i.situation} ${i.section || ''}`.trim());
}

let events = null;
function listen() {
  if (events) return;
  events = new EventSource('/api/v1/events');
  events.onmessage = (m) => {
    const e = JSON.parse(m.data);
    item($('events'), e.message || e.kind);
  };
}

async function logout() {
  await call('LogoutRequest');
  if (events) events.close();
  events = null;
  locked();
}

$('login-form').addEventListener('submit', login);
$('logout').addEventListener('click', logout);
show();
